// Paths resolved inside a root as if it were `/`: symlinks are followed, but an absolute
// target or a `..` stops at the root, so neither a context's nor an image's links can
// reach the host's files.
import { lstatSync, readlinkSync } from "node:fs";

/** The real path of `rel` inside `root`, as a clean relative path ("" is the root). */
export function resolveInRoot(root: string, rel: string, followLast = true): string {
  const todo = rel.split("/").filter((c) => c && c !== ".");
  const done: string[] = [];
  let hops = 0;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === "..") {
      done.pop();
      continue;
    }
    done.push(c);
    if (!todo.length && !followLast) break;
    const st = lstatSync(`${root}/${done.join("/")}`, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) continue;
    if (++hops > 255) throw new Error(`too many levels of symbolic links: ${rel}`);
    const target = readlinkSync(`${root}/${done.join("/")}`);
    done.pop();
    if (target.startsWith("/")) done.length = 0;
    todo.unshift(...target.split("/").filter((x) => x && x !== "."));
  }
  return done.join("/");
}

/** A clean path relative to the root for a source or destination as written (`/a/../b` → `b`). */
export function cleanRel(p: string): string {
  const out: string[] = [];
  for (const c of p.split("/")) {
    if (!c || c === ".") continue;
    if (c === "..") out.pop();
    else out.push(c);
  }
  return out.join("/");
}
