// Applies one layer tar to a directory: files with their owners, modes (setuid/setgid/
// sticky), times, xattrs, links and device nodes; whiteouts become overlay whiteouts
// or deletions. Every byte that is not file content goes to the tar-split record.
import {
  closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, chmodSync, linkSync, lstatSync,
  lutimesSync, mkdirSync, open, openSync, readdirSync, readFileSync, rmSync, symlinkSync, write, writeSync,
} from "node:fs";
import { invalidParameter } from "../errors.ts";
import { ErrnoError, lsetxattr, mknod } from "../sys/libc.ts";
import { cleanName, ParentGuard } from "../archive/paths.ts";
import { decompress } from "../archive/tar/decompress.ts";
import type { Header } from "../archive/tar/header.ts";
import { readTar, truncation, type TarEntry } from "../archive/tar/reader.ts";
import { ByteSource } from "../archive/tar/source.ts";
import type { FileSegment, TarSplitBuilder } from "./tarsplit.ts";
import type { Digest } from "./types.ts";

export type WhiteoutMode = "overlay" | "delete";

export interface ApplyResult {
  diffId: Digest;
  /** Bytes of the regular files the tar holds. */
  size: number;
}

const WH = ".wh.";
const OPAQUE = ".wh..wh..opq";
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const ENOTSUP = 95;
const EPERM = 1;
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
// Files are created with their final permission bits when the umask leaves them alone.
const UMASK = process.umask();
/** Layers being applied right now in this process. */
let applying = 0;
/** A plain write that takes longer than this is blocking in the filesystem. */
let slowWriteMs = 20;

/** For tests: where a write counts as blocking (below 0: every write). Returns the old value. */
export function setSlowWriteMs(ms: number): number {
  const old = slowWriteMs;
  slowWriteMs = ms;
  return old;
}

/**
 * `fresh`: `root` starts empty (overlay2 diffs), so a path this tar has not made does
 * not exist and needs no lstat; vfs layer dirs start as a copy of their parent.
 */
export async function applyLayer(
  input: AsyncIterable<Uint8Array>,
  root: string,
  whiteouts: WhiteoutMode,
  split: TarSplitBuilder,
  fresh = false,
): Promise<ApplyResult> {
  const src = new ByteSource(decompress(input));
  const a = new Applier(root, whiteouts, split, fresh);
  applying++;
  try {
    for await (const entry of readTar(src, split)) await a.entry(entry);
  } catch (e) {
    throw truncation(e, src);
  } finally {
    applying--;
  }
  a.finish();
  return { diffId: src.digest(), size: a.size };
}

class Applier {
  size = 0;
  /** A write of this layer blocked for long: the rest go through the thread pool. */
  private slow = false;
  private readonly guard: ParentGuard;
  /** Regular files of this tar whose content is still on disk at that path. */
  private readonly files = new Map<string, FileSegment>();
  /** Every path this tar made (an opaque directory keeps these under vfs). */
  private readonly made = new Set<string>();
  private readonly dirTimes: Array<[string, number, number]> = [];

  constructor(
    private readonly root: string,
    private readonly whiteouts: WhiteoutMode,
    private readonly split: TarSplitBuilder,
    private readonly fresh: boolean,
  ) {
    this.guard = new ParentGuard(root);
  }

  /** Whether something may already be at `rel` (always, unless the dir started empty). */
  private mayExist(rel: string): boolean {
    return !this.fresh || this.made.has(rel) || this.guard.isKnownDir(rel);
  }

  private full(rel: string): string {
    return rel ? `${this.root}/${rel}` : this.root;
  }

