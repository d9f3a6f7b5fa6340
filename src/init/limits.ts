// ulimit names as Docker takes them, and which sysctls a container may set: only
// those the kernel namespaces (IPC, and net when the container has its own network).
import { invalidParameter } from "../errors.ts";

const rlimits: Record<string, number> = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9,
  locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15,
};

export function rlimitNumber(name: string): number {
  const n = rlimits[name];
  if (n === undefined) throw invalidParameter(`invalid ulimit type: ${name}`);
  return n;
}

const ipcSysctls = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"];

export function sysctlAllowed(key: string, hostNetwork: boolean): boolean {
  if (ipcSysctls.includes(key) || key.startsWith("fs.mqueue.")) return true;
  if (key.startsWith("net.")) return !hostNetwork;
  return false;
}
