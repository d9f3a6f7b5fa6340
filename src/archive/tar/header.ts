// Decoding of one 512-byte tar header block (v7, ustar, GNU) and of PAX records.
import { invalidParameter } from "../../errors.ts";

export const BLOCK = 512;

export interface Header {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number; // seconds, may be fractional from PAX
  atime?: number;
  type: string; // typeflag character; "\0" normalized to "0"
  /** The typeflag was "\0" (pre-POSIX): a name ending in "/" then means a directory. */
  legacy: boolean;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, Buffer>;
}

const text = (b: Buffer, off: number, len: number): string => {
  const end = b.indexOf(0, off);
  return b.toString("utf8", off, end === -1 || end > off + len ? off + len : end);
};

/** Octal (NUL/space padded) or GNU base-256 numbers. */
function num(b: Buffer, off: number, len: number, field: string): number {
  if (b[off]! & 0x80) {
    // base-256: the top bit marks it; the rest is a big-endian two's complement number
    let v = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i]!;
    return v;
  }
  const s = b.toString("latin1", off, off + len).replace(/[\0 ]+$/, "").replace(/^[ ]+/, "").replace(/\0.*$/, "");
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw invalidParameter(`invalid tar header: ${field} field "${s}" is not an octal number`);
  return parseInt(s, 8);
}

export function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 8) if (b.readBigUInt64LE(i) !== 0n) return false;
  return true;
}

export function checksumOk(b: Buffer): boolean {
  const want = num(b, 148, 8, "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 32 : b[i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return want === unsigned || want === signed;
}

export function parseHeader(b: Buffer): Header {
  const magic = b.toString("latin1", 257, 263);
  let name = text(b, 0, 100);
  // POSIX ustar keeps a name prefix; GNU ("ustar  ") uses those bytes for times.
  if (magic === "ustar\0") {
    const prefix = text(b, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const type = b[156] === 0 ? "0" : String.fromCharCode(b[156]!);
  return {
    name,
    mode: num(b, 100, 8, "mode"),
    uid: num(b, 108, 8, "uid"),
    gid: num(b, 116, 8, "gid"),
    size: num(b, 124, 12, "size"),
    mtime: num(b, 136, 12, "mtime"),
    type,
    legacy: b[156] === 0,
    linkname: text(b, 157, 100),
    devmajor: magic.startsWith("ustar") ? num(b, 329, 8, "devmajor") : 0,
    devminor: magic.startsWith("ustar") ? num(b, 337, 8, "devminor") : 0,
    xattrs: new Map(),
  };
}

/** PAX extended header records: "LEN key=value\n", values are raw bytes. */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad with NULs
    const sp = data.indexOf(0x20, pos);
    const len = sp === -1 ? NaN : Number(data.toString("latin1", pos, sp));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length || data[pos + len - 1] !== 0x0a) {
      throw invalidParameter(`invalid tar PAX header: bad record at byte ${pos}`);
    }
    const rec = data.subarray(sp + 1, pos + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq === -1) throw invalidParameter(`invalid tar PAX header: record without "=" at byte ${pos}`);
    out.set(rec.toString("utf8", 0, eq), Buffer.from(rec.subarray(eq + 1)));
    pos += len;
  }
  return out;
}

const XATTR = "SCHILY.xattr.";

/** Overrides header fields with PAX records (global ones first, then the entry's own). */
export function applyPax(h: Header, pax: Map<string, Buffer>): void {
  for (const [k, v] of pax) {
    const s = () => v.toString("utf8");
    const n = (field: string) => {
      const x = Number(s());
      if (!Number.isFinite(x)) throw invalidParameter(`invalid tar PAX header: ${field} "${s()}" is not a number`);
      return x;
    };
    if (k === "path") h.name = s();
    else if (k === "linkpath") h.linkname = s();
    else if (k === "size") h.size = n(k);
    else if (k === "uid") h.uid = n(k);
    else if (k === "gid") h.gid = n(k);
    else if (k === "mtime") h.mtime = n(k);
    else if (k === "atime") h.atime = n(k);
    else if (k.startsWith(XATTR)) h.xattrs.set(k.slice(XATTR.length), v);
    else if (k.startsWith("GNU.sparse")) throw invalidParameter(`tar entry "${h.name}" is a sparse file, which wharf does not support`);
  }
}
