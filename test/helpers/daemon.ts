// Starts the compiled daemon on its own socket, data root and exec root under a fresh
// temporary directory, and takes everything down again, even when a test failed.
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { spawn, type ChildProcess, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";

export const root = resolve(import.meta.dirname, "../..");
export const wharfBin = join(root, "dist/wharf");

export function requireBinary(): void {
  if (!existsSync(wharfBin)) throw new Error(`${wharfBin} is missing: run \`npm run build\` first`);
}

/** The real docker CLI; a test that needs it fails loudly when it is missing. */
export function dockerCli(): string {
  for (const p of ["/usr/local/bin/docker", "/usr/bin/docker"]) if (existsSync(p)) return p;
  throw new Error("the docker CLI is missing (expected /usr/local/bin/docker); .ci/run installs docker.io");
}

export interface TestDaemon {
  dir: string;
  sock: string;
  host: string;
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  /** The daemon's own default bridge and its subnet (every test daemon gets unique ones). */
  bridge: string;
  bip: string;
  proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  cleanup(): Promise<void>;
}

export async function startDaemon(extraArgs: string[] = [], opts: { wait?: boolean; env?: Record<string, string> } = {}): Promise<TestDaemon> {
  requireBinary();
  const dir = mkdtempSync(join(tmpdir(), "wharf-test-"));
  const sock = join(dir, "wharf.sock");
  const dataRoot = join(dir, "data");
  const execRoot = join(dir, "exec");
  const pidfile = join(execRoot, "wharf.pid");
  // A daemon restarted on another's data root keeps that daemon's bridge and subnet.
  const di = extraArgs.indexOf("--data-root");
  const ownRoot = di >= 0 ? extraArgs[di + 1]! : dataRoot;
  const netFile = join(dirname(ownRoot), "test-net.json");
  let net: { bridge: string; bip: string } | undefined;
  if (!extraArgs.includes("--bridge") && !extraArgs.includes("-b")) {
    try {
      net = JSON.parse(readFileSync(netFile, "utf8"));
    } catch {
      net = { bridge: `wt${randomBytes(4).toString("hex")}`, bip: freeSubnet(1) };
      if (ownRoot === dataRoot) writeFileSync(netFile, JSON.stringify(net));
    }
  }
  const netArgs = net ? ["--bridge", net.bridge, "--bip", net.bip] : [];
  const proc = spawn(
    wharfBin,
    ["-d", "-H", `unix://${sock}`, "--data-root", dataRoot, "--exec-root", execRoot, ...netArgs, ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } },
  );
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  const d: TestDaemon = {
    dir,
    sock,
    host: `unix://${sock}`,
    dataRoot,
    execRoot,
    pidfile,
    bridge: net?.bridge ?? extraArgs[extraArgs.indexOf("--bridge") + 1] ?? "",
    bip: net?.bip ?? "",
    proc,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return await exited;
    },
    async cleanup() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await exited;
      }
      unmountUnder(dir);
      removeNetworking(ownRoot, d.bridge);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.wait !== false) await waitForSocket(d);
  return d;
}

async function waitForSocket(d: TestDaemon, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (d.proc.exitCode !== null) throw new Error(`daemon exited with ${d.proc.exitCode}:\n${d.output()}`);
    if (existsSync(d.sock)) {
      const r = spawnSync("curl", ["-sf", "--unix-socket", d.sock, "http://x/_ping"], { encoding: "utf8" });
      if (r.stdout === "OK") return;
    }
    await Bun.sleep(20);
  }
  throw new Error(`daemon did not answer on ${d.sock} within ${timeoutMs} ms:\n${d.output()}`);
}

/** Runs the real docker CLI against a test daemon. */
export function docker(d: TestDaemon, args: string[], input?: string) {
  const r = spawnSync(dockerCli(), args, {
    encoding: "utf8",
    input,
    env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function wharf(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(wharfBin, args, { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function readPid(path: string): number {
  return Number(readFileSync(path, "utf8").trim());
}

/** Unmounts everything under `dir`, deepest first (the daemon leaves its shared layer mount). */
export function unmountUnder(dir: string): void {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4]?.replace(/\\040/g, " "))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + "/")))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync("umount", ["-l", m]);
}

/**
 * A /24 under 10.213.0.0/16 (or 10.214/16 for `which` 2) that no host route overlaps,
 * starting at a random one so concurrent test runs rarely race; `.1/24` form when
 * `gatewayForm` (for --bip).
 */
export function freeSubnet(which = 1, gatewayForm = true): string {
  const routes = spawnSync("ip", ["-4", "route", "show", "table", "all"], { encoding: "utf8" }).stdout ?? "";
  const prefix = which === 1 ? "10.213" : "10.214";
  const start = randomBytes(1)[0]!;
  for (let i = 0; i < 256; i++) {
    const x = (start + i) % 256;
    const net = `${prefix}.${x}.`;
    if (routes.includes(net) || routes.includes(`${prefix}.0.0/16`)) continue;
    return gatewayForm ? `${net}1/24` : `${net}0/24`;
  }
  throw new Error(`no free /24 in ${prefix}.0.0/16`);
}

/** Removes the bridges marked as this daemon's (alias wharf:<data root>) and its iptables chains. */
export function removeNetworking(dataRoot: string, bridge: string): void {
  const owner = `wharf:${dataRoot}`;
  const links = spawnSync("ip", ["-j", "link", "show", "type", "bridge"], { encoding: "utf8" }).stdout ?? "[]";
  try {
    for (const l of JSON.parse(links) as { ifname: string; ifalias?: string }[]) {
      if (l.ifalias === owner) spawnSync("ip", ["link", "del", l.ifname]);
    }
  } catch {}
  if (!bridge) return;
  const nat = [`WHARF-${bridge}`, `WHARF-POST-${bridge}`];
  const filter = [`WHARF-FWD-${bridge}`, `WHARF-ISO-${bridge}`];
  const jumps: [string, string, string[]][] = [
    ["nat", "PREROUTING", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", nat[0]!]],
    ["nat", "OUTPUT", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", nat[0]!]],
    ["nat", "POSTROUTING", ["-j", nat[1]!]],
    ["filter", "FORWARD", ["-j", filter[0]!]],
  ];
  // The same chains exist in ip6tables (IPv6 networks).
  for (const cmd of ["iptables", "ip6tables"]) {
    for (const [table, chain, spec] of jumps) {
      for (let i = 0; i < 8; i++) if (spawnSync(cmd, ["-w", "-t", table, "-D", chain, ...spec]).status !== 0) break;
    }
    for (const [table, chains] of [["nat", nat], ["filter", filter]] as const) {
      for (const c of chains) {
        spawnSync(cmd, ["-w", "-t", table, "-F", c]);
        spawnSync(cmd, ["-w", "-t", table, "-X", c]);
      }
    }
  }
}

/** Loads the busybox fixture written by a real Docker into a test daemon; fails loudly. */
export function loadBusybox(d: TestDaemon): void {
  const l = docker(d, ["load", "-i", resolve(root, "test/fixtures/busybox-docker-save.tar")]);
  if (l.code !== 0) throw new Error(`docker load failed: ${l.stderr}`);
}

/** An afterAll for a test daemon: removes every container, then the daemon and its files. */
export async function removeAllAndCleanup(d: TestDaemon | undefined): Promise<void> {
  if (!d) return;
  const ids = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
  if (ids.length) docker(d, ["rm", "-f", ...ids]);
  await d.cleanup();
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "0.0.0.0", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
