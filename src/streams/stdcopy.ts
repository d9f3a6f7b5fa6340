// Docker's multiplexed stream: each frame is an 8-byte header (stream byte 1 stdout,
// 2 stderr, 0 stdin, 3 zero bytes, big-endian uint32 length) followed by the payload.
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

export function frame(stream: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out[0] = stream;
  new DataView(out.buffer).setUint32(4, payload.length);
  out.set(payload, 8);
  return out;
}

/** Splits a byte stream into frames, whatever the chunking of the transport. */
export class Demuxer {
  private chunks: Uint8Array[] = [];
  private total = 0;
  // Bytes needed before the next frame can complete; avoids re-merging on every chunk.
  private need = 8;

  constructor(private readonly onFrame: (stream: number, payload: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.total += chunk.length;
    if (this.total < this.need) return;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    let off = 0;
    this.need = 8;
    while (buf.length - off >= 8) {
      const len = new DataView(buf.buffer, buf.byteOffset + off + 4, 4).getUint32(0);
      if (buf.length - off < 8 + len) {
        this.need = 8 + len;
        break;
      }
      this.onFrame(buf[off]!, buf.subarray(off + 8, off + 8 + len));
      off += 8 + len;
    }
    const rest = buf.subarray(off);
    this.chunks = rest.length ? [rest.slice()] : [];
    this.total = rest.length;
  }

  /** Bytes of an incomplete frame left at the end of the stream. */
  get pending(): number {
    return this.total;
  }
}
