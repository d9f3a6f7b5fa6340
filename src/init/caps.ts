// Linux capabilities by name and the set a container gets: Docker's default set,
// adjusted by --cap-add / --cap-drop, or everything with --privileged.
import { invalidParameter } from "../errors.ts";

export const capNames = [
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
  "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
  "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
  "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
  "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
  "CHECKPOINT_RESTORE",
];

export const dockerDefaultCaps = [
  "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
  "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
];

export function capNumber(name: string): number {
  const n = capNames.indexOf(name.toUpperCase().replace(/^CAP_/, ""));
  if (n < 0) throw invalidParameter(`invalid capability: ${name}`);
  return n;
}

/** Bit mask of the capabilities the container keeps; `lastCap` bounds "ALL". */
export function capabilityMask(
  opts: { privileged?: boolean; capAdd?: string[]; capDrop?: string[] },
  lastCap: number,
): bigint {
  const all = (1n << BigInt(lastCap + 1)) - 1n;
  if (opts.privileged) return all;
  const isAll = (s: string) => s.toUpperCase() === "ALL";
  let mask = 0n;
  // As in Docker: dropping ALL starts from nothing, then adds apply.
  if (!(opts.capDrop ?? []).some(isAll)) for (const c of dockerDefaultCaps) mask |= 1n << BigInt(capNumber(c));
  for (const c of opts.capDrop ?? []) if (!isAll(c)) mask &= ~(1n << BigInt(capNumber(c)));
  for (const c of opts.capAdd ?? []) mask |= isAll(c) ? all : 1n << BigInt(capNumber(c));
  return mask & all;
}
