// Image archives (docker load and save) over the one tar reader (archive/tar/) and
// writer (archive/tarwriter.ts): entries as load walks them, broken input reported in
// docker's words, and the header pieces save writes.
import { headerBlocks, padding, tarEnd } from "../archive/tarwriter.ts";
import { readTar as readTarEntries, type TarFaults } from "../archive/tar/reader.ts";
import { BLOCK } from "../archive/tar/header.ts";
import { ByteSource, TruncatedError } from "../archive/tar/source.ts";
import { invalidParameter } from "../errors.ts";

export type EntryType = "file" | "dir" | "symlink" | "link" | "other";

export interface TarEntry {
  name: string;
  type: EntryType;
  size: number;
  mode: number;
  linkname: string;
  /** The entry's bytes; must be consumed before the next entry is asked for. */
  body(): AsyncIterable<Uint8Array>;
}

const truncated = () => invalidParameter("invalid archive: unexpected end of data (the archive is truncated)");

const imageFaults: TarFaults = {
  truncated: (at) => (at < BLOCK ? invalidParameter("invalid archive: not a tar archive (shorter than one tar header)") : truncated()),
  checksum: () => invalidParameter("invalid archive: a tar header has a bad checksum (not a tar file, or corrupt)"),
};

const typeOf = (flag: string): EntryType =>
  flag === "0" || flag === "7" ? "file" : flag === "5" ? "dir" : flag === "2" ? "symlink" : flag === "1" ? "link" : "other";

// Types whose size field Go's archive/tar (and the reader) ignores: they have no body.
const headerOnly = new Set(["1", "2", "3", "4", "5", "6"]);

/** A body read by the caller: a cut there is the archive's truncation too. */
async function* body(content: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* content;
  } catch (e) {
    throw e instanceof TruncatedError ? truncated() : e;
  }
}

/**
 * The entries of an image archive one at a time; each entry's body must be read (or is
 * skipped) before the next comes. Formats: ustar, GNU long names, PAX.
 */
export async function* readTar(src: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  // Ours to end: a load that fails part way lets go of the upload (and its gunzip) at once.
  const it = src[Symbol.asyncIterator]();
  const bytes = new ByteSource({ [Symbol.asyncIterator]: () => it }, { hash: false });
  try {
    for await (const e of readTarEntries(bytes, { raw() {} }, imageFaults)) {
      const h = e.header;
      yield {
        name: h.name,
        type: typeOf(h.type),
        size: headerOnly.has(h.type) ? 0 : h.size,
        mode: h.mode,
        linkname: h.linkname,
        body: () => body(e.content()),
      };
    }
    if (bytes.offset === 0) throw invalidParameter("invalid archive: the archive is empty");
  } finally {
    await it.return?.();
  }
}

/** One entry's header as save writes them: root-owned, ustar (PAX only for long names). */
export function tarHeader(e: { name: string; size: number; mode?: number; type?: "file" | "dir" | "symlink"; linkname?: string; mtime?: number }): Uint8Array {
  const type = e.type === "dir" ? "5" : e.type === "symlink" ? "2" : "0";
  const blocks = headerBlocks({
    name: e.name,
    type,
    mode: e.mode ?? (e.type === "dir" ? 0o755 : 0o644),
    uid: 0,
    gid: 0,
    size: type === "0" ? e.size : 0,
    mtime: Math.floor(e.mtime ?? 0),
    linkname: e.linkname,
  });
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
}

export { padding as tarPadding, tarEnd };
