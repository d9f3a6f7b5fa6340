// Context files the daemon has had before, kept by content: a file of a new context
// whose sha256 and mode match one is linked to it instead of written again, so a
// rebuild of an unchanged context writes (and later deletes) no file data. Files up to
// `maxHeld` are held in memory until their hash is known; bigger ones are written as
// they come and not kept. The store is bounded (oldest use goes first) and emptied by
// builder prune. Context files are never written in place, only unlinked, so sharing
// inodes with the store is safe; a read-write bind of the context gets copies first.
import { chmodSync, closeSync, constants, copyFileSync, fchmodSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import { join } from "node:path";

/** Files up to this size wait in memory for their hash (one at a time per context). */
export const maxHeld = 8 << 20;
/** Bytes of content the store keeps. */
const capacity = 1 << 30;
/** Bytes added between two sweeps of the store. */
const sweepEvery = 64 << 20;

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

export class BlobStore {
  private added = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private path(sum: string, mode: number): string {
    return join(this.dir, `${sum}-${mode.toString(8)}`);
  }

  /** Puts a file with this content and mode at `dest`: linked from the store when it has one, else written and kept. */
  place(dest: string, sum: string, mode: number, chunks: Uint8Array[], size: number): void {
    const blob = this.path(sum, mode);
    try {
      linkSync(blob, dest);
      // Its use, for the sweep's oldest-first order.
      const now = new Date();
      utimesSync(blob, now, now);
      return;
    } catch {}
    writeFile(dest, mode, chunks);
    try {
      linkSync(dest, blob);
      this.added += size;
    } catch {}
    if (this.added >= sweepEvery) this.sweep();
  }

  /** Drops the least recently used blobs until the store fits its capacity. */
  sweep(): void {
    this.added = 0;
    const blobs: { p: string; size: number; used: number }[] = [];
    let total = 0;
    for (const name of readdirSync(this.dir)) {
      const p = join(this.dir, name);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      blobs.push({ p, size: st.size, used: st.mtimeMs });
      total += st.size;
    }
    blobs.sort((a, b) => a.used - b.used);
    for (const b of blobs) {
      if (total <= capacity) break;
      rmSync(b.p, { force: true });
      total -= b.size;
    }
  }

  /** Bytes held (for prune's answer), and the store emptied. */
  clear(): number {
    let n = 0;
    for (const name of readdirSync(this.dir)) {
      const p = join(this.dir, name);
      const st = statSync(p, { throwIfNoEntry: false });
      // A blob a live context still links is not freed by its removal here.
      if (st && st.nlink === 1) n += st.size;
      rmSync(p, { force: true });
    }
    return n;
  }
}

export function writeFile(dest: string, mode: number, chunks: Uint8Array[]): void {
  const fd = openSync(dest, CREATE, 0o600);
  try {
    for (const c of chunks) for (let off = 0; off < c.length; ) off += writeSync(fd, c, off, c.length - off);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/** Every file under `path` that shares its inode (with the store) gets one of its own: a read-write bind may write to it. */
export function unshare(path: string): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) {
    for (const name of readdirSync(path)) unshare(join(path, name));
    return;
  }
  if (!st.isFile() || st.nlink < 2) return;
  const tmp = `${path}.unshare-${process.pid}`;
  copyFileSync(path, tmp);
  chmodSync(tmp, st.mode & 0o7777);
  renameSync(tmp, path);
}
