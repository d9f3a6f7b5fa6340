// A JSON answer already encoded, so a route can send bytes it assembled from cached
// pieces without the server encoding the value again. toJSON keeps it usable as a value.
export class RawJson {
  private encoded: Buffer | undefined;

  constructor(readonly text: string) {}

  /** The answer's bytes with the trailing newline dockerd sends, encoded once. */
  bytes(): Buffer {
    return (this.encoded ??= Buffer.from(this.text + "\n"));
  }

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}
