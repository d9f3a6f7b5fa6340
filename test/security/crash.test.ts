// Crash and fault safety. SIGKILL of the daemon at 50 random points of a mixed
// workload (create, start, exec, commit, rm, load, volume create/rm, network connect):
// after each restart every object the client saw made exists and works, nothing is
// half-made, no container is frozen unless paused; at the end nothing leaked. Plus
// the single faults: a container left frozen by a cut-short commit, a storage driver
// that stops working, graph.db shrinking, SIGTERM to the monitor, and health checks
// going on in the daemon after a SIGKILLed one.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { docker, dockerCli, loadBusybox, readPid, removeAllAndCleanup, root, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

const busyboxTar = resolve(root, "test/fixtures/busybox-docker-save.tar");
const cgroupParent = (dataRoot: string) => `wharf-${createHash("sha256").update(dataRoot).digest("hex").slice(0, 12)}`;

function freezerState(dataRoot: string, id: string): string | undefined {
  const f = `/sys/fs/cgroup/freezer/${cgroupParent(dataRoot)}/${id}/freezer.state`;
  return existsSync(f) ? readFileSync(f, "utf8").trim() : undefined;
}

/** Pids whose command line mentions `path`. */
function procsWith(path: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, "utf8").includes(path)) out.push(Number(e));
    } catch {}
  }
  return out;
}

/** The docker CLI without blocking this thread (the daemon is killed meanwhile). */
function dockerAsync(d: TestDaemon, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(dockerCli(), args, { env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") } });
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.on("error", () => resolve({ code: -1, stdout: out }));
    p.on("exit", (code) => resolve({ code, stdout: out }));
  });
}

/** A daemon on `base`'s data and exec roots, as after a crash. */
const restart = (base: TestDaemon) => startDaemon(["--data-root", base.dataRoot, "--exec-root", base.execRoot]);

/** A killed daemon's own temp dir (socket, output); its roots are `base`'s. */
function forget(d: TestDaemon): void {
  if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill("SIGKILL");
  rmSync(d.dir, { recursive: true, force: true });
}

/** The daemon's API over its socket (the checks: far cheaper than a CLI run each). */
async function api<T>(d: TestDaemon, path: string, method = "GET", body?: unknown): Promise<{ status: number; json: T }> {
  const r = await fetch(`http://localhost${path}`, {
    method,
    unix: d.sock,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  } as RequestInit);
  const text = await r.text();
  return { status: r.status, json: (text ? JSON.parse(text) : undefined) as T };
}

