// Crash and fault safety. SIGKILL of the daemon at 50 random points of a mixed
// workload (create, start, exec, commit, rm, load, volume create/rm, network connect):
// after each restart every object the client saw made exists and works, nothing is
// half-made, no container is frozen unless paused; at the end nothing leaked. Plus
// the single faults: a container left frozen by a cut-short commit, a storage driver
// that stops working, graph.db shrinking, and SIGTERM to the monitor.
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

// The 50-point SIGKILL workload test is not here yet: its run left one mount under the
// data root, not yet found (see the closing note of the session that wrote it).

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
});
