// Spools an uploaded archive (docker-archive or OCI layout, maybe gzipped) into a temp
// directory under the data root, because its manifest may come after the layers. Files
// land flat under numbered names, hashed on the way in; links are kept as a map, never
// created on disk, so no entry can reach outside the spool. `..`, absolute names and
// links that point out of the archive are refused.
import { closeSync, mkdirSync, openSync, readSync, rmSync } from "node:fs";
import { join, posix } from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { invalidParameter } from "../errors.ts";
import type { Digest, StagedLayer } from "../storage/types.ts";
import { readTar } from "./tar.ts";
import { compressionOf, readHead } from "../archive/tar/decompress.ts";

export interface SpooledFile {
  /** "" for an entry applied as a layer while it streamed in (no copy on disk). */
  path: string;
  size: number;
  /** The entry applied to a staged layer as it arrived (see `Spool.fromStream`'s stager). */
  staged?: StagedLayer;
  /** Why applying it as it arrived failed: the load fails with it if a plan needs this layer. */
  stageError?: unknown;
  /** The entry's sha256, known when it was staged (not spooled). */
  digest?: Digest;
}

/**
 * Applies an archive entry that looks like a layer as it streams in, instead of spooling
 * it to be read back later: on overlay2 a load then writes each layer's bytes once.
 */
export interface Stager {
  stage(tar: AsyncIterable<Uint8Array>): Promise<StagedLayer>;
  discard(s: StagedLayer): void;
}

/**
 * A spooled file's sha256, computed when asked: layers are not hashed here because the
 * layer store hashes them anyway (the diff id), and hashing twice costs a fifth of a load.
 */
export async function fileDigest(f: SpooledFile): Promise<Digest> {
  if (f.digest) return f.digest;
  if (!f.path) throw invalidParameter("invalid archive: a layer's digest is not known");
  const h = new Bun.CryptoHasher("sha256");
  for await (const c of readFile(f.path)) h.update(c);
  return `sha256:${h.digest("hex")}`;
}