  async entry(e: TarEntry): Promise<void> {
    const h = e.header;
    const rel = cleanName(h.name);
    if (h.linkname.includes("\0")) throw invalidParameter(`layer entry "${h.name}" has a NUL byte in its link target`);
    const base = rel.slice(rel.lastIndexOf("/") + 1);
    if (rel) this.guard.ensureParents(rel, h.name);
    if (base.startsWith(WH)) return this.whiteout(h, rel, base);
    if (!rel && h.type !== "5") throw invalidParameter(`layer entry "${h.name}" would replace the layer root with a non-directory`);
    const full = this.full(rel);
    let exists = rel === "";
    if (rel && this.mayExist(rel)) {
      const st = lstatSync(full, { throwIfNoEntry: false });
      if (st && !(st.isDirectory() && h.type === "5")) this.remove(rel, st.isDirectory());
      else exists = !!st;
    }
    switch (h.type) {
      case "0":
      case "7":
        await this.regular(e, rel, full);
        break;
      case "5":
        if (!exists) mkdirSync(full, 0o755);
        this.guard.addDir(rel);
        this.owner(full, h);
        this.dirTimes.push([full, atimeOf(h), h.mtime]);
        break;
      case "2":
        symlinkSync(h.linkname, full);
        this.owner(full, h, false);
        lutimesSync(full, atimeOf(h), h.mtime);
        break;
      case "1":
        this.hardlink(h, full);
        break;
      case "3":
      case "4":
      case "6": {
        const kind = h.type === "3" ? S_IFCHR : h.type === "4" ? S_IFBLK : S_IFIFO;
        mknod(full, kind | (h.mode & 0o7777), h.devmajor, h.devminor);
        this.owner(full, h);
        lutimesSync(full, atimeOf(h), h.mtime);
        break;
      }
      default:
        throw invalidParameter(`layer entry "${h.name}" has tar type "${h.type}", which wharf does not support`);
    }
    this.made.add(rel);
  }

  private async regular(e: TarEntry, rel: string, full: string): Promise<void> {
    const h = e.header;
    const perm = h.mode & 0o7777;
    // Plain syscalls cost least: into the page cache a create or write takes
    // microseconds, and a thread-pool round trip for each costs more than it saves
    // (interleaved A/B on the pull bench, 6 pairs of 4 pulls: pooled 1563-1885 ms and
    // 1110-1405 ms of daemon CPU, plain 1500-1786 ms and 990-1205 ms). But a write that
    // blocks (writeback throttling, a slow disk) would stall the whole daemon, so once
    // one takes long while other layers apply too, this layer's files go to the pool.
    const pooled = this.slow && applying > 1;
    const fd = pooled ? await openAsync(full, CREATE, perm & 0o777) : openSync(full, CREATE, perm & 0o777);
    let pending: Promise<void> | undefined;
    try {
      for await (const chunk of e.content()) {
        if (!pooled) {
          const t0 = performance.now();
          let off = 0;
          while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
          if (performance.now() - t0 > slowWriteMs) this.slow = true;
          continue;
        }
        if (pending) await pending;
        pending = writeAllAsync(fd, chunk);
        pending.catch(() => {}); // awaited below; until then not an unhandled rejection
      }
      if (pending) await pending;
      pending = undefined;
      // chown before chmod: chown clears setuid/setgid
      fchownSync(fd, h.uid, h.gid);
      if (perm & (0o7000 | UMASK)) fchmodSync(fd, perm);
      this.xattrs(full, h);
      futimesSync(fd, atimeOf(h), h.mtime);
    } finally {
      // Never close under a write still in flight: the fd number could be reused.
      if (pending) await pending.catch(() => {});
      closeSync(fd);
    }
    this.files.set(rel, this.split.file(rel, h.size));
    this.size += h.size;
  }

  private hardlink(h: Header, full: string): void {
    const target = cleanName(h.linkname, `hard link "${h.name}" target`);
    if (!target) throw invalidParameter(`hard link "${h.name}" points to the layer root`);
    const missing = `hard link "${h.name}" points to "${h.linkname}", which is not in the layer`;
    this.guard.ensureParents(target, h.name, missing);
    const st = lstatSync(this.full(target), { throwIfNoEntry: false });
    if (!st) throw invalidParameter(missing);
    if (st.isDirectory()) throw invalidParameter(`hard link "${h.name}" points to the directory "${h.linkname}"`);
    // The inode keeps the owner, mode and times of the entry that made it (what Docker
    // effectively does too: its chmod/chtimes of links look the target up outside the layer).
    linkSync(this.full(target), full);
  }

