// Copy-up: a new, empty volume takes the image's content at its mount path, with
// owners, modes (setuid included), times, symlinks and hard links as they were.
// Nothing is followed: every entry is lstat'ed, and the source path was resolved
// inside the rootfs before it got here.
import { chmodSync, constants, copyFileSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { lgetxattr, llistxattr, lsetxattr, mkfifo } from "../sys/libc.ts";

export function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

/** Copies the tree under `src` into the existing directory `dst`, and `src`'s own owner and mode onto `dst`. */
export function copyUp(src: string, dst: string): void {
  let st;
  try {
    st = lstatSync(src);
  } catch {
    return; // nothing in the image at that path
  }
  if (!st.isDirectory()) return;
  const links = new Map<string, string>();
  copyChildren(src, dst, links);
  lchownSync(dst, st.uid, st.gid);
  chmodSync(dst, st.mode & 0o7777);
  copyXattrs(src, dst);
  utimesSync(dst, st.atimeMs / 1000, st.mtimeMs / 1000);
}

function copyChildren(src: string, dst: string, links: Map<string, string>): void {
  for (const name of readdirSync(src)) {
    const s = join(src, name);
    const d = join(dst, name);
    const st = lstatSync(s);
    const key = `${st.dev}:${st.ino}`;
    if (!st.isDirectory() && st.nlink > 1 && links.has(key)) {
      linkSync(links.get(key)!, d);
      continue;
    }
    if (st.isDirectory()) {
      mkdirSync(d, { mode: 0o700 });
      copyChildren(s, d, links);
    } else if (st.isSymbolicLink()) {
      symlinkSync(readlinkSync(s), d);
    } else if (st.isFile()) {
      copyFileSync(s, d, constants.COPYFILE_EXCL);
    } else if (st.isFIFO()) {
      mkfifo(d, st.mode & 0o7777);
    } else continue; // sockets and device nodes are not copied
    if (st.nlink > 1 && !st.isDirectory()) links.set(key, d);
    lchownSync(d, st.uid, st.gid);
    // chown clears setuid/setgid, so the mode comes after it.
    if (!st.isSymbolicLink()) chmodSync(d, st.mode & 0o7777);
    // After chown, which drops security.capability.
    copyXattrs(s, d);
    lutimesSync(d, st.atimeMs / 1000, st.mtimeMs / 1000);
  }
}

/** Copies what extended attributes can be copied; overlay's own are not the image's. */
function copyXattrs(src: string, dst: string): void {
  let names: string[];
  try {
    names = llistxattr(src);
  } catch {
    return; // a filesystem without xattrs
  }
  for (const name of names) {
    if (name.startsWith("trusted.overlay.")) continue;
    try {
      const v = lgetxattr(src, name);
      if (v) lsetxattr(dst, name, v);
    } catch {} // e.g. security.* the target refuses: the copy goes on without it
  }
}
