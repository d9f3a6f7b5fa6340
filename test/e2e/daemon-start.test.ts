// Start and stop that cannot leak: SIGTERM at any moment between exec and "ready" leaves
// no bridge, chain, mount, socket or process; a start that fails undoes itself and says why.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { docker, freeSubnet, loadBusybox, removeNetworking, requireBinary, startDaemon, unmountUnder, wharfBin } from "../helpers/daemon.ts";

interface Run {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

function launch(dir: string, bridge: string, bip: string, extra: string[] = []): Run {
  const t0 = performance.now();
  const proc = spawn(
    wharfBin,
    ["-d", "-H", `unix://${join(dir, "wharf.sock")}`, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), "--bridge", bridge, "--bip", bip, ...extra],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((r) =>
    proc.on("exit", (code, signal) => r({ code, signal, ms: performance.now() - t0 })),
  );
  return { proc, output: () => out, exited };
}

/** What a daemon under `dir` with default bridge `bridge` could have left on the host. */
function leftovers(dir: string, bridge: string): string[] {
  const found: string[] = [];
  const links = JSON.parse(spawnSync("ip", ["-j", "link", "show"], { encoding: "utf8" }).stdout || "[]") as { ifname: string; ifalias?: string }[];
  for (const l of links) if (l.ifname === bridge || l.ifalias === `wharf:${join(dir, "data")}`) found.push(`link ${l.ifname}`);
  const rules = spawnSync("iptables-save", [], { encoding: "utf8" }).stdout;
  for (const line of rules.split("\n")) if (line.includes(`-${bridge}`)) found.push(`iptables ${line}`);
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const mp = line.split(" ")[4];
    if (mp && (mp === dir || mp.startsWith(dir + "/"))) found.push(`mount ${mp}`);
  }
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmd = "";
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    if (cmd.includes(dir + "/")) found.push(`process ${pid}: ${cmd}`);
  }
  if (existsSync(join(dir, "wharf.sock"))) found.push("socket wharf.sock");
  if (existsSync(join(dir, "exec", "wharf.pid"))) found.push("pidfile");
  return found;
}