  private whiteout(h: Header, rel: string, base: string): void {
    const slash = rel.lastIndexOf("/");
    const parent = slash === -1 ? "" : rel.slice(0, slash);
    if (base === OPAQUE) {
      if (this.whiteouts === "overlay") lsetxattr(this.full(parent), "trusted.overlay.opaque", Buffer.from("y"));
      else {
        for (const name of readdirSync(this.full(parent))) {
          const child = parent ? `${parent}/${name}` : name;
          if (this.made.has(child)) continue;
          this.remove(child, lstatSync(this.full(child)).isDirectory());
        }
      }
      return;
    }
    if (base.startsWith(WH + WH)) return; // AUFS bookkeeping (hard link dirs): nothing to apply
    const name = base.slice(WH.length);
    if (!name || name === "." || name === "..") throw invalidParameter(`layer entry "${h.name}" is a whiteout of "${name}", which names no file`);
    const target = parent ? `${parent}/${name}` : name;
    const st = lstatSync(this.full(target), { throwIfNoEntry: false });
    if (st) this.remove(target, st.isDirectory());
    if (this.whiteouts === "overlay") {
      mknod(this.full(target), S_IFCHR, 0, 0);
      lchownSync(this.full(target), h.uid, h.gid);
      this.made.add(target);
    }
  }

  /** Removes a path, first keeping inline any content of this tar that lived there. */
  private remove(rel: string, isDir: boolean): void {
    const keep = (p: string, seg: FileSegment) => {
      seg.inline = readFileSync(this.full(p));
      this.files.delete(p);
    };
    const seg = this.files.get(rel);
    if (seg) keep(rel, seg);
    if (isDir && this.guard.isKnownDir(rel)) {
      const prefix = `${rel}/`;
      for (const [p, s] of this.files) if (p.startsWith(prefix)) keep(p, s);
    }
    rmSync(this.full(rel), { recursive: true, force: true });
    this.guard.forget(rel);
  }

  private owner(full: string, h: Header, chmod = true): void {
    lchownSync(full, h.uid, h.gid);
    if (chmod) chmodSync(full, h.mode & 0o7777);
    this.xattrs(full, h);
  }

  private xattrs(full: string, h: Header): void {
    for (const [k, v] of h.xattrs) {
      // overlay's own attributes (redirect, metacopy, origin...) would change how the
      // kernel merges the layers; whiteouts and opaque dirs come only from .wh. entries.
      if (k.startsWith("trusted.overlay.")) continue;
      try {
        lsetxattr(full, k, v);
      } catch (err) {
        // Like Docker: not every filesystem takes every attribute namespace.
        if (!(err instanceof ErrnoError && (err.errno === ENOTSUP || err.errno === EPERM))) throw err;
      }
    }
  }

  /** Directory times go last: creating their children changed them. */
  finish(): void {
    for (let i = this.dirTimes.length - 1; i >= 0; i--) {
      const [p, at, mt] = this.dirTimes[i]!;
      if (lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) lutimesSync(p, at, mt);
    }
  }
}

function openAsync(path: string, flags: number, mode: number): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, mode, (err, fd) => (err ? reject(err) : resolve(fd))));
}

function writeAllAsync(fd: number, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (off: number) =>
      write(fd, chunk, off, chunk.length - off, null, (err, n) => {
        if (err) reject(err);
        else if (off + n < chunk.length) from(off + n);
        else resolve();
      });
    from(0);
  });
}

/** Go's archive code never sets atime before mtime. */
function atimeOf(h: Header): number {
  return h.atime !== undefined && h.atime > h.mtime ? h.atime : h.mtime;
}