interface Inspected {
  Id: string;
  State: { Running: boolean; Paused: boolean; Status: string };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

const bridgesOwnedBy = (dataRoot: string): string[] => {
  const links = spawnSync("ip", ["-j", "link", "show", "type", "bridge"], { encoding: "utf8" }).stdout || "[]";
  return (JSON.parse(links) as { ifname: string; ifalias?: string }[]).filter((l) => l.ifalias === `wharf:${dataRoot}`).map((l) => l.ifname);
};

describe("SIGKILL at 50 random points of a mixed workload", () => {
  let base: TestDaemon;
  let live: TestDaemon;

  beforeAll(async () => {
    base = await startDaemon();
    live = base;
    loadBusybox(base);
    expect(docker(base, ["network", "create", "crashnet"]).code).toBe(0);
  });
  afterAll(async () => {
    if (live !== base) {
      await removeAllAndCleanup(live).catch(() => {});
      await base.cleanup();
    } else await removeAllAndCleanup(base);
  });

  test("every object the client saw made survives and works; nothing half-made, frozen or leaked", async () => {
    const seen = { containers: new Set<string>(), volumes: new Set<string>(), images: new Set<string>() };
    // Asked to go, with the answer lost to the kill: gone or kept are both right.
    const removing = { containers: new Set<string>(), volumes: new Set<string>() };
    // Containers the client saw connected to crashnet: they stay on it.
    const connected = new Set<string>();
    let n = 0;
    const pick = <T,>(xs: Iterable<T>): T | undefined => {
      const a = [...xs];
      return a[Math.floor(Math.random() * a.length)];
    };
    const ops: (() => Promise<void>)[] = [
      async () => {
        const r = await dockerAsync(live, ["create", "busybox", "sleep", "300"]);
        if (r.code === 0) seen.containers.add(r.stdout.trim());
      },
      async () => {
        // A published port: DNAT rules and chains to leak if teardown were lost.
        const r = await dockerAsync(live, ["run", "-d", "-p", "127.0.0.1::80", "busybox", "sleep", "300"]);
        if (r.code === 0) seen.containers.add(r.stdout.trim());
      },
      async () => {
        const c = pick(seen.containers);
        if (c) await dockerAsync(live, ["start", c]);
      },
      async () => {
        const c = pick(seen.containers);
        if (c) await dockerAsync(live, ["exec", c, "true"]);
      },
      async () => {
        const c = pick(seen.containers);
        if (!c) return;
        const r = await dockerAsync(live, ["commit", c, `crash/img:${n++}`]);
        if (r.code === 0) seen.images.add(r.stdout.trim());
      },
      async () => {
        const c = pick(seen.containers);
        if (!c) return;
        removing.containers.add(c);
        const r = await dockerAsync(live, ["rm", "-f", c]);
        if (r.code === 0) seen.containers.delete(c);
      },
      async () => {
        await dockerAsync(live, ["load", "-i", busyboxTar]);
      },
      async () => {
        const name = `crashvol${n++}`;
        const r = await dockerAsync(live, ["volume", "create", name]);
        if (r.code === 0) seen.volumes.add(name);
      },
      async () => {
        const v = pick(seen.volumes);
        if (!v) return;
        removing.volumes.add(v);
        const r = await dockerAsync(live, ["volume", "rm", v]);
        if (r.code === 0) seen.volumes.delete(v);
      },
      async () => {
        const c = pick(seen.containers);
        if (!c) return;
        const r = await dockerAsync(live, ["network", "connect", "crashnet", c]);
        if (r.code === 0) connected.add(c);
      },
    ];
    const t0 = Date.now();
    let opsRun = 0;
    for (let point = 0; point < 50; point++) {
      // A burst of operations, two at a time, cut by SIGKILL after 20-300 ms.
      const killAt = 20 + Math.random() * 280;
      let killed = false;
      const runner = async () => {
        while (!killed) {
          await pick(ops)!();
          opsRun++;
        }
      };
      const runners = [runner(), runner()];
      await Bun.sleep(killAt);
      killed = true;
      const dead = new Promise((r) => (live.proc.exitCode !== null || live.proc.signalCode !== null ? r(0) : live.proc.once("exit", r)));
      live.proc.kill("SIGKILL");
      await Promise.all([...runners, dead]);
      if (live !== base) forget(live);
      live = await restart(base);

      const where = `after kill ${point + 1} at ${killAt.toFixed(0)} ms`;
      for (const c of [...seen.containers]) {
        const r = await api<Inspected>(live, `/containers/${c}/json`);
        if (r.status === 404 && removing.containers.has(c)) {
          seen.containers.delete(c);
          continue;
        }
        expect(r.status, `${where}: container ${c} the client saw made is gone`).toBe(200);
        const { Running, Paused } = r.json.State;
        if (connected.has(c)) {
          const nets = r.json.NetworkSettings.Networks ?? {};
          expect(Object.keys(nets), `${where}: ${c} was connected to crashnet`).toContain("crashnet");
          if (Running) expect(nets.crashnet?.IPAddress, `${where}: running ${c} has no address on crashnet`).toBeTruthy();
        }
        if (!Paused) expect(freezerState(base.dataRoot, c) ?? "THAWED", `${where}: ${c} is frozen but not paused (running ${Running})`).toBe("THAWED");
      }
      const listed = (await api<{ Id: string }[]>(live, "/containers/json?all=1")).json;
      for (const { Id } of listed) expect((await api(live, `/containers/${Id}/json`)).status, `${where}: container ${Id} is listed but half-made`).toBe(200);
      for (const v of [...seen.volumes]) {
        const r = await api(live, `/volumes/${v}`);
        if (r.status === 404 && removing.volumes.has(v)) {
          seen.volumes.delete(v);
          continue;
        }
        expect(r.status, `${where}: volume ${v} the client saw made is gone`).toBe(200);
      }
      for (const i of seen.images) expect((await api(live, `/images/${i}/json`)).status, `${where}: image ${i}`).toBe(200);
      for (const { Id } of (await api<{ Id: string }[]>(live, "/images/json")).json) {
        expect((await api(live, `/images/${Id}/json`)).status, `${where}: image ${Id} is listed but half-made`).toBe(200);
      }
      // Bounded: keep the number of containers small.
      if (listed.length > 6) {
        const old = listed.slice(3).map((c) => c.Id);
        expect(docker(live, ["rm", "-f", ...old]).code).toBe(0);
        for (const id of old) seen.containers.delete(id);
      }
    }
    // What survived works: a running one execs, a created or stopped one starts, a
    // committed image runs, a volume mounts and keeps a file.
    for (const c of seen.containers) {
      const r = await api<Inspected>(live, `/containers/${c}/json`);
      if (r.json.State.Running) expect(docker(live, ["exec", c, "true"]).code, `exec in ${c}`).toBe(0);
      else expect(docker(live, ["start", c]).code, `start ${c}`).toBe(0);
    }
    for (const i of [...seen.images].slice(0, 3)) expect(docker(live, ["run", "--rm", i, "true"]).code, `run ${i}`).toBe(0);
    for (const v of [...seen.volumes].slice(0, 3)) {
      const r = docker(live, ["run", "--rm", "--network", "none", "-v", `${v}:/v`, "busybox", "sh", "-c", "echo ok > /v/f && cat /v/f"]);
      expect(r.stdout.trim(), `volume ${v} in a container: ${r.stderr}`).toBe("ok");
    }
    const took = (Date.now() - t0) / 1000;
    console.log(`50 kill points in ${took.toFixed(1)} s, ${opsRun} operations: ${seen.containers.size} containers, ${seen.images.size} images, ${seen.volumes.size} volumes kept, ${connected.size} connections to crashnet seen`);

    // Leaks: with everything removed and the daemon stopped, nothing of it is left.
    const ids = docker(live, ["ps", "-aq"]).stdout.split("\n").filter(Boolean);
    if (ids.length) expect(docker(live, ["rm", "-f", ...ids]).code).toBe(0);
    expect(docker(live, ["network", "rm", "crashnet"]).code).toBe(0);
    const monitorPid = (() => {
      try {
        return readPid(join(base.execRoot, "rt", "monitor.pid"));
      } catch {
        return undefined;
      }
    })();
    expect(await live.stop()).toBe(0);
    const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n");
    expect(mounts.filter((l) => l.includes(base.dataRoot)), "mounts left under the data root").toEqual([]);
    expect(mounts.filter((l) => l.includes(base.execRoot)), "mounts left under the exec root").toEqual([]);
    const veths = spawnSync("ip", ["-o", "link", "show", "master", base.bridge], { encoding: "utf8" }).stdout.trim();
    expect(veths, "veths left on the bridge").toBe("");
    expect(bridgesOwnedBy(base.dataRoot), "bridges left").toEqual([]);
    const rules = ["filter", "nat"].map((t) => spawnSync("iptables-save", ["-t", t], { encoding: "utf8" }).stdout).join("");
    expect(rules.split("\n").filter((l) => l.includes(base.bridge)), "iptables chains or rules left").toEqual([]);
    const cg = ["memory", "pids", "freezer", "unified"].flatMap((c) => {
      const dir = `/sys/fs/cgroup/${c}/${cgroupParent(base.dataRoot)}`;
      return existsSync(dir) ? readdirSync(dir).filter((e) => statSync(join(dir, e)).isDirectory()).map((e) => `${c}/${e}`) : [];
    });
    expect(cg, "container cgroups left").toEqual([]);
    await Bun.sleep(1500);
    expect(procsWith(join(base.execRoot, "rt")), `processes of this exec root left (monitor ${monitorPid ?? "?"})`).toEqual([]);
    expect(procsWith(base.dataRoot), "processes of this data root left").toEqual([]);
  }, 240_000);
});

describe("single faults", () => {
  let first: TestDaemon; // owns the data and exec roots
  let d: TestDaemon; // the one running now
  beforeAll(async () => {
    first = d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
    if (d !== first) await first.cleanup();
  });
  const again = async () => {
    if (d !== first) forget(d);
    d = await restart(first);
  };

  test("a container left frozen by a commit the daemon died in is thawed at restart", async () => {
    const id = docker(d, ["run", "-d", "busybox", "sleep", "300"]).stdout.trim();
    const f = `/sys/fs/cgroup/freezer/${cgroupParent(first.dataRoot)}/${id}/freezer.state`;
    writeFileSync(f, "FROZEN"); // where a commit stands while it copies the rw layer
    await d.stop("SIGKILL");
    const d2 = await restart(first);
    try {
      expect(readFileSync(f, "utf8").trim()).toBe("THAWED");
      expect(docker(d2, ["inspect", "-f", "{{.State.Status}}", id]).stdout.trim()).toBe("running");
      expect(docker(d2, ["exec", id, "echo", "alive"]).stdout.trim()).toBe("alive");
      // A real pause survives a restart as a pause.
      expect(docker(d2, ["pause", id]).code).toBe(0);
      await d2.stop("SIGKILL");
      const d3 = await restart(first);
      try {
        expect(readFileSync(f, "utf8").trim()).toBe("FROZEN");
        expect(docker(d3, ["inspect", "-f", "{{.State.Status}}", id]).stdout.trim()).toBe("paused");
        expect(docker(d3, ["unpause", id]).code).toBe(0);
        docker(d3, ["rm", "-f", id]);
        await d3.stop();
      } finally {
        forget(d3);
      }
    } finally {
      forget(d2);
    }
    await again();
  });

  test("the storage driver is recorded; when it cannot be used later, start fails saying so, and images come back once it can", async () => {
    expect(JSON.parse(readFileSync(join(first.dataRoot, "storage-driver.json"), "utf8"))).toEqual({ driver: "overlay2" });
    await d.stop();
    // overlay2 made unusable: its directory read-only, so the probe cannot mount.
    const home = join(first.dataRoot, "overlay2");
    expect(spawnSync("mount", ["--bind", home, home]).status).toBe(0);
    expect(spawnSync("mount", ["-o", "remount,bind,ro", home]).status).toBe(0);
    let broken: TestDaemon | undefined;
    try {
      broken = await startDaemon(["--data-root", first.dataRoot, "--exec-root", first.execRoot], { wait: false });
      const code = await new Promise<number | null>((r) => broken!.proc.on("exit", (c) => r(c)));
      expect(code).toBe(1);
      expect(broken.output()).toContain("the storage driver of");
      expect(broken.output()).toContain("is overlay2");
      expect(existsSync(join(first.dataRoot, "vfs", "layers"))).toBe(false);
    } finally {
      spawnSync("umount", [home]);
      if (broken) forget(broken);
    }
    await again();
    expect(docker(d, ["image", "inspect", "busybox"]).code).toBe(0);
  });

  test("graph.db shrinks when a big record goes", async () => {
    const db = join(first.dataRoot, "graph.db");
    expect(existsSync(db)).toBe(true);
    const label = "x".repeat(20 * 1024 * 1024);
    const body = JSON.stringify({ Image: "busybox", Labels: { big: label } });
    const r = spawnSync("curl", ["-s", "--unix-socket", d.sock, "-H", "Content-Type: application/json", "--data-binary", "@-", "http://x/containers/create"], { input: body, encoding: "utf8", maxBuffer: 1 << 26 });
    const id = JSON.parse(r.stdout).Id as string;
    const size = () => statSync(db).size + (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0);
    const grown = size();
    expect(docker(d, ["rm", id]).code).toBe(0);
    await d.stop(); // checkpoints the WAL
    const after = statSync(db).size;
    console.log(`graph.db with the record ${grown} bytes, after rm ${after}`);
    expect(grown).toBeGreaterThan(20 * 1024 * 1024);
    expect(after).toBeLessThan(2 * 1024 * 1024);
    await again();
  });

  test("SIGTERM ends an idle monitor, and its pre-started dockerinit", async () => {
    const c = docker(d, ["run", "--rm", "busybox", "true"]);
    expect(c.code).toBe(0);
    const find = () => procsWith(join(first.execRoot, "rt"));
    const before = find();
    expect(before.length).toBeGreaterThan(0);
    const argsOf = (p: number) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
      } catch {
        return [];
      }
    };
    const monitor = before.find((p) => argsOf(p)[1] === join(first.execRoot, "rt"));
    expect(monitor).toBeDefined();
    process.kill(monitor!, "SIGTERM");
    for (let i = 0; i < 50 && find().length; i++) await Bun.sleep(100);
    expect(find()).toEqual([]);
    // The daemon starts a new one for the next container.
    expect(docker(d, ["run", "--rm", "busybox", "echo", "again"]).stdout.trim()).toBe("again");
  });

