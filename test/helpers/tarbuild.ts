// A minimal ustar writer for tests that need tars no tool would write (escapes,
// broken links, whiteouts in odd places).
export interface TarEntrySpec {
  name: string;
  type?: "0" | "1" | "2" | "3" | "5" | "6";
  data?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  /** PAX records for this entry (e.g. long paths, SCHILY.xattr.*). */
  pax?: Record<string, string>;
}

const BLOCK = 512;

function header(name: string, type: string, size: number, e: Partial<TarEntrySpec>): Buffer {
  const b = Buffer.alloc(BLOCK);
  const str = (s: string, off: number, len: number) => b.write(s.slice(0, len), off, len, "utf8");
  const oct = (n: number, off: number, len: number) => str(n.toString(8).padStart(len - 1, "0") + "\0", off, len);
  str(name, 0, 100);
  oct(e.mode ?? (type === "5" ? 0o755 : 0o644), 100, 8);
  oct(e.uid ?? 0, 108, 8);
  oct(e.gid ?? 0, 116, 8);
  oct(size, 124, 12);
  oct(e.mtime ?? 1_700_000_000, 136, 12);
  b.write("        ", 148, 8, "latin1");
  b.write(type, 156, 1, "latin1");
  str(e.linkname ?? "", 157, 100);
  b.write("ustar\0" + "00", 257, 8, "latin1");
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "latin1");
  return b;
}

const pad = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

function paxData(records: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    parts.push(Buffer.from(`${len}${body}`));
  }
  return Buffer.concat(parts);
}

export function buildTar(entries: TarEntrySpec[], { trailer = true } = {}): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const d = paxData(e.pax);
      out.push(header("PaxHeaders/x", "x", d.length, {}), d, pad(d.length));
    }
    const type = e.type ?? "0";
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    out.push(header(e.name, type, type === "0" ? data.length : 0, e));
    if (type === "0") out.push(data, pad(data.length));
  }
  if (trailer) out.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(out);
}
