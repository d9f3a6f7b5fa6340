// --device and --device-cgroup-rule as dockerd reads them at start: each host path is a
// device node (or a directory, whose nodes are all taken, as dockerd does), made visible
// at its container path and allowed in the container's cgroup with its permissions.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { invalidParameter } from "../../errors.ts";
import { parseDeviceRule, type DeviceRule } from "../../runtime/devicefilter.ts";
import type { ContainerSpec } from "../../runtime/types.ts";

interface DeviceMapping {
  PathOnHost?: string;
  PathInContainer?: string;
  CgroupPermissions?: string;
}

const S_IFMT = 0o170000n, S_IFBLK = 0o060000n, S_IFCHR = 0o020000n, S_IFDIR = 0o040000n;

/** Linux's dev_t split (glibc's gnu_dev_major/minor). */
function majorMinor(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

function nodesUnder(hostPath: string, containerPath: string, access: string, out: Pick<ContainerSpec, "devices" | "deviceRules">, top: boolean): void {
  let st;
  try {
    st = statSync(hostPath, { bigint: true });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (err as Error).message;
    throw invalidParameter(`error gathering device information while adding custom device "${hostPath}": ${why}`);
  }
  const type = st.mode & S_IFMT;
  if (type === S_IFDIR) {
    for (const e of readdirSync(hostPath)) nodesUnder(join(hostPath, e), join(containerPath, e), access, out, false);
    return;
  }
  if (type !== S_IFBLK && type !== S_IFCHR) {
    // Inside a directory other files are passed over; named on their own they are an error.
    if (!top) return;
    throw invalidParameter(`error gathering device information while adding custom device "${hostPath}": not a device node`);
  }
  out.devices!.push({ hostPath, containerPath });
  out.deviceRules!.push({ type: type === S_IFBLK ? "b" : "c", ...majorMinor(st.rdev), access });
}

/** The spec's devices and device rules for a HostConfig (a privileged container's cgroup allows all anyway). */
export function devicesOf(hc: { Devices?: unknown; DeviceCgroupRules?: unknown }): Pick<ContainerSpec, "devices" | "deviceRules"> {
  const out: Pick<ContainerSpec, "devices" | "deviceRules"> = { devices: [], deviceRules: [] };
  for (const text of (hc.DeviceCgroupRules as string[] | null | undefined) ?? []) {
    const rule = parseDeviceRule(text);
    if (!rule) throw invalidParameter(`invalid device cgroup format '${text}'`);
    out.deviceRules!.push(rule);
  }
  for (const m of (hc.Devices as DeviceMapping[] | null | undefined) ?? []) {
    const host = m.PathOnHost ?? "";
    if (!host.startsWith("/")) throw invalidParameter(`invalid device path "${host}": it must be an absolute path on the host`);
    const inside = m.PathInContainer || host;
    if (!inside.startsWith("/") || relative("/", inside).startsWith("..")) throw invalidParameter(`invalid device path in the container "${inside}"`);
    const access = m.CgroupPermissions || "rwm";
    if (!/^[rwm]{1,3}$/.test(access) || new Set(access).size !== access.length) throw invalidParameter(`invalid device mode: ${access}`);
    nodesUnder(host, inside, access, out, true);
  }
  return out;
}