/** The first `n` bytes of a file (fewer if it is shorter). */
export function readPrefix(path: string, n: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** A file in 1 MiB chunks (fewer, larger chunks than Bun.file().stream() gives). */
export async function* readFile(path: string, chunk = 1 << 20): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const b = Buffer.allocUnsafe(chunk);
      const n = readSync(fd, b, 0, chunk, null);
      if (n === 0) return;
      yield b.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

type Node = { kind: "file"; file: SpooledFile } | { kind: "link"; target: string } | { kind: "dir" };

export class Spool {
  private readonly nodes = new Map<string, Node>();
  private n = 0;

  private constructor(
    readonly dir: string,
    private readonly stager?: Stager,
  ) {}

  static async fromStream(tmpRoot: string, src: AsyncIterable<Uint8Array>, stager?: Stager): Promise<Spool> {
    mkdirSync(tmpRoot, { recursive: true, mode: 0o700 });
    const dir = join(tmpRoot, `load-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`);
    mkdirSync(dir, { mode: 0o700 });
    const s = new Spool(dir, stager);
    try {
      await s.ingest(await maybeGunzip(src));
    } catch (err) {
      s.remove();
      throw err;
    }
    return s;
  }

  private async ingest(src: AsyncIterable<Uint8Array>): Promise<void> {
    for await (const e of readTar(src)) {
      const name = cleanName(e.name);
      if (name === "") continue;
      if (e.type === "dir") this.nodes.set(name, { kind: "dir" });
      else if (e.type === "symlink") {
        if (e.linkname.startsWith("/")) throw invalidParameter(`invalid archive: symlink ${e.name} points outside the archive (${e.linkname})`);
        const target = posix.normalize(posix.join(posix.dirname(name), e.linkname));
        if (target === ".." || target.startsWith("../")) {
          throw invalidParameter(`invalid archive: symlink ${e.name} points outside the archive (${e.linkname})`);
        }
        this.nodes.set(name, { kind: "link", target });
      } else if (e.type === "link") {
        const target = cleanName(e.linkname);
        this.nodes.set(name, { kind: "link", target });
      } else if (e.type === "file" && this.stager && LAYER_NAME.test(name) && e.size >= 1024) {
        this.nodes.set(name, { kind: "file", file: await this.stageEntry(e.body(), e.size) });
      } else if (e.type === "file") {
        const path = join(this.dir, String(this.n++));
        const w = Bun.file(path).writer({ highWaterMark: 1 << 20 });
        let size = 0;
        for await (const chunk of e.body()) {
          w.write(chunk);
          size += chunk.length;
        }
        await w.end();
        this.nodes.set(name, { kind: "file", file: { path, size } });
      }
    }
  }

  /**
   * An entry named like a layer: staged as it streams if its first bytes are a tar
   * header or a gzip/zstd stream, else spooled. A layer that fails to apply is not an
   * error yet (it may be a blob no image uses): its error is kept for the plan that needs it.
   */
  private async stageEntry(body: AsyncIterable<Uint8Array>, size: number): Promise<SpooledFile> {
    const it = body[Symbol.asyncIterator]();
    let outerError: unknown;
    const next = async () => {
      try {
        return await it.next();
      } catch (e) {
        outerError = e;
        throw e;
      }
    };
    // The entry's bytes, read by hand so that what the stager leaves can still be drained.
    const head = await readHead(next, 512);
    const first = head.first;
    let done = head.done;
    const compression = compressionOf(first);
    const format = compression === "gzip" || compression === "zstd" ? compression : null;
    if (!(format === "gzip" || format === "zstd" || isTarStart(first))) return this.spoolRest(first, done ? null : next, size);
    const hash = format ? new Bun.CryptoHasher("sha256") : null;
    async function* input(): AsyncGenerator<Uint8Array> {
      hash?.update(first);
      yield first;
      if (done) return;
      for (;;) {
        const r = await next();
        if (r.done) {
          done = true;
          return;
        }
        hash?.update(r.value);
        yield r.value;
      }
    }
    const f: SpooledFile = { path: "", size };
    try {
      f.staged = await this.stager!.stage(input());
      f.digest = hash ? `sha256:${hash.digest("hex")}` : f.staged.diffId;
      this.staged.push(f);
    } catch (e) {
      if (outerError) throw outerError;
      f.stageError = e;
    }
    // A layer whose tar ended before the entry did (or that failed) leaves bytes to skip.
    while (!done) if ((await next()).done) done = true;
    return f;
  }

  /** Spools an entry whose first bytes were already read. */
  private async spoolRest(first: Uint8Array, next: (() => Promise<IteratorResult<Uint8Array>>) | null, size: number): Promise<SpooledFile> {
    const path = join(this.dir, String(this.n++));
    const w = Bun.file(path).writer({ highWaterMark: 1 << 20 });
    w.write(first);
    while (next) {
      const r = await next();
      if (r.done) break;
      w.write(r.value);
    }
    await w.end();
    return { path, size };
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  /** The spooled file an archive path names, following links inside the archive. */
  lookup(name: string): SpooledFile | undefined {
    let cur = cleanName(name);
    for (let hops = 0; hops < 40; hops++) {
      const node = this.nodes.get(cur);
      if (!node) return this.viaLinkedParent(cur, hops);
      if (node.kind === "file") return node.file;
      if (node.kind === "dir") return undefined;
      cur = node.target;
    }
    throw invalidParameter(`invalid archive: too many levels of links at ${name}`);
  }

  /** `a/b/layer.tar` where `a` is a symlink to another directory of the archive. */
  private viaLinkedParent(path: string, hops: number): SpooledFile | undefined {
    const parts = path.split("/");
    for (let i = parts.length - 1; i > 0; i--) {
      const node = this.nodes.get(parts.slice(0, i).join("/"));
      if (node?.kind === "link" && hops < 40) return this.lookup(posix.join(node.target, ...parts.slice(i)));
    }
    return undefined;
  }

  /** A file's bytes, for small JSON documents (manifest, index, config). */
  async read(name: string, what: string): Promise<Buffer> {
    const f = this.lookup(name);
    if (!f) throw invalidParameter(`invalid archive: ${what} names ${name}, which is not in the archive`);
    if (f.size > 64 << 20) throw invalidParameter(`invalid archive: ${name} is too large for ${what}`);
    if (!f.path) throw invalidParameter(`invalid archive: ${what} names ${name}, which is a layer, not a JSON document`);
    return Buffer.from(await Bun.file(f.path).arrayBuffer());
  }

  private readonly staged: SpooledFile[] = [];

  /** Removes the spool, and every staged layer no plan took (see `take`). */
  remove(): void {
    for (const f of this.staged) if (f.staged) this.stager?.discard(f.staged);
    this.staged.length = 0;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// Where docker save (blobs/sha256/<hex> since Docker 25, <id>/layer.tar before) and OCI layouts keep layers.
const LAYER_NAME = /^(?:blobs\/sha256\/[a-f0-9]{64}|[^/]+\/layer\.tar)$/;

/** A tar header with a valid checksum, or the zero block of an empty tar. */
function isTarStart(b: Uint8Array): boolean {
  if (b.length < 512) return false;
  let sum = 0;
  let zero = true;
  for (let i = 0; i < 512; i++) {
    if (b[i]) zero = false;
    sum += i >= 148 && i < 156 ? 32 : b[i]!;
  }
  if (zero) return true;
  const field = Buffer.from(b.subarray(148, 156)).toString("latin1").replace(/[\0 ]+$/, "").trim();
  return /^[0-7]+$/.test(field) && parseInt(field, 8) === sum;
}

/** Archive names are relative: `./x` is `x`; absolute names and `..` are refused. */
export function cleanName(raw: string): string {
  if (raw.startsWith("/")) throw invalidParameter(`invalid archive: entry ${raw} has an absolute path`);
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw invalidParameter(`invalid archive: entry ${raw} escapes the archive (..)`);
  return parts.join("/");
}

/** Passes a gzip-compressed stream through gunzip (docker load accepts both). */
async function maybeGunzip(src: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) throw invalidParameter("invalid archive: the request body is empty");
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield first.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    },
  };
  const head = first.value;
  if (head[0] !== 0x1f || head[1] !== 0x8b) return rest;
  const gunzip = createGunzip();
  const out = Readable.from(rest).pipe(gunzip);
  return (async function* () {
    try {
      for await (const c of out) yield c as Uint8Array;
    } catch (err) {
      throw invalidParameter(`invalid archive: gzip: ${(err as Error).message}`);
    }
  })();
}
