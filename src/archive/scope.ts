// Paths inside a container's root, resolved the way Docker's FollowSymlinkInScope does:
// every component, symlinks included, is looked up under the root, an absolute link
// target starts again at the root and `..` never climbs above it. Only lstat and
// readlink touch the host, on prefixes already known to hold no symlink.
import { lstatSync, readlinkSync, type Stats } from "node:fs";
import { invalidParameter } from "../errors.ts";

const maxLinks = 255;

/** The host path `path` (relative to `root`, `/` or not) names, every symlink resolved in scope. */
export function resolveInScope(root: string, path: string): string {
  const parts = path.split("/").filter((p) => p && p !== ".");
  const done: string[] = [];
  let links = 0;
  while (parts.length) {
    const c = parts.shift()!;
    if (c === "..") {
      done.pop();
      continue;
    }
    const host = `${root}/${[...done, c].join("/")}`;
    const st = lstatSync(host, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) {
      done.push(c);
      continue;
    }
    if (++links > maxLinks) throw invalidParameter(`too many links in ${path}`);
    const target = readlinkSync(host);
    if (target.startsWith("/")) done.length = 0;
    parts.unshift(...target.split("/").filter((p) => p && p !== "."));
  }
  return done.length ? `${root}/${done.join("/")}` : root;
}

/** Docker's PreserveTrailingDotOrSeparator after a clean join with `/`. */
export function containerAbsPath(path: string): string {
  const clean = cleanAbs(path);
  if (path.endsWith("/.") && clean !== "/") return `${clean}/.`;
  if (path.endsWith("/") && clean !== "/") return `${clean}/`;
  return clean;
}

function cleanAbs(path: string): string {
  const out: string[] = [];
  for (const c of path.split("/")) {
    if (!c || c === ".") continue;
    if (c === "..") out.pop();
    else out.push(c);
  }
  return "/" + out.join("/");
}

/**
 * Docker's container.ResolvePath: the directory part is resolved in scope, the last
 * element is kept as it is (so a symlink names itself, unless the path ends in `/`
 * or `/.`). Returns the host path and the container path it stands for.
 */
export function resolvePath(root: string, path: string): { resolved: string; abs: string } {
  const abs = containerAbsPath(path);
  const slash = abs.lastIndexOf("/");
  const dir = abs.slice(0, slash + 1);
  const base = abs.slice(slash + 1);
  const rdir = resolveInScope(root, dir);
  return { resolved: base ? `${rdir}/${base}` : `${rdir}/`, abs };
}

// Go's os.FileMode bits, which the path-stat header carries.
const ModeDir = 2 ** 31;
const ModeSymlink = 2 ** 27;
const ModeDevice = 2 ** 26;
const ModeNamedPipe = 2 ** 25;
const ModeSocket = 2 ** 24;
const ModeSetuid = 2 ** 23;
const ModeSetgid = 2 ** 22;
const ModeCharDevice = 2 ** 21;
const ModeSticky = 2 ** 20;

export function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.isDirectory()) m += ModeDir;
  else if (st.isSymbolicLink()) m += ModeSymlink;
  else if (st.isBlockDevice()) m += ModeDevice;
  else if (st.isCharacterDevice()) m += ModeDevice + ModeCharDevice;
  else if (st.isFIFO()) m += ModeNamedPipe;
  else if (st.isSocket()) m += ModeSocket;
  if (st.mode & 0o4000) m += ModeSetuid;
  if (st.mode & 0o2000) m += ModeSetgid;
  if (st.mode & 0o1000) m += ModeSticky;
  return m;
}

/** RFC 3339 with nanoseconds as Go's time.Time marshals (UTC, trailing zeros trimmed). */
export function goTime(st: Stats): string {
  const ns = (st as Stats & { mtimeNs?: bigint }).mtimeNs;
  const ms = Math.floor(st.mtimeMs);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = ns !== undefined ? String(ns % 1_000_000_000n).padStart(9, "0") : String(Math.round((st.mtimeMs % 1000) * 1e6)).padStart(9, "0");
  const f = frac.replace(/0+$/, "");
  return `${base}${f ? "." + f : ""}Z`;
}
