// `--mount type=volume,volume-subpath=…`: a directory inside a volume, which other
// running containers may be rewriting. The path is resolved inside the volume (its
// symlinks cannot leave it), bind-mounted onto a staging directory, and then the
// kernel's own record of what got mounted (mountinfo's device and root) is checked to
// lie inside the volume: a symlink swapped in between resolve and mount is caught.
import { mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { mount, umount2 } from "../sys/libc.ts";
import { invalidParameter } from "../errors.ts";
import { inRoot } from "../init/rootfs.ts";
import { mountsUnder } from "./devmount.ts";

const MS_BIND = 4096, MS_REC = 16384, MNT_DETACH = 2;

/** A subpath must be relative and stay inside the volume, by its text alone. */
export function validSubpath(p: string): boolean {
  if (!p || p.startsWith("/")) return false;
  const n = posix.normalize(p);
  return n !== ".." && !n.startsWith("../");
}

interface MountInfo {
  dev: string;
  root: string;
  mountPoint: string;
}

function mountInfo(): MountInfo[] {
  const un = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const f = l.split(" ");
      return { dev: f[2]!, root: un(f[3]!), mountPoint: un(f[4]!) };
    });
}

/** The mount that holds `path` (the last-mounted of the longest prefix) and `path`'s root-relative spot in it. */
function locate(path: string, infos: MountInfo[]): { dev: string; root: string } {
  let best: MountInfo | undefined;
  for (const m of infos) {
    if (path === m.mountPoint || path.startsWith(m.mountPoint === "/" ? "/" : m.mountPoint + "/")) {
      if (!best || m.mountPoint.length >= best.mountPoint.length) best = m;
    }
  }
  if (!best) throw new Error(`no mount holds ${path}`);
  return { dev: best.dev, root: posix.join(best.root, relative(best.mountPoint, path)) };
}

export function stagePath(volumeDir: string, containerId: string, index: number): string {
  return join(volumeDir, "subpaths", `${containerId}-${index}`);
}

/** Mounts `subpath` of the volume whose data is `data` onto `stage`; returns `stage`. */
export function mountSubpath(data: string, subpath: string, stage: string): string {
  const resolved = inRoot(data, subpath);
  mkdirSync(stage, { recursive: true, mode: 0o700 });
  try {
    mount(resolved, stage, null, MS_BIND | MS_REC);
  } catch (err) {
    rmdirSync(stage);
    throw invalidParameter(`cannot access path ${resolved}: ${(err as Error).message}`);
  }
  const infos = mountInfo();
  const want = locate(data, infos);
  const got = locate(stage, infos);
  const inside = got.dev === want.dev && (got.root === want.root || got.root.startsWith(want.root === "/" ? "/" : want.root + "/"));
  if (!inside) {
    unmountSubpath(stage);
    throw invalidParameter(`subpath ${subpath} does not resolve to a path inside the volume`);
  }
  return stage;
}

export function unmountSubpath(stage: string): void {
  for (const m of mountsUnder(stage).sort((a, b) => b.length - a.length)) {
    try {
      umount2(m, MNT_DETACH);
    } catch {}
  }
  try {
    rmdirSync(stage);
  } catch {}
}
