// Helpers for benchmarks: a daemon on its own temp dirs, timing, medians.
import { mkdtempSync, rmSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

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
  const net = extra.includes("--bridge") ? [] : ["--bridge", `wb${Math.random().toString(16).slice(2, 10)}`, "--bip", `10.215.${Math.floor(Math.random() * 256)}.1/24`];
  const proc = Bun.spawn([wharfBin, "-d", "-H", `unix://${sock}`, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), ...net, ...extra], {
    stdout: "ignore",
    stderr: "ignore",
  });
  for (let i = 0; i < 200 && !existsSync(sock); i++) await Bun.sleep(25);
  if (!existsSync(sock)) throw new Error("wharf daemon did not start");
  return {
    pid: proc.pid,
    dir,
    sock,
    host: `unix://${sock}`,
    dataRoot: join(dir, "data"),
    execRoot: join(dir, "exec"),
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      // The daemon leaves its shared layer-store mount (and live containers' mounts).
      removeDir(dir);
    },
  };
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
export async function startDockerd(opts: { bridge?: boolean } = {}): Promise<(BenchDaemon & { version: string }) | undefined> {
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
  const proc = Bun.spawn([
    "dockerd", "-H", `unix://${sock}`, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"),
    "--pidfile", join(dir, "docker.pid"), "--iptables=false", "--ip6tables=false", "--ip-forward=false",
    "--ip-masq=false", `--bridge=${bridge?.name ?? "none"}`, "--userland-proxy=false", "--cgroup-parent", cgroupParent,
  ], { stdout: "ignore", stderr: Bun.file(join(dir, "dockerd.log")) });
  const host = `unix://${sock}`;
  let version = "";
  for (let i = 0; i < 200 && !version; i++) {
    await Bun.sleep(50);
    if (!existsSync(sock)) continue;
    const v = docker(host, ["version", "--format", "{{.Server.Version}}"]);
    if (v.code === 0) version = v.stdout.trim();
  }
  const stop = async () => {
    // Containers go first: a dockerd stopping with live ones waits on each.
    const ids = docker(host, ["ps", "-aq"]).stdout.split("\n").filter(Boolean);
    if (ids.length) docker(host, ["rm", "-f", ...ids]);
    proc.kill("SIGTERM");
    await Promise.race([proc.exited, Bun.sleep(20_000)]);
    if (proc.exitCode === null) proc.kill("SIGKILL");
    await proc.exited;
    // Its containerd (and any shim) must not outlive it.
    Bun.spawnSync(["pkill", "-KILL", "-f", dir]);
    removeDir(dir);
    Bun.spawnSync(["sh", "-c", `for d in /sys/fs/cgroup/*/${cgroupParent} /sys/fs/cgroup/${cgroupParent}; do [ -d "$d" ] && rmdir "$d"; done; true`]);
    bridge?.remove();
  };
  if (!version) {
    const log = existsSync(join(dir, "dockerd.log")) ? readFileSync(join(dir, "dockerd.log"), "utf8").trim().split("\n").pop() : "";
    console.log(`Docker: dockerd did not answer (${log}); no side-by-side figures`);
    await stop();
    return undefined;
  }
  return { pid: proc.pid, dir, sock, host, dataRoot: join(dir, "data"), execRoot: join(dir, "exec"), version, stop };
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
