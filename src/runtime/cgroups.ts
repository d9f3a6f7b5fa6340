// Per-container cgroups under a parent each daemon names (so test daemons do not
// collide), on cgroup v1 (one hierarchy per controller) or v2 (one unified tree).
// Limits are written before the container's process joins; removal kills leftovers
// and removes every directory it made.
import { existsSync } from "node:fs";
import type { CgroupDriver } from "./cgroup-common.ts";
import { CgroupsV1 } from "./cgroups-v1.ts";
import { CgroupsV2 } from "./cgroups-v2.ts";

export type { CgroupDriver } from "./cgroup-common.ts";
export { cpuPeriod, cpuQuota, memorySwap, parseBlkioV1, parseIoStatV2, parseKeyed, waitUntil } from "./cgroup-common.ts";

export function cgroupDriver(opts: { root?: string; parent: string }): CgroupDriver {
  const root = opts.root ?? "/sys/fs/cgroup";
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(opts.parent) || opts.parent.split("/").includes("..")) {
    throw new Error(`invalid cgroup parent ${JSON.stringify(opts.parent)}: want a relative name like "wharf"`);
  }
  return existsSync(`${root}/cgroup.controllers`) ? new CgroupsV2(root, opts.parent) : new CgroupsV1(root, opts.parent);
}
