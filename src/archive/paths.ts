// Keeping every write of a layer inside its directory. Names are taken relative to
// the layer root (as Docker does); a `..` that climbs above it is refused rather than
// clamped, and no write goes through a symlink, whether the tar made it or a lower
// layer did.
import { lstatSync, mkdirSync } from "node:fs";
import { invalidParameter } from "../errors.ts";

/** The entry's path relative to the layer root ("" for the root itself). */
export function cleanName(name: string, what = "layer entry"): string {
  if (name.includes("\0")) throw invalidParameter(`${what} "${name.replaceAll("\0", "\\0")}" has a NUL byte in its name`);
  const parts: string[] = [];
  for (const c of name.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (parts.length === 0) throw invalidParameter(`${what} "${name}" points outside the layer`);
      parts.pop();
      continue;
    }
    parts.push(c);
  }
  return parts.join("/");
}

/**
 * Checks (and creates, mode 0755 like Docker) the parent directories of entries.
 * Verified directories are cached; replacing a cached directory forgets it and
 * everything below it.
 */
export class ParentGuard {
  private readonly dirs = new Set<string>([""]);

  constructor(private readonly root: string) {}

  /**
   * Ensures every parent of `rel` is a real directory; `entry` names the tar entry in
   * errors. Missing parents are created, or refused with `ifMissing` when given.
   */
  ensureParents(rel: string, entry: string, ifMissing?: string): void {
    let i = rel.lastIndexOf("/");
    if (i === -1 || this.dirs.has(rel.slice(0, i))) return;
    const comps = rel.split("/");
    comps.pop();
    let p = "";
    for (const c of comps) {
      p = p ? `${p}/${c}` : c;
      if (this.dirs.has(p)) continue;
      const st = lstatSync(`${this.root}/${p}`, { throwIfNoEntry: false });
      if (!st) {
        if (ifMissing) throw invalidParameter(ifMissing);
        mkdirSync(`${this.root}/${p}`, 0o755);
      } else if (st.isSymbolicLink()) {
        throw invalidParameter(`layer entry "${entry}" is under "${p}", which is a symlink: refusing to write through it`);
      } else if (!st.isDirectory()) {
        throw invalidParameter(`layer entry "${entry}": "${p}" is not a directory`);
      }
      this.dirs.add(p);
    }
  }

  isKnownDir(rel: string): boolean {
    return this.dirs.has(rel);
  }

  addDir(rel: string): void {
    this.dirs.add(rel);
  }

  /** Forgets `rel` and the directories under it (it is being removed or replaced). */
  forget(rel: string): void {
    if (!this.dirs.delete(rel)) return;
    const prefix = `${rel}/`;
    for (const d of this.dirs) if (d.startsWith(prefix)) this.dirs.delete(d);
  }
}
