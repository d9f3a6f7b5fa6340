// A streaming tar reader and the few writer pieces save needs. The reader takes an
// async byte stream and yields entries one at a time; each entry's body must be read
// (or is skipped) before the next entry comes. Formats: ustar, GNU long names, PAX.
import { headerBlocks, padding, tarEnd } from "../archive/tarwriter.ts";
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

/** Pulls exact byte counts out of a chunked stream without copying more than needed. */
class ByteReader {
  private buf: Uint8Array = new Uint8Array(0);
  private off = 0;
  private done = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(src: AsyncIterable<Uint8Array>) {
    this.it = src[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    const rest = this.buf.subarray(this.off);
    const chunk = r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value);
    if (rest.length === 0) this.buf = chunk;
    else {
      const b = new Uint8Array(rest.length + chunk.length);
      b.set(rest);
      b.set(chunk, rest.length);
      this.buf = b;
    }
    this.off = 0;
    return true;
  }

  /** Exactly n bytes, or null at a clean end of stream (nothing buffered). */
  async exact(n: number): Promise<Uint8Array | null> {
    while (this.buf.length - this.off < n) {
      if (!(await this.fill())) {
        if (this.buf.length - this.off === 0) return null;
        throw truncated();
      }
    }
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }

  /** Yields n bytes as they arrive, in the chunks they came in. */
  async *chunks(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.buf.length - this.off === 0 && !(await this.fill())) throw truncated();
      const take = Math.min(left, this.buf.length - this.off);
      const out = this.buf.subarray(this.off, this.off + take);
      this.off += take;
      left -= take;
      yield out;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.chunks(n));
  }

  async cancel(): Promise<void> {
    await this.it.return?.();
  }
}

const dec = new TextDecoder();

function cstr(b: Uint8Array, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const end = s.indexOf(0);
  return dec.decode(end < 0 ? s : s.subarray(0, end));
}

function octal(b: Uint8Array, off: number, len: number): number {
  // GNU base-256 for large sizes: high bit of the first byte set.
  if (b[off]! & 0x80) {
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = cstr(b, off, len).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw invalidParameter(`invalid archive: bad number ${JSON.stringify(s)} in a tar header`);
  return parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const field = cstr(h, 148, 8).trim();
  return /^[0-7]+$/.test(field) && sum === parseInt(field, 8);
}

function parsePax(b: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < b.length) {
    const sp = b.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(dec.decode(b.subarray(i, sp)));
    if (!len) break;
    const kv = dec.decode(b.subarray(sp + 1, i + len - 1));
    const eq = kv.indexOf("=");
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
    i += len;
  }
  return out;
}

const typeOf = (flag: string): EntryType =>
  flag === "0" || flag === "\0" || flag === "" || flag === "7" ? "file" : flag === "5" ? "dir" : flag === "2" ? "symlink" : flag === "1" ? "link" : "other";

export async function* readTar(src: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const r = new ByteReader(src);
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  let sawAny = false;
  try {
    for (;;) {
      const h = await r.exact(512).catch((err) => {
        if (!sawAny) throw invalidParameter("invalid archive: not a tar archive (shorter than one tar header)");
        throw err;
      });
      if (!h) {
        if (!sawAny) throw invalidParameter("invalid archive: the archive is empty");
        // Like Go's archive/tar, a stream that ends between entries (no zero blocks) ends the
        // archive; a cut at an entry boundary then shows up as a missing file instead.
        return;
      }
      if (h.every((x) => x === 0)) return; // end-of-archive marker
      if (!checksumOk(h)) throw invalidParameter("invalid archive: a tar header has a bad checksum (not a tar file, or corrupt)");
      sawAny = true;
      const flag = String.fromCharCode(h[156]!);
      const size = octal(h, 124, 12);
      const padded = Math.ceil(size / 512) * 512;
      if (flag === "L" || flag === "K" || flag === "x" || flag === "g") {
        const data = (await r.exact(padded)) ?? new Uint8Array(0);
        if (data.length < padded) throw truncated();
        const content = data.subarray(0, size);
        if (flag === "L") longName = cstr(content, 0, content.length);
        else if (flag === "K") longLink = cstr(content, 0, content.length);
        else if (flag === "x") pax = { ...pax, ...parsePax(content) };
        continue;
      }
      const magic = cstr(h, 257, 6);
      const prefix = magic.startsWith("ustar") ? cstr(h, 345, 155) : "";
      const base = cstr(h, 0, 100);
      const name = pax.path ?? longName ?? (prefix ? `${prefix}/${base}` : base);
      const linkname = pax.linkpath ?? longLink ?? cstr(h, 157, 100);
      const realSize = pax.size !== undefined ? Number(pax.size) : size;
      const realPadded = Math.ceil(realSize / 512) * 512;
      longName = longLink = undefined;
      pax = {};
      const type = typeOf(flag);
      const bodySize = type === "file" ? realSize : flag === "1" || flag === "2" || flag === "5" ? 0 : realSize;
      let consumed = false;
      const entry: TarEntry = {
        name,
        type,
        size: bodySize,
        mode: octal(h, 100, 8),
        linkname,
        body: () => {
          consumed = true;
          return r.chunks(bodySize);
        },
      };
      yield entry;
      if (!consumed) await r.skip(bodySize);
      await r.skip(realPadded - bodySize);
    }
  } finally {
    await r.cancel();
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
