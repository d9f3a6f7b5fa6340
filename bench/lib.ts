// Helpers for benchmarks: a daemon on its own temp dirs, timing, medians.
import { mkdtempSync, rmSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { removeNetworking } from "../test/helpers/daemon.ts";

export const root = resolve(import.meta.dir, "..");
export const wharfBin = join(root, "dist/wharf");

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export interface BenchDaemon {
  /** The daemon's own process, and the temporary directory that holds all it made. */
  pid: number;
  dir: string;
  sock: string;
  host: string;
  dataRoot: string;
  execRoot: string;
  stop(): Promise<void>;
  /** Stops the daemon (its containers stay in the data root) and starts it again; ms from spawn to the first answered `/_ping`. */
  restart(): Promise<number>;
}

/** Polls `/_ping` on a unix socket until it answers 200; ms since `t0`, or throws after `ms`. */
export async function firstAnswer(sock: string, t0: number, ms = 30_000): Promise<number> {
  for (;;) {
    try {
      const r = await fetch("http://docker/_ping", { unix: sock });
      if (r.ok) return (await r.text(), performance.now() - t0);
    } catch {}
    if (performance.now() - t0 > ms) throw new Error(`${sock}: no answer to /_ping within ${ms} ms`);
    await Bun.sleep(2);
  }
}

/** Unmounts whatever a stopped daemon left mounted under `dir` (deepest first), then removes it. */
function removeDir(dir: string): void {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4] ?? "");
  for (const m of mounts.filter((m) => m.startsWith(dir + "/")).sort((a, b) => b.length - a.length)) {
    Bun.spawnSync(["umount", "-l", m]);
  }
  rmSync(dir, { recursive: true, force: true });
}

export async function startWharf(extra: string[] = []): Promise<BenchDaemon> {
  if (!existsSync(wharfBin)) throw new Error("dist/wharf is missing: run npm run build");
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-"));
  const sock = join(dir, "wharf.sock");
  // Every daemon gets its own bridge and subnet, so benches run beside test daemons.
  const bridge = extra.includes("--bridge") ? extra[extra.indexOf("--bridge") + 1]! : `wb${Math.random().toString(16).slice(2, 10)}`;
  const net = extra.includes("--bridge") ? [] : ["--bridge", bridge, "--bip", `10.215.${Math.floor(Math.random() * 256)}.1/24`];
  const argv = [wharfBin, "-d", "-H", `unix://${sock}`, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), ...net, ...extra];
  const spawn = () => Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" });
  let proc = spawn();
  await firstAnswer(sock, performance.now()).catch(async (err) => {
    proc.kill("SIGKILL");
    await proc.exited;
    removeDir(dir);
    throw new Error(`wharf daemon did not start: ${err.message}`);
  });
  const halt = async () => {
    proc.kill("SIGTERM");
    await proc.exited;
  };
  const d: BenchDaemon = {
    pid: proc.pid,
    dir,
    sock,
    host: `unix://${sock}`,
    dataRoot: join(dir, "data"),
    execRoot: join(dir, "exec"),
    async stop() {
      // Live containers outlive a stopping daemon (live restore): they go first.
      const ids = docker(d.host, ["ps", "-aq"]).stdout.split("\n").filter(Boolean);
      if (ids.length) docker(d.host, ["rm", "-f", "-v", ...ids]);
      await halt();
      // The daemon leaves its shared layer-store mount, its bridge and its chains, as dockerd leaves docker0.
      removeDir(dir);
      removeNetworking(join(dir, "data"), bridge);
    },
    async restart() {
      await halt();
      const t0 = performance.now();
      proc = spawn();
      d.pid = proc.pid;
      return firstAnswer(sock, t0);
    },
  };
  return d;
}

