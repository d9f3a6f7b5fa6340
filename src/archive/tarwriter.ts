// Writes tar archives of host directories the way Docker's archive package does: ustar
// headers with PAX records for what does not fit (long names, big ids or sizes), hard
// links as type 1 entries pointing at the first name of the inode, device nodes, fifos.
// Used by `cp` (GET archive), `export` and `commit`.
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from "node:fs";

const enc = new TextEncoder();
const CHUNK = 1 << 20;

export type TarType = "0" | "1" | "2" | "3" | "4" | "5" | "6";

export interface TarHeaderFields {
  name: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number; // seconds, may be fractional
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

function putStr(h: Uint8Array, off: number, len: number, s: string): boolean {
  const b = enc.encode(s);
  if (b.length > len) return false;
  h.set(b, off);
  return true;
}

function putOctal(h: Uint8Array, off: number, len: number, n: number): boolean {
  const s = Math.max(0, Math.floor(n)).toString(8);
  if (s.length > len - 1) return false;
  putStr(h, off, len, s.padStart(len - 1, "0"));
  return true;
}

function checksum(h: Uint8Array): void {
  h.fill(32, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  putStr(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = enc.encode(body).length;
  let total = len + String(len).length;
  if (String(total).length !== String(len).length) total = len + String(total).length;
  return `${total}${body}`;
}

/** The header block(s) of one entry: a PAX header first when some field needs one. */
export function headerBlocks(f: TarHeaderFields): Uint8Array[] {
  const h = new Uint8Array(512);
  const pax: string[] = [];
  const ascii = (s: string) => /^[\x01-\x7f]*$/.test(s);
  if (!ascii(f.name) || !putStr(h, 0, 100, f.name)) {
    pax.push(paxRecord("path", f.name));
    putStr(h, 0, 100, enc.encode(f.name).length > 99 ? f.name.slice(0, 99).replace(/[^\x01-\x7f]/g, "_") : f.name.replace(/[^\x01-\x7f]/g, "_"));
  }
  putOctal(h, 100, 8, f.mode & 0o7777);
  if (!putOctal(h, 108, 8, f.uid)) pax.push(paxRecord("uid", String(f.uid)));
  if (!putOctal(h, 116, 8, f.gid)) pax.push(paxRecord("gid", String(f.gid)));
  if (!putOctal(h, 124, 12, f.size)) pax.push(paxRecord("size", String(f.size)));
  putOctal(h, 136, 12, f.mtime);
  if (f.mtime % 1 !== 0) pax.push(paxRecord("mtime", f.mtime.toFixed(9).replace(/0+$/, "")));
  h[156] = f.type.charCodeAt(0);
  if (f.linkname && (!ascii(f.linkname) || !putStr(h, 157, 100, f.linkname))) pax.push(paxRecord("linkpath", f.linkname));
  putStr(h, 257, 6, "ustar");
  putStr(h, 263, 2, "00");
  putOctal(h, 329, 8, f.devmajor ?? 0);
  putOctal(h, 337, 8, f.devminor ?? 0);
  checksum(h);
  if (!pax.length) return [h];
  const data = enc.encode(pax.join(""));
  const p = new Uint8Array(512);
  putStr(p, 0, 100, "PaxHeaders.0/" + f.name.slice(-80).replace(/[^\x01-\x7f]/g, "_"));
  putOctal(p, 100, 8, 0o644);
  putOctal(p, 108, 8, 0);
  putOctal(p, 116, 8, 0);
  putOctal(p, 124, 12, data.length);
  putOctal(p, 136, 12, f.mtime);
  p[156] = "x".charCodeAt(0);
  putStr(p, 257, 6, "ustar");
  putStr(p, 263, 2, "00");
  checksum(p);
  return [p, data, padding(data.length), h];
}

export const padding = (size: number): Uint8Array => new Uint8Array((512 - (size % 512)) % 512);
export const tarEnd = (): Uint8Array => new Uint8Array(1024);

const S_IFMT = 0o170000;
const kinds: Record<number, TarType> = { 0o100000: "0", 0o040000: "5", 0o120000: "2", 0o020000: "3", 0o060000: "4", 0o010000: "6" };

/** One file of the host as a tar entry, its content streamed from disk. */
export async function* fileEntry(
  path: string,
  name: string,
  st: Stats,
  links?: Map<string, string>,
  owner?: { uid: number; gid: number },
): AsyncGenerator<Uint8Array> {
  let type = kinds[st.mode & S_IFMT];
  if (!type) return; // sockets are not archived (Docker skips them too)
  let linkname: string | undefined;
  if (type === "2") linkname = readlinkSync(path);
  if (type === "0" && st.nlink > 1 && links) {
    const key = `${st.dev}:${st.ino}`;
    const first = links.get(key);
    if (first !== undefined) {
      type = "1";
      linkname = first;
    } else links.set(key, name);
  }
  const rdev = st.rdev;
  const hdr: TarHeaderFields = {
    name: type === "5" && !name.endsWith("/") ? name + "/" : name,
    type,
    mode: st.mode,
    uid: owner?.uid ?? st.uid,
    gid: owner?.gid ?? st.gid,
    size: type === "0" ? st.size : 0,
    mtime: Math.floor(st.mtimeMs / 1000),
    linkname,
    devmajor: type === "3" || type === "4" ? Math.floor(rdev / 256) & 0xfff : undefined,
    devminor: type === "3" || type === "4" ? (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00) : undefined,
  };
  yield* headerBlocks(hdr);
  if (type !== "0") return;
  yield* fileContent(path, st.size);
  yield padding(st.size);
}

/** Exactly `size` bytes of the file: a file that shrank meanwhile is padded with zeros. */
async function* fileContent(path: string, size: number): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, "r");
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) {
        yield new Uint8Array(left);
        return;
      }
      left -= n;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

export interface TreeOptions {
  /** Hard-link map shared across the whole archive. */
  links?: Map<string, string>;
  owner?: { uid: number; gid: number };
}

/**
 * `path` (a file or a directory, not followed when a symlink) as `name`, and, for a
 * directory, everything under it in lexical order, as Go's filepath.Walk gives it.
 * `name` "" archives a directory's content without an entry for the directory itself.
 */
export async function* treeEntries(path: string, name: string, opts: TreeOptions = {}): AsyncGenerator<Uint8Array> {
  const links = opts.links ?? new Map<string, string>();
  const st = lstatSync(path);
  if (name) yield* fileEntry(path, name, st, links, opts.owner);
  if (!st.isDirectory()) return;
  let names: string[];
  try {
    names = readdirSync(path).sort();
  } catch {
    return; // vanished under a running container
  }
  for (const n of names) {
    const child = `${path}/${n}`;
    const childName = name ? `${name.replace(/\/$/, "")}/${n}` : n;
    const cst = lstatSync(child, { throwIfNoEntry: false });
    if (!cst) continue;
    if (cst.isDirectory()) yield* treeEntries(child, childName, { ...opts, links });
    else yield* fileEntry(child, childName, cst, links, opts.owner);
  }
}

/** A whole archive: the entries, then the two zero blocks. */
export async function* archive(parts: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* batch(parts);
  yield tarEnd();
}

/** Gathers small blocks (headers, padding) into bigger writes. */
async function* batch(parts: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let size = 0;
  for await (const p of parts) {
    if (p.length === 0) continue;
    if (p.length >= 65536) {
      if (pending.length) yield Buffer.concat(pending);
      pending = [];
      size = 0;
      yield p;
      continue;
    }
    pending.push(p);
    size += p.length;
    if (size >= 65536) {
      yield Buffer.concat(pending);
      pending = [];
      size = 0;
    }
  }
  if (pending.length) yield Buffer.concat(pending);
}
