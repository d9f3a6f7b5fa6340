// Docker's detach keys on an attached stdin: the sequence (ctrl-p ctrl-q by default)
// detaches the client; bytes of a partial match are held back and passed on when the
// match breaks, across chunk boundaries.
export class DetachScanner {
  private matched = 0;

  constructor(private readonly keys: number[]) {}

  /** The bytes to pass on, and whether the sequence completed (later bytes are dropped). */
  push(chunk: Uint8Array): { out: Uint8Array; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        if (++this.matched === this.keys.length) return { out: Uint8Array.from(out), detach: true };
        continue;
      }
      if (this.matched) out.push(...this.keys.slice(0, this.matched));
      this.matched = b === this.keys[0] ? 1 : 0;
      if (!this.matched) out.push(b);
    }
    return { out: Uint8Array.from(out), detach: false };
  }
}