export function docker(host: string, args: string[], input?: string) {
  const r = Bun.spawnSync(["docker", ...args], {
    env: { ...process.env, DOCKER_HOST: host },
    stdin: input === undefined ? "ignore" : Buffer.from(input),
  });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/**
 * A real Docker daemon for side-by-side figures, on its own socket, data root and exec
 * root under a temporary directory. It is started without iptables, IP forwarding,
 * masquerading or a bridge, so it leaves the host's firewall and links alone, and it
 * is stopped (and its mounts removed) by stop(). Installs docker.io when dockerd is
 * missing, as .ci/run does (with package scripts kept from starting one). Returns
 * undefined, saying why, when no dockerd can run here.
 */
export async function startDockerd(opts: { bridge?: boolean; userlandProxy?: boolean } = {}): Promise<(BenchDaemon & { version: string }) | undefined> {
  const which = () => Bun.spawnSync(["sh", "-c", "command -v dockerd"]).exitCode === 0;
  if (!which()) {
    console.log("installing docker.io for a side-by-side dockerd");
    const r = Bun.spawnSync([
      "sh",
      "-c",
      "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; " +
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null; rc=$?; rm -f /usr/sbin/policy-rc.d; exit $rc",
    ], { stdout: "ignore", stderr: "pipe" });
    if (r.exitCode !== 0 || !which()) {
      console.log(`Docker: docker.io could not be installed (${r.stderr.toString().trim().split("\n").pop()}); no side-by-side figures`);
      return undefined;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-dockerd-"));
  const sock = join(dir, "docker.sock");
  // Its containers' cgroups go under a parent of this run's own, removed by stop().
  const cgroupParent = dir.split("/").pop()!;
  // Where a row needs networking it gets a bridge of its own (made here, so dockerd never
  // touches a name or subnet someone else holds); without iptables it adds no NAT.
  const bridge = opts.bridge ? ownBridge() : undefined;
  const argv = [
    "dockerd", "-H", `unix://${sock}`, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"),
    "--pidfile", join(dir, "docker.pid"), "--iptables=false", "--ip6tables=false", "--ip-forward=false",
    "--ip-masq=false", `--bridge=${bridge?.name ?? "none"}`, `--userland-proxy=${opts.userlandProxy ? "true" : "false"}`,
    "--cgroup-parent", cgroupParent,
  ];
  const spawn = () => Bun.spawn(argv, { stdout: "ignore", stderr: Bun.file(join(dir, "dockerd.log")) });
  let proc = spawn();
  const host = `unix://${sock}`;
  let version = "";
  for (let i = 0; i < 200 && !version; i++) {
    await Bun.sleep(50);
    if (!existsSync(sock)) continue;
    const v = docker(host, ["version", "--format", "{{.Server.Version}}"]);
    if (v.code === 0) version = v.stdout.trim();
  }
  const halt = async () => {
    proc.kill("SIGTERM");
    await Promise.race([proc.exited, Bun.sleep(20_000)]);
    if (proc.exitCode === null) proc.kill("SIGKILL");
    await proc.exited;
  };
  const stop = async () => {
    // Containers go first: a dockerd stopping with live ones waits on each.
    const ids = docker(host, ["ps", "-aq"]).stdout.split("\n").filter(Boolean);
    if (ids.length) docker(host, ["rm", "-f", ...ids]);
    await halt();
    // Its containerd (and any shim) must not outlive it.
    Bun.spawnSync(["pkill", "-KILL", "-f", dir]);
    removeDir(dir);
    Bun.spawnSync(["sh", "-c", `for d in /sys/fs/cgroup/*/${cgroupParent} /sys/fs/cgroup/${cgroupParent}; do [ -d "$d" ] && rmdir "$d"; done; true`]);
    bridge?.remove();
  };
  const restart = async () => {
    await halt();
    // dockerd's own containerd goes down with it; wait until it has, as a restart would.
    for (let i = 0; i < 100 && Bun.spawnSync(["pgrep", "-f", join(dir, "exec")]).exitCode === 0; i++) await Bun.sleep(50);
    const t0 = performance.now();
    proc = spawn();
    d.pid = proc.pid;
    return firstAnswer(sock, t0);
  };
  if (!version) {
    const log = existsSync(join(dir, "dockerd.log")) ? readFileSync(join(dir, "dockerd.log"), "utf8").trim().split("\n").pop() : "";
    console.log(`Docker: dockerd did not answer (${log}); no side-by-side figures`);
    await stop();
    return undefined;
  }
  const d = { pid: proc.pid, dir, sock, host, dataRoot: join(dir, "data"), execRoot: join(dir, "exec"), version, stop, restart };
  return d;
}

/** A bridge with a random name and a /24 no route uses, for a peer daemon's default network. */
function ownBridge(): { name: string; remove(): void } {
  const name = `wbd${Math.random().toString(16).slice(2, 10)}`;
  const routes = Bun.spawnSync(["ip", "-4", "route", "show"]).stdout.toString();
  let third = 0;
  do third = Math.floor(Math.random() * 256);
  while (routes.includes(`10.216.${third}.`));
  const ok = (argv: string[]) => {
    const r = Bun.spawnSync(argv, { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString().trim()}`);
  };
  ok(["ip", "link", "add", name, "type", "bridge"]);
  ok(["ip", "addr", "add", `10.216.${third}.1/24`, "dev", name]);
  ok(["ip", "link", "set", name, "up"]);
  return { name, remove: () => void Bun.spawnSync(["ip", "link", "del", name]) };
}
