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
  sock: string;
  host: string;
  dataRoot: string;
  execRoot: string;
  stop(): Promise<void>;
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
    sock,
    host: `unix://${sock}`,
    dataRoot: join(dir, "data"),
    execRoot: join(dir, "exec"),
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      // The daemon leaves its shared layer-store mount (and live containers' mounts).
      const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4] ?? "");
      for (const m of mounts.filter((m) => m.startsWith(dir + "/")).sort((a, b) => b.length - a.length)) {
        Bun.spawnSync(["umount", "-l", m]);
      }
      rmSync(dir, { recursive: true, force: true });
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
