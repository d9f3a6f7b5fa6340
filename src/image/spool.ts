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
import type { Digest } from "../storage/types.ts";
import { readTar } from "./tar.ts";

export interface SpooledFile {
  path: string;
  size: number;
}

/**
 * A spooled file's sha256, computed when asked: layers are not hashed here because the
 * layer store hashes them anyway (the diff id), and hashing twice costs a fifth of a load.
 */
export async function fileDigest(f: SpooledFile): Promise<Digest> {
  const h = new Bun.CryptoHasher("sha256");
  for await (const c of readFile(f.path)) h.update(c);
  return `sha256:${h.digest("hex")}`;
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

  private constructor(readonly dir: string) {}

  static async fromStream(tmpRoot: string, src: AsyncIterable<Uint8Array>): Promise<Spool> {
    mkdirSync(tmpRoot, { recursive: true, mode: 0o700 });
    const dir = join(tmpRoot, `load-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`);
    mkdirSync(dir, { mode: 0o700 });
    const s = new Spool(dir);
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
    return Buffer.from(await Bun.file(f.path).arrayBuffer());
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
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
