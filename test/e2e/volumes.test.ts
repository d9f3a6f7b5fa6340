// Volumes and mounts through the real docker CLI: issue 7's "Done when" list, the
// volume API's shapes and errors, and the ways a name or a symlink could reach outside.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, startDaemon, wharf, type TestDaemon, removeAllAndCleanup } from "../helpers/daemon.ts";
import { fixtures } from "../helpers/archives.ts";
import { extractBusybox } from "../helpers/busybox.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** One API call over the daemon's socket: status and parsed body. */
function api(d: TestDaemon, method: string, path: string, body?: unknown): { status: number; body: any } {
  const args = ["-s", "-o", "-", "-w", "\n%{http_code}", "--unix-socket", d.sock, "-X", method, `http://x/v1.45${path}`];
  if (body !== undefined) args.push("-H", "Content-Type: application/json", "-d", JSON.stringify(body));
  const r = spawnSync("curl", args, { encoding: "utf8", timeout: 30_000 });
  const i = r.stdout.lastIndexOf("\n");
  const text = r.stdout.slice(0, i);
  return { status: Number(r.stdout.slice(i + 1)), body: text ? JSON.parse(text) : undefined };
}

function hostMounts(under: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => !!m && m.startsWith(under));
}

describe("volumes and mounts e2e", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    ok(docker(d, ["load", "-i", join(fixtures, "busybox-docker-save.tar")]));
    ok(docker(d, ["load", "-i", join(fixtures, "multilayer-docker-save.tar")]));
  });
  afterAll(() => removeAllAndCleanup(d));

  it("a named volume written by one container is read by the next", () => {
    ok(docker(d, ["run", "--rm", "-v", "shared:/data", "busybox", "sh", "-c", "echo persisted > /data/f"]));
    expect(ok(docker(d, ["run", "--rm", "-v", "shared:/d", "busybox", "cat", "/d/f"]))).toBe("persisted\n");
    const v = JSON.parse(ok(docker(d, ["volume", "inspect", "shared"])))[0];
    expect(v).toMatchObject({ Driver: "local", Name: "shared", Scope: "local", Labels: null, Options: null });
    expect(v.Mountpoint).toBe(join(d.dataRoot, "volumes/shared/_data"));
    expect(v.CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("copy-up: the multilayer image's /app/data fills a new named volume, modes kept; nocopy skips it", () => {
    expect(ok(docker(d, ["run", "--rm", "-v", "data:/app/data", "wharf-fixture/multilayer:1.0"]))).toBe("hello world from /app\n");
    expect(ok(docker(d, ["run", "--rm", "-v", "data:/d", "busybox", "ls", "/d"]))).toBe("one.txt\n");
    expect(ok(docker(d, ["run", "--rm", "-v", "data:/d", "busybox", "sh", "-c", "cat /d/one.txt; stat -c %a /d/one.txt"]))).toBe("one\n4755\n");
    ok(docker(d, ["run", "--rm", "-v", "empty:/app/data:nocopy", "wharf-fixture/multilayer:1.0"]));
    expect(ok(docker(d, ["run", "--rm", "-v", "empty:/d", "busybox", "ls", "-A", "/d"]))).toBe("");
    // A volume that already holds data is not filled again.
    ok(docker(d, ["run", "--rm", "-v", "shared:/app/data", "wharf-fixture/multilayer:1.0"]));
    expect(ok(docker(d, ["run", "--rm", "-v", "shared:/d", "busybox", "ls", "/d"]))).toBe("f\n");
  });

  it("image VOLUMEs become anonymous volumes filled from the image; rm -v removes only those", () => {
    const id = ok(docker(d, ["create", "-v", "keepme:/keep", "wharf-fixture/multilayer:1.0"])).trim();
    const mounts: any[] = JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .Mounts}}", id])));
    expect(mounts).toHaveLength(2);
    const anon = mounts.find((m) => m.Destination === "/app/data");
    expect(anon).toMatchObject({ Type: "volume", Driver: "local", Mode: "", RW: true, Propagation: "" });
    expect(anon.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(anon.Source).toBe(join(d.dataRoot, "volumes", anon.Name, "_data"));
    expect(readdirSync(anon.Source)).toEqual(["one.txt"]);
    expect(mounts.find((m) => m.Destination === "/keep")).toMatchObject({ Type: "volume", Name: "keepme" });
    const labels = JSON.parse(ok(docker(d, ["volume", "inspect", "-f", "{{json .Labels}}", anon.Name])));
    expect(labels).toEqual({ "com.docker.volume.anonymous": "" });
    // ps lists the mounts by name too.
    expect(ok(docker(d, ["ps", "-a", "--no-trunc", "--filter", `id=${id}`, "--format", "{{.Mounts}}"])).trim().split(",").sort()).toEqual(
      [anon.Name, "keepme"].sort(),
    );
    ok(docker(d, ["rm", "-v", id]));
    expect(docker(d, ["volume", "inspect", anon.Name]).code).toBe(1);
    expect(existsSync(join(d.dataRoot, "volumes", anon.Name))).toBe(false);
    expect(ok(docker(d, ["volume", "inspect", "-f", "{{.Name}}", "keepme"]))).toBe("keepme\n");
    // Without -v the anonymous volume stays (dangling), and prune takes it but not named ones.
    const id2 = ok(docker(d, ["create", "wharf-fixture/multilayer:1.0"])).trim();
    const anon2 = JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .Mounts}}", id2])))[0].Name;
    ok(docker(d, ["rm", id2]));
    expect(ok(docker(d, ["volume", "ls", "-q", "--filter", "dangling=true"])).split("\n")).toContain(anon2);
    const pr = ok(docker(d, ["volume", "prune", "-f"]));
    expect(pr).toContain(anon2);
    expect(pr).not.toContain("keepme");
    expect(docker(d, ["volume", "inspect", anon2]).code).toBe(1);
    expect(ok(docker(d, ["volume", "ls", "-q"])).split("\n")).toContain("keepme");
  });

  it("a --rm container removes its anonymous volumes", () => {
    const before = ok(docker(d, ["volume", "ls", "-q"]));
    ok(docker(d, ["run", "--rm", "-v", "/anon", "busybox", "touch", "/anon/x"]));
    expect(ok(docker(d, ["volume", "ls", "-q"]))).toBe(before);
  });

  it("docker volume rm of a volume in use is a 409; the volume and its data stay", () => {
    ok(docker(d, ["run", "--name", "user1", "-v", "busy:/b", "busybox", "sh", "-c", "echo keep > /b/k"]));
    const id = ok(docker(d, ["inspect", "-f", "{{.Id}}", "user1"])).trim();
    const r = docker(d, ["volume", "rm", "busy"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`remove busy: volume is in use - [${id}]`);
    expect(api(d, "DELETE", "/volumes/busy").status).toBe(409);
    expect(api(d, "DELETE", "/volumes/busy?force=1").status).toBe(409);
    expect(ok(docker(d, ["run", "--rm", "-v", "busy:/b", "busybox", "cat", "/b/k"]))).toBe("keep\n");
    expect(ok(docker(d, ["volume", "ls", "-q", "--filter", "dangling=false"])).split("\n")).toContain("busy");
    ok(docker(d, ["rm", "user1"]));
    expect(ok(docker(d, ["volume", "rm", "busy"]))).toBe("busy\n");
    expect(existsSync(join(d.dataRoot, "volumes/busy"))).toBe(false);
  });

  it("a read-only bind refuses writes; -v makes a missing host directory, --mount refuses it", () => {
    const host = join(d.dir, "ro-src");
    mkdirSync(host);
    writeFileSync(join(host, "f"), "host\n");
    const r = docker(d, ["run", "--rm", "-v", `${host}:/h:ro`, "busybox", "sh", "-c", "cat /h/f; echo x > /h/f"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("host\n");
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(readFileSync(join(host, "f"), "utf8")).toBe("host\n");
    const r2 = docker(d, ["run", "--rm", "--mount", `type=bind,source=${host},target=/h,readonly`, "busybox", "touch", "/h/g"]);
    expect(r2.stderr).toMatch(/Read-only file system/);
    // Writable bind: the write reaches the host.
    ok(docker(d, ["run", "--rm", "-v", `${host}:/h`, "busybox", "sh", "-c", "echo w > /h/w"]));
    expect(readFileSync(join(host, "w"), "utf8")).toBe("w\n");
    const missing = join(d.dir, "made-by-v/sub");
    ok(docker(d, ["run", "--rm", "-v", `${missing}:/m`, "busybox", "true"]));
    expect(existsSync(missing)).toBe(true);
    // The daemon's own socket binds as a socket (COMPAT: reaper containers use it).
    expect(ok(docker(d, ["run", "--rm", "-v", `${d.sock}:/var/run/docker.sock`, "busybox", "sh", "-c", "test -S /var/run/docker.sock && echo sock"]))).toBe("sock\n");
    const gone = join(d.dir, "not-there");
    const r3 = docker(d, ["run", "--rm", "--mount", `type=bind,source=${gone},target=/m`, "busybox", "true"]);
    expect(r3.code).toBe(125);
    expect(r3.stderr).toContain(`invalid mount config for type "bind": bind source path does not exist: ${gone}`);
    expect(existsSync(gone)).toBe(false);
  });

  it("tmpfs mounts are tmpfs with the asked size (--mount and --tmpfs)", () => {
    const out = ok(
      docker(d, ["run", "--rm", "--mount", "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770", "--tmpfs", "/u:size=2m", "busybox", "sh", "-c", "grep -E ' /(t|u) ' /proc/mounts; stat -c %a /t"]),
    );
    expect(out).toMatch(/^tmpfs \/t tmpfs rw,.*size=1024k,mode=1770/m);
    expect(out).toMatch(/^tmpfs \/u tmpfs rw,.*size=2048k/m);
    expect(out).toMatch(/^1770$/m);
    const id = ok(docker(d, ["create", "--mount", "type=tmpfs,target=/t", "busybox"])).trim();
    expect(JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .Mounts}}", id])))).toEqual([
      { Type: "tmpfs", Source: "", Destination: "/t", Mode: "", RW: true, Propagation: "" },
    ]);
    ok(docker(d, ["rm", id]));
  });

  it("a local volume with driver options mounts its device while in use", () => {
    ok(docker(d, ["volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=3m", "tv"]));
    const v = JSON.parse(ok(docker(d, ["volume", "inspect", "tv"])))[0];
    expect(v.Options).toEqual({ type: "tmpfs", device: "tmpfs", o: "size=3m" });
    const out = ok(docker(d, ["run", "--rm", "-v", "tv:/t", "busybox", "sh", "-c", "grep ' /t ' /proc/mounts"]));
    expect(out).toMatch(/^tmpfs \/t tmpfs .*size=3072k/);
    // Unused again: the host mount is gone.
    expect(hostMounts(v.Mountpoint)).toEqual([]);
    ok(docker(d, ["volume", "rm", "tv"]));
  });

  it("a bind-style local volume (o=bind) mounts the named directory; removing the volume keeps its files", () => {
    const dev = join(d.dir, "bind-device");
    mkdirSync(dev);
    writeFileSync(join(dev, "already"), "a");
    ok(docker(d, ["volume", "create", "-o", "type=none", "-o", "o=bind", "-o", `device=${dev}`, "bv"]));
    expect(ok(docker(d, ["run", "--rm", "-v", "bv:/b", "busybox", "sh", "-c", "ls /b; echo w > /b/written"]))).toBe("already\n");
    expect(readdirSync(dev).sort()).toEqual(["already", "written"]);
    const mp = join(d.dataRoot, "volumes/bv/_data");
    expect(hostMounts(mp)).toEqual([]);
    ok(docker(d, ["volume", "rm", "bv"]));
    expect(readdirSync(dev).sort()).toEqual(["already", "written"]);
  });

  it("volumes stay writable under --read-only; a device that cannot mount fails the start cleanly", () => {
    const r = docker(d, ["run", "--rm", "--read-only", "-v", "rovol:/d", "busybox", "sh", "-c", "echo ok > /d/f && cat /d/f; touch /x"]);
    expect(r.stdout).toBe("ok\n");
    expect(r.stderr).toMatch(/Read-only file system/);
    const missing = join(d.dir, "no-such-device");
    ok(docker(d, ["volume", "create", "-o", "type=none", "-o", "o=bind", "-o", `device=${missing}`, "broken"]));
    const s = docker(d, ["run", "--rm", "-v", "broken:/b", "busybox", "true"]);
    expect(s.code).not.toBe(0);
    expect(s.stderr).toContain("error while mounting volume");
    expect(existsSync(missing)).toBe(false);
    expect(hostMounts(join(d.dataRoot, "volumes/broken"))).toEqual([]);
    ok(docker(d, ["volume", "rm", "broken"]));
  });

  it("volume-subpath mounts a directory of the volume, and its symlinks cannot leave the volume", () => {
    ok(docker(d, ["run", "--rm", "-v", "sv:/v", "busybox", "sh", "-c", "mkdir -p /v/sub && echo x > /v/sub/f && ln -s /etc /v/evil && ln -s ../../.. /v/up && ln -s /sub /v/abs"]));
    expect(ok(docker(d, ["run", "--rm", "--mount", "type=volume,src=sv,dst=/s,volume-subpath=sub", "busybox", "ls", "/s"]))).toBe("f\n");
    // Absolute links resolve inside the volume: /sub of the volume.
    expect(ok(docker(d, ["run", "--rm", "--mount", "type=volume,src=sv,dst=/s,volume-subpath=abs", "busybox", "ls", "/s"]))).toBe("f\n");
    // `..` stops at the volume's top.
    expect(ok(docker(d, ["run", "--rm", "--mount", "type=volume,src=sv,dst=/s,volume-subpath=up", "busybox", "ls", "/s"])).split("\n")).toContain("sub");
    const evil = docker(d, ["run", "--rm", "--mount", "type=volume,src=sv,dst=/s,volume-subpath=evil", "busybox", "ls", "/s"]);
    expect(evil.code).not.toBe(0);
    expect(evil.stderr).toContain("cannot access path");
    const up = docker(d, ["run", "--rm", "--mount", "type=volume,src=sv,dst=/s,volume-subpath=../x", "busybox", "true"]);
    expect(up.stderr).toContain("subpath must be a relative path within the volume");
    expect(hostMounts(join(d.dataRoot, "volumes/sv"))).toEqual([]);
    ok(docker(d, ["volume", "rm", "sv"]));
  });

  it("--volumes-from shares another container's volumes, :ro makes them read-only", () => {
    ok(docker(d, ["create", "--name", "src", "-v", "vf:/vf", "busybox"]));
    ok(docker(d, ["run", "--rm", "--volumes-from", "src", "busybox", "sh", "-c", "echo from > /vf/x"]));
    const r = docker(d, ["run", "--rm", "--volumes-from", "src:ro", "busybox", "sh", "-c", "cat /vf/x; touch /vf/y"]);
    expect(r.stdout).toBe("from\n");
    expect(r.stderr).toMatch(/Read-only file system/);
    // Through the API: on any 404 from create the CLI goes on to pull the image.
    expect(api(d, "POST", "/containers/create", { Image: "busybox", HostConfig: { VolumesFrom: ["nosuch"] } })).toMatchObject({
      status: 404,
      body: { message: "No such container: nosuch" },
    });
    ok(docker(d, ["rm", "src"]));
  });

  it("validates mount specs with Docker's messages", () => {
    const err = (args: string[]) => {
      const r = docker(d, ["run", "--rm", ...args, "busybox", "true"]);
      expect(r.code, args.join(" ")).toBe(125);
      return r.stderr;
    };
    expect(err(["-v", "named:relative"])).toContain(
      `invalid volume specification: 'named:relative': invalid mount config for type "volume": invalid mount path: 'relative' mount path must be absolute`,
    );
    expect(err(["-v", "a:/x", "-v", "b:/x"])).toContain("Duplicate mount point: /x");
    expect(err(["-v", "a:/x", "--mount", "type=volume,source=b,target=/x"])).toContain("Duplicate mount point: /x");
    expect(err(["--mount", "type=volume,source=c,target=rel"])).toContain(
      `invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute`,
    );
    expect(err(["-v", "d:/x:bogus"])).toContain("invalid mode: bogus");
    // An identical duplicate is accepted.
    const id = ok(docker(d, ["create", "-v", "same:/x", "--mount", "type=volume,source=same,target=/y", "busybox"])).trim();
    ok(docker(d, ["rm", id]));
    // Failed creates made no volumes.
    expect(ok(docker(d, ["volume", "ls", "-q"])).split("\n")).not.toContain("a");
  });

  it("the volume API: create returns an existing volume, list filters, drivers, prune all", () => {
    const c1 = api(d, "POST", "/volumes/create", { Name: "api1", Labels: { team: "a" }, DriverOpts: {} });
    expect(c1.status).toBe(201);
    expect(c1.body).toMatchObject({ Name: "api1", Driver: "local", Labels: { team: "a" }, Options: {}, Scope: "local" });
    expect(api(d, "POST", "/volumes/create", { Name: "api1" }).body.CreatedAt).toBe(c1.body.CreatedAt);
    const anon = api(d, "POST", "/volumes/create", {});
    expect(anon.body.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(anon.body.Labels).toEqual({ "com.docker.volume.anonymous": "" });
    expect(api(d, "POST", "/volumes/create", { Name: "p", Driver: "nosuch" })).toMatchObject({
      status: 404,
      body: { message: 'error looking up volume plugin nosuch: plugin "nosuch" not found' },
    });
    const list = api(d, "GET", `/volumes?filters=${encodeURIComponent(JSON.stringify({ label: ["team=a"] }))}`);
    expect(list.body.Warnings).toBeNull();
    expect(list.body.Volumes.map((v: any) => v.Name)).toEqual(["api1"]);
    expect(api(d, "GET", `/volumes?filters=${encodeURIComponent(JSON.stringify({ name: ["pi1"] }))}`).body.Volumes.map((v: any) => v.Name)).toEqual(["api1"]);
    expect(api(d, "GET", `/volumes?filters=${encodeURIComponent(JSON.stringify({ driver: ["nosuch"] }))}`).body.Volumes).toEqual([]);
    expect(api(d, "GET", `/volumes?filters=${encodeURIComponent(JSON.stringify({ bogus: ["x"] }))}`).status).toBe(400);
    expect(api(d, "GET", "/volumes/nosuch")).toMatchObject({ status: 404, body: { message: "get nosuch: no such volume" } });
    expect(api(d, "DELETE", "/volumes/nosuch").status).toBe(404);
    expect(api(d, "DELETE", "/volumes/nosuch?force=1").status).toBe(204);
    const pruned = api(d, "POST", `/volumes/prune?filters=${encodeURIComponent(JSON.stringify({ all: ["true"], label: ["team=a"] }))}`);
    expect(pruned.body.VolumesDeleted).toEqual(["api1"]);
    expect(typeof pruned.body.SpaceReclaimed).toBe("number");
    expect(api(d, "DELETE", `/volumes/${anon.body.Name}`).status).toBe(204);
    // Clients of API < 1.42 prune named volumes too.
    api(d, "POST", "/volumes/create", { Name: "oldapi" });
    const old = spawnSync("curl", ["-s", "--unix-socket", d.sock, "-X", "POST", "http://x/v1.41/volumes/prune"], { encoding: "utf8" });
    expect(JSON.parse(old.stdout).VolumesDeleted).toContain("oldapi");
  });

  it("system df lists volumes with UsageData", () => {
    ok(docker(d, ["run", "--name", "dfuser", "-v", "dfvol:/d", "busybox", "sh", "-c", "printf 12345 > /d/f"]));
    const df = api(d, "GET", "/system/df").body;
    const v = df.Volumes.find((x: any) => x.Name === "dfvol");
    expect(v.UsageData).toEqual({ Size: 5, RefCount: 1 });
    expect(df.Containers.some((c: any) => c.Names[0] === "/dfuser")).toBe(true);
    expect(ok(docker(d, ["system", "df"]))).toMatch(/Local Volumes/);
    ok(docker(d, ["rm", "dfuser"]));
  });

  it("emits volume create, mount, unmount and destroy events", () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    ok(docker(d, ["run", "--rm", "-v", "evvol:/e", "busybox", "true"]));
    ok(docker(d, ["volume", "rm", "evvol"]));
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const ev = ok(docker(d, ["events", "--since", since, "--until", until, "--filter", "type=volume", "--format", "{{.Action}} {{.Actor.ID}}"]));
    expect(ev.split("\n").filter((l) => l.endsWith(" evvol"))).toEqual(["create evvol", "mount evvol", "unmount evvol", "destroy evvol"]);
  });

  it("a user mount on an image VOLUME path replaces the anonymous volume; an identical duplicate is accepted", () => {
    const id = ok(docker(d, ["create", "-v", "mine:/app/data", "wharf-fixture/multilayer:1.0"])).trim();
    const mounts = JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .Mounts}}", id])));
    expect(mounts).toEqual([
      { Type: "volume", Name: "mine", Source: join(d.dataRoot, "volumes/mine/_data"), Destination: "/app/data", Driver: "local", Mode: "z", RW: true, Propagation: "" },
    ]);
    ok(docker(d, ["rm", id]));
    const dup = api(d, "POST", "/containers/create", { Image: "busybox", HostConfig: { Binds: ["mine:/m", "mine:/m"] } });
    expect(dup.status).toBe(201);
    expect(api(d, "GET", `/containers/${dup.body.Id}/json`).body.Mounts).toHaveLength(1);
    expect(api(d, "DELETE", `/containers/${dup.body.Id}`).status).toBe(204);
  });

  it("bind propagation is set on the mount and shown in inspect; ps filters by volume", () => {
    const host = join(d.dir, "prop-src");
    mkdirSync(host);
    const out = ok(
      docker(d, ["run", "--name", "prop", "--mount", `type=bind,source=${host},target=/p,bind-propagation=rshared`, "-v", "pvol:/pv", "busybox", "grep", " /p ", "/proc/self/mountinfo"]),
    );
    expect(out).toMatch(/ shared:\d+/);
    const m = JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .Mounts}}", "prop"]))).find((x: any) => x.Destination === "/p");
    expect(m).toEqual({ Type: "bind", Source: host, Destination: "/p", Mode: "", RW: true, Propagation: "rshared" });
    expect(ok(docker(d, ["ps", "-a", "--filter", "volume=pvol", "--format", "{{.Names}}"]))).toBe("prop\n");
    expect(ok(docker(d, ["ps", "-a", "--filter", "volume=/pv", "--format", "{{.Names}}"]))).toBe("prop\n");
    expect(ok(docker(d, ["ps", "-a", "--filter", "volume=nosuchvol", "--format", "{{.Names}}"]))).toBe("");
    const bad = docker(d, ["run", "--rm", "--mount", `type=bind,source=${host},target=/p,bind-propagation=bogus`, "busybox", "true"]);
    expect(bad.code).not.toBe(0);
    ok(docker(d, ["rm", "prop"]));
  });

  it("a volume name with ../ cannot make wharf create, mount or delete anything outside", () => {
    const outside = join(d.dataRoot, "x");
    mkdirSync(outside);
    writeFileSync(join(outside, "precious"), "p");
    const msg = `create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
    const r = docker(d, ["volume", "create", "../x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(msg);
    expect(api(d, "POST", "/volumes/create", { Name: "../x" })).toMatchObject({ status: 400, body: { message: msg } });
    expect(api(d, "POST", "/volumes/create", { Name: "a/b" }).status).toBe(400);
    // The CLI makes `../x` absolute (`/…/x`), which is no volume name either.
    expect(docker(d, ["create", "--mount", "type=volume,source=../x,target=/d", "busybox"]).stderr).toMatch(
      /includes invalid characters for a local volume name/,
    );
    // The API takes Binds as given (the CLI would make `../x` an absolute path).
    expect(api(d, "POST", "/containers/create", { Image: "busybox", HostConfig: { Binds: ["../x:/d"] } })).toMatchObject({ status: 400, body: { message: msg } });
    expect(api(d, "DELETE", `/volumes/${encodeURIComponent("../x")}`).status).toBe(404);
    expect(api(d, "DELETE", `/volumes/${encodeURIComponent("../x")}?force=1`).status).toBe(204);
    expect(api(d, "GET", `/volumes/${encodeURIComponent("../x")}`).status).toBe(404);
    expect(readFileSync(join(outside, "precious"), "utf8")).toBe("p");
    expect(readdirSync(join(d.dataRoot, "volumes")).filter((n) => n === "x" || n.startsWith(".."))).toEqual([]);
  });

  it("a symlinked host bind source is resolved on the host and rm -v deletes nothing of it", () => {
    const real = join(d.dir, "real-dir");
    mkdirSync(real);
    writeFileSync(join(real, "keep"), "k");
    const link = join(d.dir, "link-to-real");
    symlinkSync(real, link);
    const id = ok(docker(d, ["create", "-v", `${link}:/h`, "busybox", "sh", "-c", "ls /h; echo new > /h/new"])).trim();
    ok(docker(d, ["start", "-a", id]));
    expect(readFileSync(join(real, "new"), "utf8")).toBe("new\n");
    const m = JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .Mounts}}", id])))[0];
    expect(m).toMatchObject({ Type: "bind", Source: link, Destination: "/h", RW: true, Propagation: "rprivate" });
    ok(docker(d, ["rm", "-v", id]));
    expect(readdirSync(real).sort()).toEqual(["keep", "new"]);
    expect(existsSync(link)).toBe(true);
    // A symlink to a file binds that file.
    writeFileSync(join(d.dir, "file-target"), "ft\n");
    symlinkSync(join(d.dir, "file-target"), join(d.dir, "file-link"));
    expect(ok(docker(d, ["run", "--rm", "-v", `${join(d.dir, "file-link")}:/f:ro`, "busybox", "cat", "/f"]))).toBe("ft\n");
  });

  it("a symlinked mount destination inside the image stays inside the rootfs", () => {
    // An image whose /escape and /rel point at a host directory by absolute and relative paths.
    const target = join(d.dir, "host-target");
    const target2 = join(d.dir, "host-target2");
    mkdirSync(target);
    mkdirSync(target2);
    const rootfs = extractBusybox(join(d.dir, "evil-rootfs"));
    symlinkSync(target, join(rootfs, "escape"));
    symlinkSync("../".repeat(12) + target2.slice(1), join(rootfs, "rel"));
    const tar = join(d.dir, "evil.tar");
    const t = spawnSync("tar", ["-cf", tar, "-C", rootfs, "."], { encoding: "utf8" });
    expect(t.status).toBe(0);
    ok(docker(d, ["import", tar, "evil:1"]));
    ok(docker(d, ["run", "--rm", "-v", "ev1:/escape", "--mount", "type=tmpfs,target=/rel", "evil:1", "sh", "-c", "echo in > /escape/f; echo in > /rel/g"]));
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(target2)).toEqual([]);
    expect(ok(docker(d, ["run", "--rm", "-v", "ev1:/d", "busybox", "cat", "/d/f"]))).toBe("in\n");
    const host = join(d.dir, "bind-src");
    mkdirSync(host);
    ok(docker(d, ["run", "--rm", "-v", `${host}:/escape/sub`, "evil:1", "true"]));
    expect(readdirSync(target)).toEqual([]);
    expect(hostMounts(target)).toEqual([]);
    expect(hostMounts(target2)).toEqual([]);
  });
});

describe("volumes across a daemon restart, and the wharf CLI", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    ok(docker(d, ["load", "-i", join(fixtures, "busybox-docker-save.tar")]));
  });
  afterAll(() => removeAllAndCleanup(d));

  it("volumes, their users and device mounts are rebuilt at start", async () => {
    ok(docker(d, ["run", "--name", "keeper", "-v", "kept:/k", "busybox", "sh", "-c", "echo still > /k/f"]));
    ok(docker(d, ["volume", "create", "--label", "a=b", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "dev"]));
    ok(docker(d, ["run", "-d", "--name", "devuser", "-v", "dev:/t", "busybox", "sleep", "300"]));
    const mp = join(d.dataRoot, "volumes/dev/_data");
    expect(hostMounts(mp)).toHaveLength(1);
    expect(await d.stop()).toBe(0);
    // The container outlives the daemon, and so does the device mount it uses.
    expect(hostMounts(mp)).toHaveLength(1);
    const d2 = await startDaemon(["--data-root", d.dataRoot, "--exec-root", d.execRoot], {});
    try {
      const again = (args: string[]) => docker(d2, args);
      expect(again(["volume", "inspect", "-f", "{{json .Labels}} {{json .Options}}", "dev"]).stdout).toBe('{"a":"b"} {"device":"tmpfs","o":"size=1m","type":"tmpfs"}\n');
      expect(again(["volume", "rm", "kept"]).stderr).toContain("volume is in use");
      expect(ok(again(["run", "--rm", "-v", "kept:/k", "busybox", "cat", "/k/f"]))).toBe("still\n");
      expect(again(["inspect", "-f", "{{.State.Running}}", "devuser"]).stdout).toBe("true\n");
      // A second user shares the same tmpfs.
      ok(again(["run", "--rm", "-v", "dev:/t", "busybox", "touch", "/t/shared"]));
      expect(readdirSync(mp)).toEqual(["shared"]);
      expect(hostMounts(mp)).toHaveLength(1);
      ok(again(["rm", "-f", "devuser", "keeper"]));
      expect(hostMounts(mp)).toEqual([]);
      expect(ok(again(["volume", "rm", "kept", "dev"]))).toBe("kept\ndev\n");
    } finally {
      await d2.stop();
      await d2.cleanup();
    }
  });
});

describe("the wharf volume CLI", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    if (d) await d.cleanup();
  });

  it("create, ls, inspect, rm and prune as docker prints them", () => {
    const w = (args: string[]) => wharf(["-H", d.host, ...args]);
    expect(ok(w(["volume", "create", "--label", "x=y", "-o", "type=tmpfs", "-o", "device=tmpfs", "one"]))).toBe("one\n");
    expect(ok(w(["volume", "create", "two"]))).toBe("two\n");
    const anon = ok(w(["volume", "create"])).trim();
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    expect(ok(w(["volume", "ls"]))).toBe(`DRIVER    VOLUME NAME\nlocal     ${anon}\nlocal     one\nlocal     two\n`);
    expect(ok(w(["volume", "ls", "-q", "--filter", "label=x=y"]))).toBe("one\n");
    expect(ok(w(["volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Labels}}", "--filter", "name=one"]))).toBe("one local x=y\n");
    expect(ok(w(["volume", "inspect", "-f", "{{.Name}} {{.Scope}} {{.Options.type}}", "one"]))).toBe("one local tmpfs\n");
    const bad = w(["volume", "inspect", "nosuch"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("get nosuch: no such volume");
    expect(ok(w(["volume", "prune", "-f"]))).toBe(`Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 0B\n`);
    expect(ok(w(["volume", "rm", "one"]))).toBe("one\n");
    expect(ok(w(["volume", "prune", "-f", "--all"]))).toBe("Deleted Volumes:\ntwo\n\nTotal reclaimed space: 0B\n");
    expect(w(["volume", "rm", "one"]).code).toBe(1);
    expect(ok(w(["volume", "rm", "-f", "one"]))).toBe("one\n");
  });
});

describe("copy-up under the vfs driver", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon(["--storage-driver", "vfs"]);
    ok(docker(d, ["load", "-i", join(fixtures, "multilayer-docker-save.tar")]));
  });
  afterAll(() => removeAllAndCleanup(d));

  it("fills a new volume from the image", () => {
    ok(docker(d, ["run", "--rm", "-v", "data:/app/data", "wharf-fixture/multilayer:1.0"]));
    expect(ok(docker(d, ["run", "--rm", "-v", "data:/d", "--entrypoint", "ls", "wharf-fixture/multilayer:1.0", "/d"]))).toBe("one.txt\n");
  });
});

describe("subpath staging", () => {
  it("refuses what the kernel reports as mounted from outside the volume", async () => {
    const { mountSubpath, unmountSubpath } = await import("../../src/volume/subpath.ts");
    const base = mkdtempSync(join(tmpdir(), "wharf-subpath-"));
    try {
      const data = join(base, "vol/_data");
      const outside = join(base, "outside");
      mkdirSync(join(data, "inner"), { recursive: true });
      mkdirSync(join(data, "sub"), { recursive: true });
      mkdirSync(outside);
      writeFileSync(join(outside, "secret"), "s");
      // What a swap between resolve and mount would leave: `sub` showing another place.
      expect(spawnSync("mount", ["--bind", outside, join(data, "sub")]).status).toBe(0);
      const stage = join(base, "vol/subpaths/c-0");
      expect(() => mountSubpath(data, "sub", stage)).toThrow("does not resolve to a path inside the volume");
      expect(existsSync(stage)).toBe(false);
      expect(mountSubpath(data, "inner", stage)).toBe(stage);
      unmountSubpath(stage);
      expect(existsSync(stage)).toBe(false);
    } finally {
      spawnSync("umount", ["-l", join(base, "vol/_data/sub")]);
      rmSync(base, { recursive: true, force: true });
    }
  });
});
