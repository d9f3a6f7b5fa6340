// What a container changed in its filesystem (docker diff) and the layer tar of those
// changes (docker commit). overlay2: the upper dir holds exactly the changes, a char
// device 0/0 is a deletion, an opaque dir hides everything below it. vfs: the rw
// copy is compared with the image's root as Docker's ChangesDirs does.
import { lstatSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { lgetxattr } from "../sys/libc.ts";
import { fileEntry, headerBlocks } from "./tarwriter.ts";

export const ChangeModify = 0;
export const ChangeAdd = 1;
export const ChangeDelete = 2;

export interface Change {
  /** Absolute in the container: `/etc/passwd`. */
  Path: string;
  Kind: 0 | 1 | 2;
  /** overlay2: a directory whose lower content is hidden (an rm -rf then mkdir). */
  opaque?: boolean;
}

const list = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function isOpaque(path: string): boolean {
  try {
    const v = lgetxattr(path, "trusted.overlay.opaque");
    return v !== null && v.toString() === "y";
  } catch {
    return false;
  }
}

// The mount points of the files bind-mounted over /etc at start. Docker keeps them in
// an "init" layer under the rw layer; here they sit in the rw layer, and are left out
// of changes and commits, empty as they are.
const mountPoints = new Set(["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"]);
const isMountPoint = (p: string, st: Stats, existed: boolean) => !existed && mountPoints.has(p) && st.isFile() && st.size === 0;

/**
 * overlay2: walk the upper dir; `lowers` are the image's layer diffs, topmost first.
 * As Docker's overlay changes: a directory that also exists below counts as changed
 * when its mode or owner changed, or when something was added to or deleted from it
 * (it is listed before its entries).
 */
export function overlayChanges(upper: string, lowers: string[]): Change[] {
  const lowerStat = (rel: string) => {
    for (const l of lowers) {
      const st = lstatSync(l + rel, { throwIfNoEntry: false });
      if (st) return st;
    }
    return undefined;
  };
  const walk = (rel: string, hiddenBelow: boolean): { out: Change[]; addedOrDeleted: boolean } => {
    const out: Change[] = [];
    let addedOrDeleted = false;
    for (const name of list(upper + rel)) {
      const p = `${rel}/${name}`;
      const st = lstatSync(upper + p, { throwIfNoEntry: false });
      if (!st) continue;
      if (isWhiteout(st)) {
        out.push({ Path: p, Kind: ChangeDelete });
        addedOrDeleted = true;
        continue;
      }
      const below = hiddenBelow ? undefined : lowerStat(p);
      if (isMountPoint(p, st, !!below)) continue;
      const opaque = st.isDirectory() && isOpaque(upper + p);
      const kids = st.isDirectory() ? walk(p, hiddenBelow || opaque) : { out: [], addedOrDeleted: false };
      if (!below) {
        out.push({ Path: p, Kind: ChangeAdd, ...(opaque ? { opaque } : {}) }, ...kids.out);
        addedOrDeleted = true;
        continue;
      }
      const sameDir = st.isDirectory() && below.isDirectory() && st.mode === below.mode && st.uid === below.uid && st.gid === below.gid;
      if (!sameDir || opaque || kids.addedOrDeleted) out.push({ Path: p, Kind: ChangeModify, ...(opaque ? { opaque } : {}) });
      out.push(...kids.out);
    }
    return { out, addedOrDeleted };
  };
  return walk("", false).out;
}

function sameEntry(a: Stats, b: Stats, pa: string, pb: string): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return false;
  if (a.isDirectory()) return true; // a directory's size and time say nothing useful
  if (a.size !== b.size || Math.floor(a.mtimeMs * 1000) !== Math.floor(b.mtimeMs * 1000)) return false;
  if (a.isSymbolicLink() && readlinkSync(pa) !== readlinkSync(pb)) return false;
  return true;
}

/** vfs: compare the rw copy with the image's complete root. */
export function compareChanges(rw: string, base: string | undefined): Change[] {
  const out: Change[] = [];
  const walk = (rel: string): void => {
    const here = new Set(list(rw + rel));
    const before = base ? list(base + rel) : [];
    const names = [...new Set([...here, ...before])].sort();
    for (const name of names) {
      const p = `${rel}/${name}`;
      const now = here.has(name) ? lstatSync(rw + p, { throwIfNoEntry: false }) : undefined;
      const old = base ? lstatSync(base + p, { throwIfNoEntry: false }) : undefined;
      if (!now) {
        if (old) out.push({ Path: p, Kind: ChangeDelete });
        continue;
      }
      if (!old) {
        if (isMountPoint(p, now, false)) continue;
        out.push({ Path: p, Kind: ChangeAdd });
        if (now.isDirectory()) addAll(p);
        continue;
      }
      const mark = out.length;
      const changed = !sameEntry(old, now, base + p, rw + p);
      if (changed && !(old.isDirectory() && now.isDirectory())) {
        out.push({ Path: p, Kind: ChangeModify });
        if (now.isDirectory()) addAll(p);
        continue;
      }
      if (now.isDirectory() && old.isDirectory()) {
        walk(p);
        // A directory with changes inside is itself changed (Docker records it to keep its mode).
        if (changed || out.length > mark) out.splice(mark, 0, { Path: p, Kind: ChangeModify });
      }
    }
  };
  const addAll = (rel: string) => {
    for (const name of list(rw + rel)) {
      const p = `${rel}/${name}`;
      out.push({ Path: p, Kind: ChangeAdd });
      if (lstatSync(rw + p).isDirectory()) addAll(p);
    }
  };
  walk("");
  return out;
}

/**
 * The layer tar of the changes (without the end blocks): added and modified entries
 * from `root` (the rw layer's files), deletions as `.wh.` files, opaque directories
 * with a `.wh..wh..opq` entry, as Docker's ExportChanges writes them.
 */
export async function* changesTar(root: string, changes: Change[]): AsyncGenerator<Uint8Array> {
  const links = new Map<string, string>();
  const now = Math.floor(Date.now() / 1000);
  for (const ch of changes) {
    const rel = ch.Path.slice(1);
    if (ch.Kind === ChangeDelete) {
      const slash = rel.lastIndexOf("/");
      const name = `${rel.slice(0, slash + 1)}.wh.${rel.slice(slash + 1)}`;
      yield* headerBlocks({ name, type: "0", mode: 0, uid: 0, gid: 0, size: 0, mtime: now });
      continue;
    }
    const st = lstatSync(root + ch.Path, { throwIfNoEntry: false });
    if (!st) continue; // removed while we were reading
    yield* fileEntry(root + ch.Path, rel, st, links);
    if (ch.opaque) yield* headerBlocks({ name: `${rel}/.wh..wh..opq`, type: "0", mode: 0, uid: 0, gid: 0, size: 0, mtime: now });
  }
}
