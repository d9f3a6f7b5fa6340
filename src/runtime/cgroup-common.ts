// What both cgroup hierarchies share: the driver interface cgroups.ts picks an
// implementation of, Docker's defaults for CPU quota and swap, and the kernel's stat
// file formats. Apart from cgroups.ts so v1 and v2 need not import the file that picks them.
import type { BlkioEntry, CgroupStats, Resources } from "./types.ts";
import type { DeviceRule } from "./devicefilter.ts";

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** Makes the container's cgroup with its limits; returns the cgroup.procs files to join. */
  create(id: string, res: Resources): string[];
  /**
   * Renames a cgroup made ahead of time (with a process already in it) to the
   * container's id: joining a v1 memory cgroup costs an RCU grace period (~10-20 ms
   * here), paid this way before the start rather than during it.
   */
  adopt(placeholder: string, id: string): void;
  /** Docker's device rules: the default list plus `extra` (--device, --device-cgroup-rule), or all when privileged. */
  restrictDevices(id: string, privileged: boolean, extra?: DeviceRule[]): void;
  update(id: string, res: Resources): void;
  freeze(id: string): Promise<void>;
  thaw(id: string): Promise<void>;
  /** Is the cgroup frozen (or freezing)? False when it has no freezer. */
  frozen(id: string): boolean;
  /** Did the kernel's OOM killer kill a process of this cgroup? */
  oomKilled(id: string): boolean;
  stats(id: string): CgroupStats;
  pids(id: string): number[];
  exists(id: string): boolean;
  /** SIGKILLs whatever is left, waits for it to go, removes the directories. */
  destroy(id: string): Promise<void>;
  /** Removes the daemon's parent directories when empty (tests, uninstall). */
  removeParent(): void;
}

export const cpuPeriod = 100_000;

/** CFS quota in µs per period for --cpus (NanoCpus), or the explicit quota. */
export function cpuQuota(res: Resources): { quota: number; period: number } | undefined {
  if (res.nanoCpus) return { quota: Math.round((res.nanoCpus * cpuPeriod) / 1e9), period: cpuPeriod };
  if (res.cpuQuota && res.cpuQuota > 0) return { quota: res.cpuQuota, period: res.cpuPeriod || cpuPeriod };
  return undefined;
}

/** Memory plus swap as Docker defaults it: twice the memory when only memory is set. */
export function memorySwap(res: Resources): number | undefined {
  if (!res.memory) return res.memorySwap && res.memorySwap > 0 ? res.memorySwap : undefined;
  if (res.memorySwap === -1) return -1;
  if (res.memorySwap && res.memorySwap > 0) return res.memorySwap;
  return res.memory * 2;
}

export async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await Bun.sleep(5);
  }
}

export function parseKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** cgroup v1 blkio files: `8:0 Read 4096` lines (and a `Total` line, skipped). */
export function parseBlkioV1(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+):(\d+) (\S+) (\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3]!, value: Number(m[4]) });
  }
  return out;
}

/** cgroup v2 io.stat: `8:0 rbytes=… wbytes=… rios=… wios=…` as dockerd maps it. */
export function parseIoStatV2(text: string): { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } {
  const serviceBytes: BlkioEntry[] = [];
  const serviced: BlkioEntry[] = [];
  for (const line of text.split("\n")) {
    const [dev, ...kv] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? "");
    if (!m) continue;
    const f = Object.fromEntries(kv.map((p) => p.split("=")).map(([k, v]) => [k, Number(v)]));
    const major = Number(m[1]);
    const minor = Number(m[2]);
    serviceBytes.push({ major, minor, op: "read", value: f.rbytes ?? 0 }, { major, minor, op: "write", value: f.wbytes ?? 0 });
    serviced.push({ major, minor, op: "read", value: f.rios ?? 0 }, { major, minor, op: "write", value: f.wios ?? 0 });
  }
  return { serviceBytes, serviced };
}
