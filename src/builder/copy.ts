// COPY and ADD into a mounted root: sources matched in the context (or another stage's
// root), copied with owner root (or --chown) and their modes (or --chmod); ADD unpacks
// local tar archives. Both sides are resolved in scope, so no link leads outside.
import { createHash } from "node:crypto";
import {
  chmodSync, closeSync, copyFileSync, lchownSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync,
  readSync, rmSync, statSync, symlinkSync, writeFileSync,
} from "node:fs";
import { extractInto } from "../archive/extract.ts";
import { createReadStream } from "node:fs";
import type { ContextFile } from "./context.ts";
import { ignored, parseDockerignore } from "./dockerignore.ts";
import { cleanRel, resolveInRoot } from "./scope.ts";
import { BuildError } from "./types.ts";

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopyPlan {
  /** Clean paths (relative to the source root) the sources matched. */
  matched: string[];
  /** Source files known with checksums (the context); absent for another stage's root. */
  files?: Map<string, ContextFile>;
}

const hasGlob = (p: string) => /[*?[]/.test(p);

function globRegex(p: string): RegExp {
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = p.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const cls = p.slice(i + 1, end);
        re += `[${cls.startsWith("^") || cls.startsWith("!") ? "^" + cls.slice(1) : cls}]`;
        i = end;
      }
    } else if (ch === "\\" && i + 1 < p.length) re += p[++i]!.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
    else re += ch.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function walk(root: string, rel: string, out: string[]): void {
  for (const name of readdirSync(rel ? `${root}/${rel}` : root)) {
    const r = rel ? `${rel}/${name}` : name;
    out.push(r);
    const st = lstatSync(`${root}/${r}`);
    if (st.isDirectory()) walk(root, r, out);
  }
}

/** Matches the sources as written against the source root; errors as Docker's classic builder words them. */
export function matchSources(root: string, srcs: string[], kind: string, files?: Map<string, ContextFile>): CopyPlan {
  const matched: string[] = [];
  let all: string[] | undefined;
  for (const s of srcs) {
    const clean = cleanRel(s);
    if (hasGlob(clean)) {
      all ??= files ? [...files.keys()] : (() => {
        const o: string[] = [];
        walk(root, "", o);
        return o;
      })();
      const re = globRegex(clean);
      const hits = all.filter((p) => re.test(p));
      if (!hits.length) throw new BuildError(`${kind} failed: no source files were specified`);
      // A matched link is followed in scope too: the real file may sit elsewhere in the root.
      matched.push(...hits.map((h) => resolveInRoot(root, h)));
      continue;
    }
    const real = resolveInRoot(root, clean);
    if (!lstatSync(real ? `${root}/${real}` : root, { throwIfNoEntry: false })) {
      throw new BuildError(`${kind} failed: file not found in build context or excluded by .dockerignore: stat ${clean || "."}: file does not exist`);
    }
    matched.push(real);
  }
  return { matched, files };
}

/** The content key of what a COPY reads: names, types, modes and checksums below each source. */
export function sourcesDigest(root: string, plan: CopyPlan): string {
  const h = createHash("sha256");
  let dirs = 0;
  for (const m of plan.matched) {
    const st = lstatSync(m ? `${root}/${m}` : root);
    if (st.isDirectory()) dirs++;
    const under = m ? `${m}/` : "";
    const entries = plan.files
      ? [...plan.files].filter(([p]) => p === m || p.startsWith(under) || m === "")
      : listFs(root, m).map((p) => [p, fsEntry(root, p)] as [string, ContextFile]);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    h.update(`${m}\0`);
    for (const [p, f] of entries) h.update(`${p}\0${f.type}\0${f.mode}\0${f.sum ?? f.link ?? ""}\n`);
  }
  const kind = plan.matched.length > 1 ? "multi" : dirs ? "dir" : "file";
  return `${kind}:${h.digest("hex")}`;
}

