// dockerode (the Node SDK) against wharf, used as its README shows: containers, exec,
// attach, logs, archive, networks, volumes, images, prune, swarm and plugins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Docker from "dockerode";
import { PassThrough, Readable } from "node:stream";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(Buffer.from(c)));
    stream.on("end", () => res(Buffer.concat(chunks)));
    stream.on("error", rej);
  });
}

/** A multiplexed stream split into stdout and stderr with dockerode's own demuxer. */
function demux(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o = collect(out);
  const e = collect(err);
  docker.modem.demuxStream(stream, out, err);
  return new Promise((res, rej) => {
    stream.on("end", async () => {
      out.end();
      err.end();
      res({ out: (await o).toString(), err: (await e).toString() });
    });
    stream.on("error", rej);
  });
}

function tarOf(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "wharf-dockerode-"));
  try {
    for (const [p, data] of Object.entries(files)) writeFileSync(join(dir, p), data);
    const r = spawnSync("tar", ["-c", "-C", dir, ...Object.keys(files)]);
    if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function tarList(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (let off = 0; off + 512 <= buf.length; ) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString().replace(/\0.*$/s, "");
    const size = parseInt(h.subarray(124, 136).toString().replace(/\0.*$/s, "").trim() || "0", 8);
    out[name] = buf.subarray(off + 512, off + 512 + size).toString();
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe.each([
  { label: "unversioned", version: undefined },
  { label: "v1.41", version: "v1.41" },
])("dockerode against wharf ($label)", ({ version }) => {
  let d: TestDaemon;
  let docker: Docker;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    docker = new Docker({ socketPath: d.sock, ...(version ? { version } : {}) });
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
  });

  it("ping, version, info", async () => {
    expect((await docker.ping()).toString()).toBe("OK");
    const v = await docker.version();
    expect(v.ApiVersion).toBe("1.45");
    const info = await docker.info();
    expect(info.Swarm.LocalNodeState).toBe("inactive");
    expect(info.DefaultRuntime).toBe("runc");
  });

  it("run: output through the attach stream, then the exit code", async () => {
    const out = new PassThrough();
    const got = collect(out);
    // docker.run creates with a TTY: one stream, with the terminal's line endings.
    const [res, c] = await docker.run("busybox", ["sh", "-c", "echo hi; echo there >&2; exit 2"], out);
    out.end();
    expect(res.StatusCode).toBe(2);
    expect((await got).toString()).toBe("hi\r\nthere\r\n");
    await c.remove();
  });

  it("create, attach, start, wait: everything written reaches the attached client before wait answers", async () => {
    const c = await docker.createContainer({
      Image: "busybox",
      Cmd: ["sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo out $i; echo err $i >&2; i=$((i+1)); done"],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await c.attach({ stream: true, stdout: true, stderr: true });
    const streams = demux(docker, stream);
    await c.start();
    const w = await c.wait();
    expect(w.StatusCode).toBe(0);
    const { out, err } = await streams;
    expect(out.split("\n").filter(Boolean)).toHaveLength(3000);
    expect(err.split("\n").filter(Boolean)).toHaveLength(3000);
    const logs = (await c.logs({ stdout: true, stderr: false })) as Buffer;
    expect(logs.length).toBeGreaterThan(3000 * 8);
    await c.remove();
  });

  it("logs: follow to the end, and the non-follow buffer", async () => {
    const c = await docker.createContainer({ Image: "busybox", Cmd: ["sh", "-c", "for i in 1 2 3; do echo l$i; sleep 0.1; done"] });
    await c.start();
    const stream = await c.logs({ follow: true, stdout: true, stderr: true });
    const { out } = await demux(docker, stream);
    expect(out).toBe("l1\nl2\nl3\n");
    await c.wait();
    const buf = (await c.logs({ stdout: true, follow: false })) as Buffer;
    // Non-follow logs come as one multiplexed buffer: three 8-byte headers and the lines.
    expect(buf.length).toBe(3 * 8 + 9);
    expect(buf[0]).toBe(1);
    await c.remove();
  });

  it("exec: hijacked stdin, demuxed output and the exit code in inspect", async () => {
    const c = await docker.createContainer({ Image: "busybox", Cmd: ["sleep", "60"] });
    await c.start();
    const e = await c.exec({ Cmd: ["sh", "-c", "cat; echo err >&2; exit 5"], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await e.start({ hijack: true, stdin: true });
    const result = demux(docker, stream);
    stream.end("from stdin\n");
    const { out, err } = await result;
    expect(out).toBe("from stdin\n");
    expect(err).toBe("err\n");
    const ins = await e.inspect();
    expect(ins.ExitCode).toBe(5);
    expect(ins.Running).toBe(false);

    // Created with a TTY: a terminal whatever the start says; the start's Tty picks raw
    // or multiplexed output, as dockerd.
    const t = await c.exec({ Cmd: ["tty"], AttachStdout: true, Tty: true });
    const { out: framed } = await demux(docker, await t.start({}));
    expect(framed).toMatch(/^\/dev\/pts\/\d+\r\n$/);
    const t2 = await c.exec({ Cmd: ["tty"], AttachStdout: true, Tty: true });
    const raw = await collect((await t2.start({ Tty: true })) as unknown as Readable);
    expect(raw.toString()).toMatch(/^\/dev\/pts\/\d+\r\n$/);

    const miss = await c.exec({ Cmd: ["nosuchbinary"], AttachStdout: true, AttachStderr: true });
    const ms = await miss.start({});
    const { out: mo } = await demux(docker, ms);
    expect(mo).toContain('exec: "nosuchbinary": executable file not found in $PATH');
    expect((await miss.inspect()).ExitCode).toBe(126);
    await c.remove({ force: true });
  });

  it("archive: put before start, get after exit, with a volume", async () => {
    const vol = await docker.createVolume({ Name: `dv-${version ?? "x"}` });
    const c = await docker.createContainer({
      Image: "busybox",
      Cmd: ["sh", "-c", "cat /data/in.txt /tmp/in.txt > /data/out.txt"],
      HostConfig: { Binds: [`${vol.name}:/data`] },
    });
    await c.putArchive(tarOf({ "in.txt": "volume\n" }), { path: "/data" });
    await c.putArchive(tarOf({ "in.txt": "root\n" }), { path: "/tmp" });
    // dockerode hands back the HEAD response: the stat is its base64 JSON header.
    const head = (await c.infoArchive({ path: "/data/in.txt" })) as unknown as { headers: Record<string, string> };
    const stat = JSON.parse(Buffer.from(head.headers["x-docker-container-path-stat"]!, "base64").toString());
    expect(stat).toMatchObject({ name: "in.txt", size: 7 });
    await c.start();
    expect((await c.wait()).StatusCode).toBe(0);
    const tar = await collect((await c.getArchive({ path: "/data/out.txt" })) as unknown as Readable);
    expect(tarList(tar)).toEqual({ "out.txt": "volume\nroot\n" });
    await c.remove();
    await vol.remove();
  });

  it("networks: create, connect, inspect, disconnect, remove", async () => {
    const net = await docker.createNetwork({ Name: `dn-${version ?? "x"}`, Labels: { k: "v" } });
    const c = await docker.createContainer({ Image: "busybox", Cmd: ["sleep", "60"] });
    await c.start();
    await net.connect({ Container: c.id, EndpointConfig: { Aliases: ["dnode"] } });
    const ni = await net.inspect();
    expect(ni.Labels).toEqual({ k: "v" });
    expect(Object.keys(ni.Containers ?? {})).toEqual([c.id]);
    const ci = await c.inspect();
    const ep = ci.NetworkSettings.Networks[`dn-${version ?? "x"}`]!;
    expect(ep.Aliases).toContain("dnode");
    // Below 1.45 the short ID is an alias as well (dockerd's inspect for older clients).
    if (version === "v1.41") expect(ep.Aliases).toContain(c.id.slice(0, 12));
    else expect(ep.Aliases).not.toContain(c.id.slice(0, 12));
    expect(ep.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await net.disconnect({ Container: c.id });
    expect(Object.keys((await net.inspect()).Containers ?? {})).toEqual([]);
    await c.remove({ force: true });
    await net.remove();
    expect((await docker.listNetworks()).map((n) => n.Name)).not.toContain(`dn-${version ?? "x"}`);
  });

  it("volumes: create, list, inspect, prune with SpaceReclaimed", async () => {
    const v = await docker.createVolume({ Name: `dvol-${version ?? "x"}`, Labels: { a: "b" } });
    const vi = await v.inspect();
    expect(vi.Labels).toEqual({ a: "b" });
    expect(vi.Driver).toBe("local");
    const list = await docker.listVolumes();
    expect(list.Volumes.map((x) => x.Name)).toContain(v.name);
    await v.remove();
    const anon = await docker.createVolume({});
    const [res, used] = await docker.run("busybox", ["sh", "-c", "head -c 50000 /dev/zero > /v/f"], new PassThrough(), {
      HostConfig: { Binds: [`${anon.name}:/v`] },
    });
    expect(res.StatusCode).toBe(0);
    await used.remove();
    const pruned = await docker.pruneVolumes();
    expect(pruned.VolumesDeleted).toContain(anon.name);
    expect(pruned.SpaceReclaimed).toBeGreaterThanOrEqual(50000);
  });

  it("images: list, inspect, tag, save, remove, load", async () => {
    const imgs = await docker.listImages();
    const bb = imgs.find((i) => i.RepoTags?.includes("busybox:latest"));
    expect(bb).toBeDefined();
    const img = docker.getImage("busybox");
    const ins = await img.inspect();
    expect(ins.Id).toBe(bb!.Id);
    await img.tag({ repo: "dtag", tag: "v1" });
    expect((await docker.getImage("dtag:v1").inspect()).Id).toBe(ins.Id);
    const saved = await collect((await docker.getImage("dtag:v1").get()) as unknown as Readable);
    expect(Object.keys(tarList(saved))).toContain("manifest.json");
    await docker.getImage("dtag:v1").remove();
    const loadStream = await docker.loadImage(Readable.from([saved]) as unknown as NodeJS.ReadableStream);
    const loadOut = (await collect(loadStream as unknown as Readable)).toString();
    expect(loadOut).toContain("Loaded image: dtag:v1");
    await docker.getImage("dtag:v1").remove();
    const pruned = await docker.pruneImages();
    expect(pruned).toHaveProperty("SpaceReclaimed");
  });

  it("a bad archive to load answers 200 with errorDetail in the stream", async () => {
    const s = await docker.loadImage(Readable.from([Buffer.from("this is not a tar archive at all")]) as unknown as NodeJS.ReadableStream);
    const text = (await collect(s as unknown as Readable)).toString();
    const msg = JSON.parse(text.trim().split("\n").pop()!);
    expect(msg.errorDetail?.message).toBeTruthy();
    expect(msg.error).toBe(msg.errorDetail.message);
  });

  it("container prune: until as a Go duration, SpaceReclaimed of what went", async () => {
    const c = await docker.createContainer({ Image: "busybox", Cmd: ["sh", "-c", "head -c 120000 /dev/zero > /f"] });
    await c.start();
    await c.wait();
    const kept = await docker.pruneContainers({ filters: { until: ["90m"] } });
    expect(kept.ContainersDeleted ?? []).not.toContain(c.id);
    const pruned = await docker.pruneContainers();
    expect(pruned.ContainersDeleted).toContain(c.id);
    expect(pruned.SpaceReclaimed).toBeGreaterThanOrEqual(120000);
  });

  it("stats, top, events, detached and resized execs, export and commit", async () => {
    const c = await docker.createContainer({ Image: "busybox", Cmd: ["sleep", "60"] });
    await c.start();
    const since = Math.floor(Date.now() / 1000) - 1;
    const st = (await c.stats({ stream: false })) as unknown as { memory_stats: object; cpu_stats: object };
    expect(st).toHaveProperty("memory_stats");
    expect(st).toHaveProperty("cpu_stats");
    const live = (await c.stats({ stream: true })) as unknown as Readable;
    const first = await new Promise<Buffer>((r) => live.once("data", (b: Buffer) => (live.destroy(), r(b))));
    expect(JSON.parse(first.toString().split("\n")[0]!)).toHaveProperty("read");
    expect((await c.top()).Titles).toContain("PID");
    const det = await c.exec({ Cmd: ["sh", "-c", "sleep 0.2; exit 3"] });
    await det.start({ Detach: true });
    await waitUntil(async () => (await det.inspect()).Running === false);
    expect((await det.inspect()).ExitCode).toBe(3);
    const sized = await c.exec({ Cmd: ["sh", "-c", "sleep 0.5; stty size"], AttachStdin: true, AttachStdout: true, Tty: true });
    const ss = await sized.start({ hijack: true, stdin: true, Tty: true });
    await sized.resize({ h: 33, w: 77 });
    expect((await collect(ss as unknown as Readable)).toString()).toBe("33 77\r\n");
    const exported = await collect((await c.export()) as unknown as Readable);
    expect(Object.keys(tarList(exported))).toContain("bin/busybox");
    const img = await c.commit({ repo: `dcommit${version ?? ""}`, tag: "x" });
    expect((await docker.getImage(img.Id).inspect()).RepoTags).toEqual([`dcommit${version ?? ""}:x`]);
    await c.kill();
    expect((await c.wait()).StatusCode).toBe(137);
    const evs = await collect((await docker.getEvents({ since, until: Math.floor(Date.now() / 1000) + 1, filters: { container: [c.id] } })) as unknown as Readable);
    const actions = evs.toString().trim().split("\n").map((l) => JSON.parse(l).Action);
    expect(actions).toEqual(expect.arrayContaining(["start", "exec_start: sh -c sleep 0.2; exit 3", "commit", "kill", "die"]));
    await c.remove();
    await docker.getImage(img.Id).remove();
  });

  it("swarm and plugins of a non-swarm engine", async () => {
    expect(await docker.listPlugins()).toEqual([]);
    await expect(docker.swarmInspect()).rejects.toMatchObject({ statusCode: 503 });
    await expect(docker.listServices()).rejects.toMatchObject({ statusCode: 503 });
    await expect(docker.listNodes()).rejects.toMatchObject({ statusCode: 503 });
    await expect(docker.listTasks()).rejects.toMatchObject({ statusCode: 503 });
    await expect(docker.listSecrets()).rejects.toMatchObject({ statusCode: 503 });
    await expect(docker.listConfigs()).rejects.toMatchObject({ statusCode: 503 });
    await expect(docker.swarmLeave({ force: true })).rejects.toMatchObject({ statusCode: 503, json: { message: "This node is not part of a swarm" } });
  });
});

async function waitUntil(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await Bun.sleep(50);
  }
}
