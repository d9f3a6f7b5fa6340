// Local volumes with driver options (`type`, `device`, `o`) are a mount of the named
// device onto the volume's `_data`, made at first use and undone when the last user stops.
import { readFileSync } from "node:fs";
import { mount, umount2 } from "../sys/libc.ts";
import { systemError } from "../errors.ts";

const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16;
const MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096, MS_REC = 16384;
const MNT_DETACH = 2;

const flagWords: Record<string, [set: number, clear: number]> = {
  ro: [MS_RDONLY, 0], rw: [0, MS_RDONLY],
  nosuid: [MS_NOSUID, 0], suid: [0, MS_NOSUID],
  nodev: [MS_NODEV, 0], dev: [0, MS_NODEV],
  noexec: [MS_NOEXEC, 0], exec: [0, MS_NOEXEC],
  sync: [MS_SYNCHRONOUS, 0], async: [0, MS_SYNCHRONOUS],
  noatime: [MS_NOATIME, 0], atime: [0, MS_NOATIME],
  nodiratime: [MS_NODIRATIME, 0], diratime: [0, MS_NODIRATIME],
  bind: [MS_BIND, 0], rbind: [MS_BIND | MS_REC, 0],
  defaults: [0, 0],
};

/** `o=` as mount(2) flags and the filesystem's data string. */
export function parseMountOptions(o: string): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const w of o.split(",").filter(Boolean)) {
    const f = flagWords[w];
    if (f) flags = (flags | f[0]) & ~f[1];
    else data.push(w);
  }
  return { flags, data: data.join(",") };
}

export function mountDevice(opts: Record<string, string>, target: string): void {
  const { flags, data } = parseMountOptions(opts.o ?? "");
  try {
    if (flags & MS_BIND) {
      mount(opts.device!, target, null, flags & (MS_BIND | MS_REC));
      // A bind takes its other flags only through a remount.
      if (flags & ~(MS_BIND | MS_REC)) mount(null, target, null, flags | 32 /* MS_REMOUNT */);
    } else {
      mount(opts.device!, target, opts.type!, flags, data);
    }
  } catch (err) {
    throw systemError(`error while mounting volume '${target}': ${(err as Error).message}`);
  }
}

export function unmountDevice(target: string): void {
  for (const m of mountsUnder(target).sort((a, b) => b.length - a.length)) {
    try {
      umount2(m, MNT_DETACH);
    } catch {}
  }
}

/** Mount points at or below `dir` in this mount namespace. */
export function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const raw = line.split(" ")[4];
    if (!raw) continue;
    const mp = raw.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mp === dir || mp.startsWith(dir + "/")) out.push(mp);
  }
  return out;
}