function listFs(root: string, m: string): string[] {
  const st = lstatSync(m ? `${root}/${m}` : root);
  const out = [m];
  if (st.isDirectory()) walk(root, m, out);
  return out;
}

function fsEntry(root: string, p: string): ContextFile {
  const full = p ? `${root}/${p}` : root;
  const st = lstatSync(full);
  if (st.isSymbolicLink()) return { type: "symlink", mode: 0o777, link: readlinkSync(full) };
  if (st.isDirectory()) return { type: "dir", mode: st.mode & 0o7777 };
  return { type: "file", mode: st.mode & 0o7777, sum: createHash("sha256").update(readFileSync(full)).digest("hex") };
}

export interface CopyOptions {
  owner: Owner;
  chmod?: number;
  exclude: string[];
  parents: boolean;
  /** ADD: local archives are unpacked. */
  unpack: boolean;
}

/** Copies the matched sources from `srcRoot` to `dest` (absolute, in the image) inside `root`. */
export async function copyInto(srcRoot: string, plan: CopyPlan, root: string, dest: string, o: CopyOptions): Promise<void> {
  const excl = parseDockerignore(o.exclude.join("\n"));
  const destIsDir = dest.endsWith("/") || plan.matched.length > 1 || isDir(root, dest);
  for (const m of plan.matched) {
    const src = m ? `${srcRoot}/${m}` : srcRoot;
    const st = statSync(src);
    const base = m.split("/").pop() ?? "";
    const parentPart = o.parents ? m.split("/").slice(0, -1).join("/") : "";
    if (st.isDirectory()) {
      const to = o.parents ? join(dest, m) : dest;
      const d = mkdirs(root, to, o.owner);
      copyTree(src, `${root}/${d}`, "", excl, o);
      continue;
    }
    if (excl.length && ignored(excl, m)) continue;
    if (o.unpack && isArchive(src)) {
      const d = mkdirs(root, parentPart ? join(dest, parentPart) : dest, o.owner);
      await extractInto(d ? `${root}/${d}` : root, createReadStream(src), { noOverwriteDirNonDir: false });
      continue;
    }
    const target = destIsDir ? join(join(dest, parentPart), base) : dest;
    const parent = mkdirs(root, target.split("/").slice(0, -1).join("/") || "/", o.owner);
    const name = target.split("/").pop()!;
    copyFile(src, `${root}/${parent ? parent + "/" : ""}${name}`, st.mode, st.mtime, o);
  }
}

/** A heredoc source (`COPY <<EOF /f`) written as a file. */
export function writeContent(root: string, dest: string, name: string, data: string, o: CopyOptions): void {
  const target = dest.endsWith("/") || isDir(root, dest) ? join(dest, name) : dest;
  const parent = mkdirs(root, target.split("/").slice(0, -1).join("/") || "/", o.owner);
  const path = `${root}/${parent ? parent + "/" : ""}${target.split("/").pop()}`;
  rmSync(path, { force: true, recursive: true });
  writeFileSync(path, data, { mode: 0o644 });
  chmodSync(path, o.chmod ?? 0o644);
  lchownSync(path, o.owner.uid, o.owner.gid);
}

const join = (a: string, b: string) => (b ? `${a.replace(/\/+$/, "")}/${b}` : a);

function isDir(root: string, dest: string): boolean {
  const real = resolveInRoot(root, cleanRel(dest));
  return !!lstatSync(real ? `${root}/${real}` : root, { throwIfNoEntry: false })?.isDirectory();
}

/** Creates `dir` (absolute in the image) with its missing parents; returns its real relative path. */
export function mkdirs(root: string, dir: string, owner: Owner): string {
  const parts = cleanRel(dir).split("/").filter(Boolean);
  let real = "";
  for (const p of parts) {
    real = resolveInRoot(root, real ? `${real}/${p}` : p);
    const full = `${root}/${real}`;
    const st = lstatSync(full, { throwIfNoEntry: false });
    if (!st) {
      mkdirSync(full, 0o755);
      lchownSync(full, owner.uid, owner.gid);
    } else if (!st.isDirectory()) throw new BuildError(`cannot copy to non-directory: /${real}`);
  }
  return real;
}

