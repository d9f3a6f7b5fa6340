// What `wharf -d` needs from the host, checked before anything is made, so a missing
// piece is named (with the Debian package that provides it) instead of failing halfway.
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface PrereqOptions {
  storageDriver?: string;
  iptables: boolean;
  env?: Record<string, string | undefined>;
}

/** Each command the daemon runs, and where Debian has it. */
const commands: [cmd: string, pkg: string, when?: (o: PrereqOptions) => boolean][] = [
  ["ip", "iproute2"],
  ["iptables", "iptables", (o) => o.iptables],
  ["iptables-restore", "iptables", (o) => o.iptables],
  ["unshare", "util-linux"],
  ["nsenter", "util-linux"],
  ["mount", "mount"],
  ["umount", "mount"],
];

const namespaces = ["mnt", "uts", "ipc", "net", "pid"];

/** The missing prerequisites, each as "what (how to get it)"; empty when all are there. */
export function missingPrereqs(o: PrereqOptions): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root privileges (start wharf -d as root)");
  const ns = namespaces.filter((n) => !existsSync(`/proc/self/ns/${n}`));
  if (ns.length) missing.push(`kernel namespaces ${ns.join(", ")} (a kernel built with CONFIG_NAMESPACES)`);
  if (!cgroupsMounted()) missing.push("a cgroup v1 or v2 hierarchy at /sys/fs/cgroup (mount cgroup2 there, or Debian package cgroupfs-mount)");
  const fs = filesystems();
  if ((o.storageDriver === "overlay2" || o.storageDriver === "overlay") && fs && !fs.includes("overlay")) {
    missing.push("the overlay filesystem for --storage-driver overlay2 (modprobe overlay, or use --storage-driver vfs)");
  }
  const path = (o.env ?? process.env).PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
  for (const [cmd, pkg, when] of commands) {
    if (when && !when(o)) continue;
    if (!onPath(cmd, path)) missing.push(`${cmd} (Debian package ${pkg})`);
  }
  return missing;
}

function cgroupsMounted(): boolean {
  if (existsSync("/sys/fs/cgroup/cgroup.controllers")) return true;
  return ["memory", "cpu", "pids"].some((c) => existsSync(`/sys/fs/cgroup/${c}`));
}

function filesystems(): string[] | undefined {
  try {
    return readFileSync("/proc/filesystems", "utf8")
      .split("\n")
      .map((l) => l.trim().split(/\s+/).pop() ?? "");
  } catch {
    return undefined;
  }
}

function onPath(cmd: string, path: string): boolean {
  for (const dir of path.split(":")) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}
