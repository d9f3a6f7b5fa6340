// A pull-based byte reader over chunked input that hashes every byte it hands out, so
// the diff id covers exactly the bytes the tar reader consumed (headers, contents,
// padding and whatever follows the end-of-archive marker).
import { createHash, type Hash } from "node:crypto";

export class TruncatedError extends Error {}

export class ByteSource {
  private readonly it: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private eof = false;
  private readonly hash: Hash | undefined;
  /** Bytes handed out so far (the offset in the uncompressed stream). */
  offset = 0;

  /** `hash: false` for readers that need no digest of the whole stream (a build context). */
  constructor(input: AsyncIterable<Uint8Array>, opts: { hash?: boolean } = {}) {
    this.it = input[Symbol.asyncIterator]();
    this.hash = opts.hash === false ? undefined : createHash("sha256");
  }

  digest(): `sha256:${string}` {
    if (!this.hash) throw new Error("ByteSource: made without a digest");
    return `sha256:${this.hash.digest("hex")}`;
  }

  private async fill(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      if (this.eof) return false;
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        return false;
      }
      this.chunk = r.value;
      this.pos = 0;
    }
    return true;
  }

  private take(max: number): Uint8Array {
    const n = Math.min(max, this.chunk.length - this.pos);
    const out = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.offset += n;
    this.hash?.update(out);
    return out;
  }

  /**
   * Exactly n bytes as a fresh buffer; null when the input ended before the first byte;
   * TruncatedError when it ended part way.
   */
  async readExact(n: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    if (this.chunk.length - this.pos >= n) return Buffer.from(this.take(n));
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      if (!(await this.fill())) throw new TruncatedError(`input ends ${n - got} bytes short`);
      const part = this.take(n - got);
      out.set(part, got);
      got += part.length;
    }
    return out;
  }

  /** n bytes as views into the input chunks (valid until the next call). */
  async *stream(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill())) throw new TruncatedError(`input ends ${left} bytes short`);
      const part = this.take(left);
      left -= part.length;
      yield part;
    }
  }

  /** Everything that is left. */
  async *rest(): AsyncGenerator<Uint8Array> {
    while (await this.fill()) yield this.take(Infinity);
  }
}