function copyFile(src: string, dst: string, mode: number, mtime: Date, o: CopyOptions): void {
  const st = lstatSync(dst, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new BuildError(`cannot overwrite directory "${dst}" with non-directory`);
  if (st) rmSync(dst, { force: true });
  copyFileSync(src, dst);
  lchownSync(dst, o.owner.uid, o.owner.gid);
  chmodSync(dst, o.chmod ?? mode & 0o7777);
  lutimesSync(dst, mtime, mtime);
}

function copyTree(src: string, dst: string, rel: string, excl: ReturnType<typeof parseDockerignore>, o: CopyOptions): void {
  for (const name of readdirSync(src)) {
    const r = rel ? `${rel}/${name}` : name;
    if (excl.length && ignored(excl, r)) continue;
    const s = `${src}/${name}`;
    const d = `${dst}/${name}`;
    const st = lstatSync(s);
    const have = lstatSync(d, { throwIfNoEntry: false });
    if (st.isDirectory()) {
      if (have && !have.isDirectory()) rmSync(d, { force: true, recursive: true });
      if (!have?.isDirectory()) mkdirSync(d);
      lchownSync(d, o.owner.uid, o.owner.gid);
      chmodSync(d, o.chmod ?? st.mode & 0o7777);
      copyTree(s, d, r, excl, o);
      lutimesSync(d, st.mtime, st.mtime);
    } else if (st.isSymbolicLink()) {
      if (have) rmSync(d, { force: true, recursive: true });
      symlinkSync(readlinkSync(s), d);
      lchownSync(d, o.owner.uid, o.owner.gid);
    } else if (st.isFile()) {
      if (have?.isDirectory()) rmSync(d, { force: true, recursive: true });
      copyFile(s, d, st.mode, st.mtime, o);
    }
  }
}

function isArchive(path: string): boolean {
  const fd = openSync(path, "r");
  const b = Buffer.alloc(512);
  let n = 0;
  try {
    n = readSync(fd, b, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  if (b[0] === 0x1f && b[1] === 0x8b) return true;
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return true;
  if (n < 512) return false;
  return b.subarray(257, 262).toString() === "ustar";
}

/** `--chown=user:group` with names looked up in the image's /etc/passwd and /etc/group. */
export function resolveOwner(root: string, spec: string | undefined): Owner {
  if (!spec) return { uid: 0, gid: 0 };
  const [u, g] = spec.split(":");
  const lookup = (file: string, name: string, field: number): number => {
    if (/^\d+$/.test(name)) return Number(name);
    let text = "";
    try {
      text = readFileSync(`${root}/${resolveInRoot(root, file)}`, "utf8");
    } catch {}
    for (const line of text.split("\n")) {
      const f = line.split(":");
      if (f[0] === name) return Number(f[field]);
    }
    throw new BuildError(`unable to convert uid/gid chown string to host mapping: can't find ${file === "etc/passwd" ? "uid" : "gid"} for ${file === "etc/passwd" ? "user" : "group"} ${name}: no such ${file === "etc/passwd" ? "user" : "group"}`);
  };
  const uid = lookup("etc/passwd", u!, 2);
  let gid: number;
  if (g !== undefined) gid = lookup("etc/group", g, 2);
  else if (/^\d+$/.test(u!)) gid = uid;
  else {
    // A user name without a group: that user's primary group.
    const text = (() => {
      try {
        return readFileSync(`${root}/${resolveInRoot(root, "etc/passwd")}`, "utf8");
      } catch {
        return "";
      }
    })();
    gid = Number(text.split("\n").find((l) => l.split(":")[0] === u)?.split(":")[3] ?? uid);
  }
  return { uid, gid };
}
