// The tar-split record of a layer: the archive's non-content bytes verbatim plus, for
// each regular file, the path in the layer dir that holds its content. Replaying it
// against the layer dir yields the original tar byte for byte without a second copy.
// Contents that a later entry of the same tar overwrote are kept inline instead.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, fstatSync, constants } from "node:fs";
import { gzipSync, gunzipSync } from "node:zlib";
import { join } from "node:path";
import { systemError } from "../errors.ts";
import type { RawSink } from "../archive/tar/reader.ts";
import type { Digest } from "./types.ts";

const RAW = 0x52; // 'R'
const FILE = 0x46; // 'F'
const INLINE = 0x49; // 'I'

export interface FileSegment {
  path: string;
  size: number;
  inline?: Buffer;
}

type Segment = Buffer[] | FileSegment;

export class TarSplitBuilder implements RawSink {
  private readonly segments: Segment[] = [];

  raw(bytes: Uint8Array): void {
    const last = this.segments[this.segments.length - 1];
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    if (Array.isArray(last)) last.push(b);
    else this.segments.push([b]);
  }

  file(path: string, size: number): FileSegment {
    const seg: FileSegment = { path, size };
    this.segments.push(seg);
    return seg;
  }

  serialize(): Buffer {
    const out: Buffer[] = [];
    const tag = (t: number, len: number) => {
      const b = Buffer.allocUnsafe(9);
      b[0] = t;
      b.writeDoubleLE(len, 1);
      out.push(b);
    };
    for (const s of this.segments) {
      if (Array.isArray(s)) {
        tag(RAW, s.reduce((n, b) => n + b.length, 0));
        out.push(...s);
      } else if (s.inline) {
        tag(INLINE, s.inline.length);
        out.push(s.inline);
      } else {
        const p = Buffer.from(s.path, "utf8");
        tag(FILE, s.size);
        const l = Buffer.allocUnsafe(4);
        l.writeUInt32LE(p.length);
        out.push(l, p);
      }
    }
    return gzipSync(Buffer.concat(out), { level: 1 });
  }
}

const CHUNK = 1 << 20;

/** Replays a serialized record against `root`; throws if the bytes do not hash to `diffId`. */
export async function* replayTarSplit(record: Buffer, root: string, diffId: Digest): AsyncGenerator<Uint8Array> {
  const data = gunzipSync(record);
  const hash = createHash("sha256");
  let pos = 0;
  while (pos < data.length) {
    const t = data[pos]!;
    const len = data.readDoubleLE(pos + 1);
    pos += 9;
    if (t === RAW || t === INLINE) {
      const b = data.subarray(pos, pos + len);
      pos += len;
      hash.update(b);
      yield b;
      continue;
    }
    const plen = data.readUInt32LE(pos);
    const path = data.toString("utf8", pos + 4, pos + 4 + plen);
    pos += 4 + plen;
    for (const b of readExactly(join(root, path), len)) {
      hash.update(b);
      yield b;
    }
  }
  const got = `sha256:${hash.digest("hex")}`;
  if (got !== diffId) throw systemError(`layer ${diffId} is damaged: its files now hash to ${got}`);
}

function* readExactly(file: string, size: number): Generator<Uint8Array> {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if (fstatSync(fd).size !== size) throw systemError(`layer file ${file} changed size (want ${size} bytes)`);
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const n = readSync(fd, buf, 0, buf.length, size - left);
      if (n === 0) throw systemError(`layer file ${file} ends early`);
      left -= n;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}
