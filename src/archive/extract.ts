// Extracts an uploaded tar (PUT /containers/{id}/archive) into a directory inside a
// container's root, as Docker's Untar does: names relative to the destination, owners
// from the tar (or one owner for all), `noOverwriteDirNonDir`. Writes stay inside the
// destination: `..` climbing above it is refused (cleanName), and no write goes
// through a symlink (ParentGuard), whoever made it.
import {
  chmodSync, closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync,
  mkdirSync, openSync, rmSync, symlinkSync, writeSync,
} from "node:fs";
import { invalidParameter } from "../errors.ts";
import { mknod } from "../sys/libc.ts";
import { cleanName, ParentGuard } from "./paths.ts";
import { decompress } from "./tar/decompress.ts";
import { readTar, truncation } from "./tar/reader.ts";
import { ByteSource } from "./tar/source.ts";
import type { Header } from "./tar/header.ts";

export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
  /** Every entry gets this owner (copyUIDGID with the container's user); else the tar's. */
  owner?: { uid: number; gid: number };
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const noRaw = { raw() {} };

export async function extractInto(dest: string, input: AsyncIterable<Uint8Array>, opts: ExtractOptions): Promise<void> {
  const src = new ByteSource(decompress(input));
  const guard = new ParentGuard(dest);
  const dirTimes: Array<[string, number]> = [];
  const full = (rel: string) => (rel ? `${dest}/${rel}` : dest);
  try {
    for await (const e of readTar(src, noRaw)) {
      const h = e.header;
      if (h.type === "g" || h.type === "x") continue;
      const isDir = h.type === "5" || (h.legacy && h.name.endsWith("/"));
      const rel = cleanName(h.name, "archive entry");
      if (!rel) {
        // The destination itself: Docker leaves it alone.
        continue;
      }
      guard.ensureParents(rel, h.name);
      const path = full(rel);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (st) {
        if (opts.noOverwriteDirNonDir && st.isDirectory() && !isDir) {
          throw invalidParameter(`cannot overwrite directory "${path.slice(dest.length) || "/"}" with non-directory "${h.name}"`);
        }
        if (opts.noOverwriteDirNonDir && !st.isDirectory() && isDir) {
          throw invalidParameter(`cannot overwrite non-directory "${path.slice(dest.length)}" with directory "${h.name}"`);
        }
        if (!(st.isDirectory() && isDir)) {
          rmSync(path, { recursive: true, force: true });
          guard.forget(rel);
        }
      }
      const uid = opts.owner?.uid ?? h.uid;
      const gid = opts.owner?.gid ?? h.gid;
      if (isDir) {
        if (!st?.isDirectory()) mkdirSync(path, 0o755);
        guard.addDir(rel);
        lchownSync(path, uid, gid);
        chmodSync(path, h.mode & 0o7777);
        dirTimes.push([path, h.mtime]);
        continue;
      }
      switch (h.type) {
        case "0":
        case "7": {
          const fd = openSync(path, CREATE, 0o600);
          try {
            for await (const chunk of e.content()) {
              let off = 0;
              while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
            }
            fchownSync(fd, uid, gid);
            fchmodSync(fd, h.mode & 0o7777);
            futimesSync(fd, h.mtime, h.mtime);
          } finally {
            closeSync(fd);
          }
          break;
        }
        case "2":
          symlinkSync(h.linkname, path);
          lchownSync(path, uid, gid);
          lutimesSync(path, h.mtime, h.mtime);
          break;
        case "1":
          hardlink(dest, guard, h, path);
          break;
        case "3":
        case "4":
        case "6":
          mknod(path, (h.type === "3" ? S_IFCHR : h.type === "4" ? S_IFBLK : S_IFIFO) | (h.mode & 0o7777), h.devmajor, h.devminor);
          lchownSync(path, uid, gid);
          break;
        default:
          throw invalidParameter(`archive entry "${h.name}" has tar type "${h.type}", which wharf does not support`);
      }
    }
  } catch (err) {
    throw truncation(err, src);
  }
  for (let i = dirTimes.length - 1; i >= 0; i--) {
    const [p, t] = dirTimes[i]!;
    lutimesSync(p, t, t);
  }
}

function hardlink(dest: string, guard: ParentGuard, h: Header, path: string): void {
  const target = cleanName(h.linkname, `hard link "${h.name}" target`);
  const missing = `hard link "${h.name}" points to "${h.linkname}", which is not in the archive`;
  if (!target) throw invalidParameter(missing);
  guard.ensureParents(target, h.name, missing);
  const st = lstatSync(`${dest}/${target}`, { throwIfNoEntry: false });
  if (!st || st.isDirectory()) throw invalidParameter(missing);
  linkSync(`${dest}/${target}`, path);
}
