// What clients other than the docker CLI rely on, asked over the API directly: answers
// shaped by the version in the path, the swarm and plugin endpoints of a plain engine,
// runtimes, exec and attach details, streams nobody reads, load and prune.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { docker, loadBusybox, removeAllAndCleanup, root, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

const notManager =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe("the API as other clients use it", () => {
  let d: TestDaemon;
  let work: string;
  const api = (method: string, path: string, body?: unknown, opts: { file?: string; headers?: string[] } = {}) => {
    const args = ["-s", "--unix-socket", d.sock, "-X", method, "-w", "\n%{http_code}"];
    if (body !== undefined) args.push("-H", "Content-Type: application/json", "-d", JSON.stringify(body));
    if (opts.file) args.push("-H", "Content-Type: application/x-tar", "--data-binary", `@${opts.file}`);
    for (const h of opts.headers ?? []) args.push("-H", h);
    const r = spawnSync("curl", [...args, `http://x${path}`], { encoding: "utf8", timeout: 30_000 });
    const i = r.stdout.lastIndexOf("\n");
    const text = r.stdout.slice(0, i);
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: Number(r.stdout.slice(i + 1)), text, json };
  };
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    work = mkdtempSync(join(tmpdir(), "wharf-clients-api-"));
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the same questions at /v1.41 and /v1.45 get each version's shape", () => {
    ok(docker(d, ["network", "create", "shape-net"]));
    const id = ok(docker(d, ["run", "-d", "--name", "shaped", "--network", "shape-net", "--network-alias", "svc", "busybox", "sleep", "300"])).trim();
    const short = id.slice(0, 12);
    const v41 = api("GET", "/v1.41/containers/shaped/json").json;
    const v45 = api("GET", "/v1.45/containers/shaped/json").json;
    // Aliases: the short ID (and hostname) below 1.45, exactly what was asked from 1.45.
    expect(v41.NetworkSettings.Networks["shape-net"].Aliases).toEqual(["svc", short]);
    expect(v45.NetworkSettings.Networks["shape-net"].Aliases).toEqual(["svc"]);
    // DNSNames (1.44) carries the short ID for the new clients.
    expect(v45.NetworkSettings.Networks["shape-net"].DNSNames).toContain(short);
    // KernelMemory fields: always there below 1.42, omitted when unset from 1.42.
    expect(v41.HostConfig).toMatchObject({ KernelMemory: 0, KernelMemoryTCP: 0 });
    expect(v45.HostConfig).not.toHaveProperty("KernelMemoryTCP");
    // Unversioned means the newest.
    expect(api("GET", "/containers/shaped/json").json.NetworkSettings.Networks["shape-net"].Aliases).toEqual(["svc"]);
    // Images: Container/ContainerConfig gone from 1.45, VirtualSize gone from 1.44.
    const img41 = api("GET", "/v1.41/images/busybox/json").json;
    const img45 = api("GET", "/v1.45/images/busybox/json").json;
    expect(img41).toHaveProperty("ContainerConfig");
    expect(img41).toHaveProperty("VirtualSize");
    expect(img45).not.toHaveProperty("ContainerConfig");
    expect(img45).not.toHaveProperty("VirtualSize");
    expect(api("GET", "/v1.41/images/json").json[0]).toHaveProperty("VirtualSize");
    expect(api("GET", "/v1.45/images/json").json[0]).not.toHaveProperty("VirtualSize");
    // Multiplexed streams are labelled so from 1.42.
    const ct = (v: string) =>
      spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{content_type}", "--unix-socket", d.sock, `http://x/${v}/containers/shaped/logs?stdout=1`], { encoding: "utf8" }).stdout;
    expect(ct("v1.41")).toBe("application/vnd.docker.raw-stream");
    expect(ct("v1.45")).toBe("application/vnd.docker.multiplexed-stream");
    // df: BuilderSize below 1.42, `type` from 1.42.
    expect(api("GET", "/v1.41/system/df?type=volume").json).toHaveProperty("BuilderSize", 0);
    const df45 = api("GET", "/v1.45/system/df?type=volume").json;
    expect(df45).not.toHaveProperty("BuilderSize");
    expect(df45.Images).toEqual([]);
    expect(api("GET", "/v1.45/system/df?type=nope").json.message).toBe("unknown object type: nope");
    // Create: what a version could not say is refused at that version.
    const two = { Image: "busybox", NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } };
    expect(api("POST", "/v1.43/containers/create", two).json.message).toMatch(/^Container cannot be created with multiple network endpoints: a, b$/);
    const sub = { Image: "busybox", HostConfig: { Mounts: [{ Type: "volume", Source: "v", Target: "/v", VolumeOptions: { Subpath: "x" } }] } };
    expect(api("POST", "/v1.44/containers/create", sub)).toMatchObject({ status: 400, json: { message: "VolumeOptions.Subpath needs API v1.45 or newer" } });
    // /info: bare security option names and the execution driver below 1.25.
    const info24 = api("GET", "/v1.24/info").json;
    expect(info24.ExecutionDriver).toBe("<not supported>");
    expect(info24.SecurityOptions.every((o: string) => !o.includes("name="))).toBe(true);
    expect(api("GET", "/v1.45/info").json).not.toHaveProperty("ExecutionDriver");
    const ping = spawnSync("curl", ["-s", "-I", "--unix-socket", d.sock, "http://x/_ping"], { encoding: "utf8" }).stdout;
    expect(ping).toMatch(/^Swarm: inactive\r$/m);
    // The range served: 1.24 to 1.45.
    expect(api("GET", "/v1.24/containers/shaped/json").status).toBe(200);
    expect(api("GET", "/v1.23/containers/shaped/json").json.message).toMatch(/client version 1.23 is too old/);
    expect(api("GET", "/v1.46/containers/shaped/json").json.message).toMatch(/client version 1.46 is too new/);
    ok(docker(d, ["rm", "-f", "shaped"]));
    ok(docker(d, ["network", "rm", "shape-net"]));
  });

  it("swarm endpoints answer 503 with dockerd's messages, plugins an empty list", () => {
    for (const [m, p] of [
      ["GET", "/swarm"], ["GET", "/nodes"], ["GET", "/services"], ["GET", "/tasks"], ["GET", "/secrets"], ["GET", "/configs"],
      ["GET", "/services/abc"], ["POST", "/services/create"], ["GET", "/nodes/n1"], ["POST", "/secrets/create"], ["GET", "/swarm/unlockkey"],
    ] as const) {
      const r = api(m, `/v1.41${p}`);
      expect([p, r.status, r.json?.message]).toEqual([p, 503, notManager]);
    }
    expect(api("POST", "/v1.41/swarm/leave?force=1")).toMatchObject({ status: 503, json: { message: "This node is not part of a swarm" } });
    expect(api("GET", "/v1.41/plugins")).toMatchObject({ status: 200, json: [] });
    expect(api("GET", "/plugins/foo/json")).toMatchObject({ status: 404, json: { message: 'plugin "foo" not found' } });
    expect(api("GET", "/info").json.Swarm.LocalNodeState).toBe("inactive");
    // The docker CLI sees the same.
    const r = docker(d, ["service", "ls"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("This node is not a swarm manager");
  });

  it("runtimes: runc by name, in inspect and /info; unknown ones refused", () => {
    const info = api("GET", "/info").json;
    expect(info.DefaultRuntime).toBe("runc");
    expect(Object.keys(info.Runtimes)).toContain("runc");
    expect(ok(docker(d, ["run", "--rm", "--runtime", "runc", "busybox", "echo", "ran"]))).toBe("ran\n");
    const id = ok(docker(d, ["create", "busybox", "true"])).trim();
    expect(ok(docker(d, ["inspect", "-f", "{{.HostConfig.Runtime}}", id])).trim()).toBe("runc");
    const bad = docker(d, ["create", "--runtime", "nosuch", "busybox", "true"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Unknown runtime specified nosuch");
    ok(docker(d, ["rm", id]));
  });

  it("exec: missing binary 126, link variables, a terminal from the exec's own Tty", () => {
    ok(docker(d, ["run", "-d", "--name", "linked", "-e", "SECRET=s1", "busybox", "sleep", "300"]));
    ok(docker(d, ["run", "-d", "--name", "ex", "--link", "linked:db", "busybox", "sleep", "300"]));
    const miss = docker(d, ["exec", "ex", "nosuchbinary"]);
    expect(miss.code).toBe(126);
    expect(miss.stdout + miss.stderr).toContain('exec failed: unable to start container process: exec: "nosuchbinary": executable file not found in $PATH');
    const env = ok(docker(d, ["exec", "ex", "env"]));
    expect(env).toContain("DB_NAME=/ex/db");
    expect(env).toContain("DB_ENV_SECRET=s1");
    // Created with Tty, started without: a terminal, the output multiplexed.
    const e = api("POST", "/containers/ex/exec", { Cmd: ["tty"], AttachStdout: true, Tty: true }).json;
    const out = spawnSync("curl", ["-s", "--unix-socket", d.sock, "-H", "Content-Type: application/json", "-d", '{"Detach":false,"Tty":false}', `http://x/exec/${e.Id}/start`]);
    const buf = out.stdout as Buffer;
    expect(buf[0]).toBe(1);
    expect(buf.subarray(8).toString()).toMatch(/^\/dev\/pts\/\d+\r\n$/);
  });

  it("per-exec DetachKeys detach the client and leave the process running", async () => {
    const e = api("POST", "/containers/ex/exec", { Cmd: ["sh", "-c", "cat; sleep 30"], AttachStdin: true, AttachStdout: true, DetachKeys: "ctrl-x" }).json;
    const s = connect(d.sock);
    await new Promise<void>((r) => s.once("connect", () => r()));
    const body = JSON.stringify({ Detach: false, Tty: false });
    s.write(`POST /exec/${e.Id}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    let got = "";
    s.on("data", (c) => (got += c.toString("latin1")));
    const closed = new Promise<void>((r) => s.once("close", () => r()));
    await waitFor(() => got.includes("101 UPGRADED"));
    s.write("hello\n");
    await waitFor(() => got.includes("hello"));
    s.write(Buffer.from([0x18]));
    await Promise.race([closed, Bun.sleep(5000).then(() => Promise.reject(new Error("ctrl-x did not detach")))]);
    const ins = api("GET", `/exec/${e.Id}/json`).json;
    expect(ins.Running).toBe(true);
    expect(ins.DetachKeys).toBe("ctrl-x");
  });

  it("a client that never reads an export, logs or attach stream blocks nothing else", async () => {
    ok(docker(d, ["run", "-d", "--name", "chatty", "busybox", "sh", "-c", "while true; do head -c 20000 /dev/zero | tr '\\0' x; echo; done"]));
    const idle: ReturnType<typeof connect>[] = [];
    for (const path of ["/containers/chatty/export", "/containers/chatty/logs?stdout=1&follow=1", "/containers/chatty/attach?stream=1&stdout=1"]) {
      const s = connect(d.sock);
      await new Promise<void>((r) => s.once("connect", () => r()));
      s.write(`${path.includes("attach") ? "POST" : "GET"} ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      s.pause(); // never read
      idle.push(s);
    }
    await Bun.sleep(500);
    try {
      expect(ok(docker(d, ["exec", "chatty", "echo", "still"]))).toBe("still\n");
      expect(api("GET", "/containers/chatty/json").json.State.Running).toBe(true);
      ok(docker(d, ["stop", "-t", "1", "chatty"]));
      expect(api("GET", "/containers/chatty/json").json.State.Running).toBe(false);
      ok(docker(d, ["start", "chatty"]));
      ok(docker(d, ["rm", "-f", "chatty"]));
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  it("wait answers at the first exit of a container its restart policy starts again", () => {
    const id = ok(docker(d, ["run", "-d", "--restart", "always", "busybox", "sh", "-c", "sleep 0.3; exit 4"])).trim();
    const r = api("POST", `/containers/${id}/wait`);
    expect(r.json).toEqual({ StatusCode: 4, Error: null });
    ok(docker(d, ["rm", "-f", id]));
  });

  it("load: a bad archive answers 200 with errorDetail; the legacy layout loads", () => {
    const junk = join(work, "junk.tar");
    writeFileSync(junk, "this is not a tar archive");
    const bad = api("POST", "/images/load", undefined, { file: junk });
    expect(bad.status).toBe(200);
    const last = JSON.parse(bad.text.trim().split("\n").pop()!);
    expect(last.errorDetail.message).toBeTruthy();
    expect(last.error).toBe(last.errorDetail.message);
    // docker save before 1.10: repositories and <id>/json, no manifest.json.
    const dir = join(work, "legacy");
    spawnSync("mkdir", ["-p", dir]);
    expect(spawnSync("tar", ["-xf", resolve(root, "test/fixtures/multilayer-docker-save.tar"), "-C", dir]).status).toBe(0);
    rmSync(join(dir, "manifest.json"));
    const legacy = join(work, "legacy.tar");
    expect(spawnSync("tar", ["-cf", legacy, "-C", dir, "."]).status).toBe(0);
    expect(ok(docker(d, ["load", "-i", legacy]))).toBe("Loaded image: wharf-fixture/multilayer:1.0\n");
    const ins = JSON.parse(ok(docker(d, ["image", "inspect", "wharf-fixture/multilayer:1.0"])))[0];
    expect(ins.RootFS.Layers.length).toBeGreaterThan(1);
    // Its untagged parents are not listed, as dockerd's loader records them as parents.
    expect(ok(docker(d, ["images", "-q", "--filter", "dangling=true"])).trim()).toBe("");
    expect(docker(d, ["run", "--rm", "wharf-fixture/multilayer:1.0"]).code).toBe(0);
    ok(docker(d, ["rmi", "wharf-fixture/multilayer:1.0"]));
  });

  it("prune: Go durations in until, and SpaceReclaimed is what was freed", () => {
    ok(docker(d, ["run", "--name", "big1", "busybox", "sh", "-c", "head -c 400000 /dev/zero > /f"]));
    const big = ok(docker(d, ["inspect", "-f", "{{.Id}}", "big1"])).trim();
    let r = api("POST", `/containers/prune?filters=${encodeURIComponent('{"until":["24h"]}')}`);
    expect(r.status).toBe(200);
    expect(r.json.ContainersDeleted ?? []).toEqual([]);
    r = api("POST", `/containers/prune?filters=${encodeURIComponent('{"until":["90m"]}')}`);
    expect(r.status).toBe(200);
    r = api("POST", "/containers/prune");
    expect(r.json.ContainersDeleted).toContain(big);
    expect(r.json.SpaceReclaimed).toBeGreaterThanOrEqual(400000);
    expect(api("POST", `/containers/prune?filters=${encodeURIComponent('{"until":["soon"]}')}`).status).toBe(400);
    const b = api("POST", "/build/prune");
    expect(b).toMatchObject({ status: 200, json: { SpaceReclaimed: 0 } });
    const sys = docker(d, ["system", "prune", "-f"]);
    expect(sys.code, sys.stderr).toBe(0);
    const sysUntil = docker(d, ["system", "prune", "-f", "--filter", "until=24h"]);
    expect(sysUntil.code, sysUntil.stderr).toBe(0);
  });
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await Bun.sleep(20);
  }
}
