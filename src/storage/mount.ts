// Overlay mounts through mount(8)/umount(8) run from the driver's home, so lower dirs
// can be given as short relative paths (`l/ID`): the kernel takes at most one page of
// mount options, and absolute paths would exhaust it long before 100 layers.
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { systemError } from "../errors.ts";
import { mount as sysMount, umount2 } from "../sys/libc.ts";
import { mustRun } from "../sys/spawn.ts";

const PAGE = 4096;

async function run(argv: string[], cwd: string): Promise<void> {
  await mustRun(argv, { cwd });
}

export interface OverlaySpec {
  /** Directory the relative paths below are resolved from. */
  cwd: string;
  /** Top-most first. */
  lower: string[];
  upper?: string;
  work?: string;
  options?: string[];
}

export function overlayOptions(s: OverlaySpec): string {
  const parts = [`lowerdir=${s.lower.join(":")}`];
  if (s.upper) parts.push(`upperdir=${s.upper}`, `workdir=${s.work}`);
  parts.push(...(s.options ?? []));
  return parts.join(",");
}

export async function mountOverlay(s: OverlaySpec, target: string): Promise<void> {
  // mount(2) directly with absolute paths when they fit in a page: spawning mount(8)
  // cost a few ms on every container start. Long chains fall back to mount(8) run
  // from the driver's home, where the short relative paths fit.
  const abs = overlayOptions({
    ...s,
    lower: s.lower.map((l) => resolve(s.cwd, l)),
    upper: s.upper && resolve(s.cwd, s.upper),
    work: s.work && resolve(s.cwd, s.work),
  });
  if (abs.length < PAGE) {
    try {
      sysMount("overlay", resolve(s.cwd, target), "overlay", 0, abs);
      return;
    } catch (err) {
      throw systemError(`mounting overlay on ${target}: ${(err as Error).message}`);
    }
  }
  const data = overlayOptions(s);
  if (data.length >= PAGE) throw systemError(`overlay mount options for ${target} are ${data.length} bytes, over the kernel's ${PAGE - 1}`);
  await run(["mount", "-t", "overlay", "overlay", "-o", data, target], s.cwd);
}

export async function unmount(target: string): Promise<void> {
  if (!isMounted(target)) return;
  try {
    umount2(target, 0);
  } catch (err) {
    throw systemError(`unmounting ${target}: ${(err as Error).message}`);
  }
}

/** Whether `path` is a mount point in this mount namespace. */
export function isMounted(path: string): boolean {
  const text = readFileSync("/proc/self/mountinfo", "utf8");
  for (const line of text.split("\n")) {
    const mp = line.split(" ")[4];
    if (mp && unescape(mp) === path) return true;
  }
  return false;
}

const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * Makes `dir` a shared mount (a bind onto itself first, when it is not a mount point),
 * so mounts made under it later reach namespaces copied from this one earlier with
 * slave propagation: a prewarmed container init.
 */
export async function makeShared(dir: string): Promise<void> {
  if (!isMounted(dir)) {
    await run(["mount", "--bind", dir, dir], "/");
    selfBinds.add(dir);
  } else if (isSelfBind(dir)) {
    // A daemon killed before its shutdown left this bind: it is ours to undo now, or a
    // SIGKILL would leave one more mount under the data root on every crash.
    selfBinds.add(dir);
  }
  await run(["mount", "--make-shared", dir], "/");
}

interface MountLine {
  id: string;
  parent: string;
  dev: string;
  root: string;
  point: string;
}

function mountLines(): MountLine[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => f.length > 4)
    .map((f) => ({ id: f[0]!, parent: f[1]!, dev: f[2]!, root: unescape(f[3]!), point: unescape(f[4]!) }));
}

/**
 * Whether the top mount on `dir` is `dir` bound onto itself (what makeShared makes):
 * the same filesystem as the mount beneath it, showing the very directory that mount
 * shows at `dir`. A filesystem mounted there on purpose has its own device or root.
 */
export function isSelfBind(dir: string): boolean {
  const lines = mountLines();
  const byId = new Map(lines.map((l) => [l.id, l]));
  const top = lines.filter((l) => l.point === dir).pop();
  const under = top && byId.get(top.parent);
  if (!top || !under || under.dev !== top.dev) return false;
  const rel = relative(under.point, dir);
  if (rel.startsWith("..")) return false;
  return top.root === join(under.root, rel);
}

const selfBinds = new Set<string>();
const MNT_DETACH = 2;

/**
 * Undoes the binds makeShared made, so a stopped daemon leaves its data root as plain
 * directories. Only when no container runs: a surviving container's init may still
 * need mounts to propagate from them when the next daemon starts it anew.
 */
export function releaseSharedMounts(): void {
  for (const dir of [...selfBinds].reverse()) {
    try {
      umount2(dir, MNT_DETACH);
    } catch {} // already gone: nothing to undo
    selfBinds.delete(dir);
  }
}