  test("health checks resume after a daemon restart: a probe that starts failing then makes it unhealthy, and healthy again", async () => {
    type Health = { Status: string; FailingStreak: number; Log: { Start: string; ExitCode: number }[] };
    const healthOf = (name: string): Health => JSON.parse(docker(d, ["inspect", "-f", "{{json .State.Health}}", name]).stdout);
    const until = async (name: string, pred: (h: Health) => boolean, what: string) => {
      for (let i = 0; i < 100; i++) {
        const h = healthOf(name);
        if (pred(h)) return h;
        await Bun.sleep(100);
      }
      throw new Error(`${name}: never ${what}: ${JSON.stringify(healthOf(name))}`);
    };
    const run = docker(d, ["run", "-d", "--name", "hc-crash", "--network", "none", "--health-cmd", "cat /tmp/ok", "--health-interval", "200ms", "--health-retries", "2", "busybox", "sh", "-c", "touch /tmp/ok; exec sleep 300"]);
    expect(run.code, run.stderr).toBe(0);
    await until("hc-crash", (h) => h.Status === "healthy", "healthy");
    // SIGKILL: the daemon gets no chance to hand anything over; the container runs on.
    await d.stop("SIGKILL");
    await again();
    const last = healthOf("hc-crash").Log.at(-1)!.Start;
    expect(docker(d, ["exec", "hc-crash", "rm", "/tmp/ok"]).code).toBe(0);
    const bad = await until("hc-crash", (h) => h.Status === "unhealthy", "unhealthy after the restart");
    expect(bad.Log.at(-1)!.Start > last, "the failing probes ran in the new daemon").toBe(true);
    expect(bad.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(docker(d, ["exec", "hc-crash", "touch", "/tmp/ok"]).code).toBe(0);
    await until("hc-crash", (h) => h.Status === "healthy" && h.FailingStreak === 0, "healthy again");
    expect(docker(d, ["rm", "-f", "hc-crash"]).code).toBe(0);
  });
});