describe("daemon start and stop", () => {
  let dir: string;
  const bridge = `wts${randomBytes(3).toString("hex")}`;
  let bip: string;

  beforeAll(() => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), "wharf-start-"));
    bip = freeSubnet(2);
  });

  afterAll(() => {
    unmountUnder(dir);
    removeNetworking(join(dir, "data"), bridge);
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGTERM at 20 points (and SIGINT at 5) between exec and ready leaves no bridge, chain, mount or process", async () => {
    // How long this machine takes from exec to "ready", on this data root.
    const probe = launch(dir, bridge, bip);
    const deadline = Date.now() + 20_000;
    const t0 = performance.now();
    while (!probe.output().includes("daemon ready") && Date.now() < deadline && probe.proc.exitCode === null) await Bun.sleep(2);
    const readyMs = performance.now() - t0;
    expect(probe.output()).toContain("daemon ready");
    probe.proc.kill("SIGTERM");
    expect((await probe.exited).code).toBe(0);
    expect(leftovers(dir, bridge)).toEqual([]);

    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const delay = (readyMs * i) / 19;
      const run = launch(dir, bridge, bip);
      await Bun.sleep(delay);
      run.proc.kill("SIGTERM");
      const end = await run.exited;
      const out = run.output();
      const ready = out.includes("daemon ready");
      outcomes.push(`${delay.toFixed(0)}ms:${ready ? "ready" : end.signal ?? end.code}`);
      // Ready means a full stop (exit 0); before that the start is undone (128+15), or
      // the signal came before the handlers were installed, when nothing was made yet.
      if (ready) expect(end.code, out).toBe(0);
      else if (end.signal === null) {
        expect(end.code, out).toBe(143);
        expect(out).toContain("wharf daemon: start interrupted by SIGTERM");
      } else expect(end.signal).toBe("SIGTERM");
      expect(out).not.toMatch(/received SIGTERM[\s\S]*daemon ready/);
      expect(leftovers(dir, bridge), `after SIGTERM at ${delay.toFixed(0)} ms:\n${out}`).toEqual([]);
    }
    // The points must really fall inside the start, not all before or after it.
    expect(outcomes.filter((o) => o.endsWith(":143")).length, outcomes.join(" ")).toBeGreaterThan(0);

    // SIGINT (ctrl-c in a terminal) the same way, at 5 points inside the start.
    for (let i = 1; i <= 5; i++) {
      const delay = (readyMs * i) / 6;
      const run = launch(dir, bridge, bip);
      await Bun.sleep(delay);
      run.proc.kill("SIGINT");
      const end = await run.exited;
      const out = run.output();
      if (out.includes("daemon ready")) expect(end.code, out).toBe(0);
      else if (end.signal === null) {
        expect(end.code, out).toBe(130);
        expect(out).toContain("wharf daemon: start interrupted by SIGINT");
      } else expect(end.signal).toBe("SIGINT");
      expect(leftovers(dir, bridge), `after SIGINT at ${delay.toFixed(0)} ms:\n${out}`).toEqual([]);
    }
  }, 300_000);

  it("without live-restore, a stopping daemon stops its containers within shutdown-timeout and leaves nothing", async () => {
    const d = await startDaemon(["--live-restore=false", "--shutdown-timeout", "1"]);
    try {
      loadBusybox(d);
      // PID 1 ignores SIGTERM: only the kill after shutdown-timeout ends it.
      const r = docker(d, ["run", "-d", "--name", "sleeper", "busybox", "sleep", "300"]);
      expect(r.code, r.stderr).toBe(0);
      const pid = Number(docker(d, ["inspect", "-f", "{{.State.Pid}}", "sleeper"]).stdout.trim());
      expect(pid).toBeGreaterThan(0);
      const parent = `wharf-${createHash("sha256").update(d.dataRoot).digest("hex").slice(0, 12)}`;
      const cg = existsSync("/sys/fs/cgroup/cgroup.controllers") ? [`/sys/fs/cgroup/${parent}`] : readdirSync("/sys/fs/cgroup").map((c) => `/sys/fs/cgroup/${c}/${parent}`);
      expect(cg.some((p) => existsSync(p))).toBe(true);
      expect(await d.stop("SIGTERM"), d.output()).toBe(0);
      expect(existsSync(`/proc/${pid}`)).toBe(false);
      expect(leftovers(d.dir, d.bridge)).toEqual([]);
      // The containers' cgroup parent went with the monitor.
      expect(cg.filter((p) => existsSync(p))).toEqual([]);
    } finally {
      await d.cleanup();
    }
  }, 60_000);

  it("a start that fails on a bridge held by another data root exits non-zero within 1 s naming it", async () => {
    const held = `wth${randomBytes(3).toString("hex")}`;
    const other = "/var/lib/some-other-wharf";
    spawnSync("ip", ["link", "add", held, "type", "bridge"]);
    spawnSync("ip", ["link", "set", "dev", held, "alias", `wharf:${other}`]);
    try {
      const run = launch(dir, held, bip);
      const end = await run.exited;
      const out = run.output();
      expect(end.code, out).toBe(1);
      expect(end.ms, out).toBeLessThan(1000);
      const lines = out.split("\n").filter((l) => l.startsWith("wharf daemon:"));
      expect(lines).toEqual([`wharf daemon: failed to start: bridge ${held} already exists and is not this daemon's (owned by wharf:${other}): choose another name with --bridge`]);
      // Its own chains, mounts and socket are gone; the other's bridge is untouched.
      expect(leftovers(dir, bridge)).toEqual([]);
      expect(spawnSync("iptables-save", [], { encoding: "utf8" }).stdout).not.toContain(`-${held}`);
      expect(spawnSync("ip", ["link", "show", held]).status).toBe(0);
    } finally {
      spawnSync("ip", ["link", "del", held]);
    }
  }, 30_000);
});
