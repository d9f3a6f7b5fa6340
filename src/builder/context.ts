// The build context: the request body (a tar, plain/gzip/zstd, or a bare Dockerfile)
// streamed to a directory, each regular file hashed as it passes, so COPY's cache key
// needs no second read. Names are cleaned (no `..` above the root) and nothing is
// written through a symlink the context itself made.
import { createHash } from "node:crypto";
import { chmodSync, closeSync, constants, fchmodSync, linkSync, lstatSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { invalidParameter } from "../errors.ts";
import { cleanName, ParentGuard } from "../archive/paths.ts";
import { decompress } from "../archive/tar/decompress.ts";
import { readTar } from "../archive/tar/reader.ts";
import { ByteSource } from "../archive/tar/source.ts";
import { checksumOk } from "../archive/tar/header.ts";
import { maxHeld, type BlobStore } from "./blobs.ts";

export interface ContextFile {
  /** sha256 hex of the content, for regular files. */
  sum?: string;
  mode: number;
  type: "file" | "dir" | "symlink";
  link?: string;
}

export interface BuildContext {
  root: string;
  /** Every entry by its clean relative path. */
  files: Map<string, ContextFile>;
  /** The body was a Dockerfile, not an archive. */
  bareDockerfile: boolean;
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** `blobs`: the store of context files had before (blobs.ts); without it every file is written. */
export async function receiveContext(body: AsyncIterable<Uint8Array>, root: string, dockerfileName: string, blobs?: BlobStore): Promise<BuildContext> {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const plain = decompress(body);
  const { head, rest } = await peek(plain, 512);
  const files = new Map<string, ContextFile>();
  if (head.length === 0 || head.length < 512 || !checksumOk(Buffer.from(head.subarray(0, 512)))) {
    // Not an archive: the body is the Dockerfile itself (`docker build - < Dockerfile`).
    const chunks: Uint8Array[] = [head];
    for await (const c of rest) chunks.push(c);
    const text = Buffer.concat(chunks);
    writeFileSync(`${root}/${dockerfileName}`, text, { mode: 0o644 });
    files.set(dockerfileName, { type: "file", mode: 0o644, sum: createHash("sha256").update(text).digest("hex") });
    return { root, files, bareDockerfile: true };
  }
  const src = new ByteSource(coalesce(prepend(head, rest), 1 << 19), { hash: false });
  const guard = new ParentGuard(root);
  try {
    await extractEntries(src, root, guard, files, blobs);
  } catch (err) {
    // The docker CLI's rewritten context (a Dockerfile from outside added) can end right
    // after the last file, without its padding; dockerd takes it, and so does this.
    if (!(err instanceof Error && /padding missing$/.test(err.message))) throw err;
  }
  return { root, files, bareDockerfile: false };
}

async function extractEntries(src: ByteSource, root: string, guard: ParentGuard, files: Map<string, ContextFile>, blobs?: BlobStore): Promise<void> {
  for await (const e of readTar(src, { raw() {} })) {
    const h = e.header;
    if (h.type === "g" || h.type === "x") continue;
    let rel: string;
    try {
      rel = cleanName(h.name, "build context entry");
    } catch {
      throw invalidParameter(`build context entry "${h.name}" points outside the context`);
    }
    if (!rel) continue;
    guard.ensureParents(rel, h.name);
    const path = `${root}/${rel}`;
    const isDir = h.type === "5" || (h.legacy && h.name.endsWith("/"));
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st && !(st.isDirectory() && isDir)) {
      rmSync(path, { recursive: true, force: true });
      guard.forget(rel);
    }
    const mode = h.mode & 0o7777;
    if (isDir) {
      if (!st?.isDirectory()) mkdirSync(path, 0o755);
      chmodSync(path, mode | 0o700);
      guard.addDir(rel);
      files.set(rel, { type: "dir", mode });
    } else if ((h.type === "0" || h.type === "7") && blobs && h.size <= maxHeld) {
      // Held until hashed: the store may have it, and then nothing is written.
      const hash = createHash("sha256");
      const chunks: Uint8Array[] = [];
      for await (const chunk of e.content()) {
        hash.update(chunk);
        chunks.push(chunk);
      }
      const sum = hash.digest("hex");
      blobs.place(path, sum, mode, chunks, h.size);
      files.set(rel, { type: "file", mode, sum });
    } else if (h.type === "0" || h.type === "7") {
      const hash = createHash("sha256");
      const fd = openSync(path, CREATE, 0o600);
      try {
        for await (const chunk of e.content()) {
          hash.update(chunk);
          let off = 0;
          while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
        }
        fchmodSync(fd, mode);
      } finally {
        closeSync(fd);
      }
      files.set(rel, { type: "file", mode, sum: hash.digest("hex") });
    } else if (h.type === "2") {
      symlinkSync(h.linkname, path);
      files.set(rel, { type: "symlink", mode: 0o777, link: h.linkname });
    } else if (h.type === "1") {
      const target = cleanName(h.linkname, "build context hard link");
      const t = files.get(target);
      if (!t || t.type !== "file") throw invalidParameter(`build context hard link "${h.name}" points to "${h.linkname}", which is not in the context`);
      linkSync(`${root}/${target}`, path);
      files.set(rel, { ...t });
    }
    // Devices and fifos have no place in a build context: skipped, as the CLI never sends them.
  }
}

async function peek(src: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const it = src[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    parts.push(r.value);
    have += r.value.length;
  }
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    },
  };
  return { head: Buffer.concat(parts), rest };
}

async function* prepend(head: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (head.length) yield head;
  yield* rest;
}

/** Socket-sized chunks joined into bigger ones: fewer hops through the reader per byte. */
async function* coalesce(src: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let have = 0;
  for await (const c of src) {
    if (!parts.length && c.length >= size) {
      yield c;
      continue;
    }
    parts.push(c);
    have += c.length;
    if (have >= size) {
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
      parts = [];
      have = 0;
    }
  }
  if (parts.length) yield Buffer.concat(parts, have);
}
