// A JSON answer already encoded, so a route can send bytes it assembled from cached
// pieces without the server encoding the value again. toJSON keeps it usable as a value.
import type { WireCache } from "./http1/connection.ts";

export class RawJson {
  private encoded: Buffer | undefined;
  /** The whole HTTP response last sent with this body, for the server to send again. */
  readonly wire: WireCache = {};

  constructor(readonly text: string) {}

  /** The answer's bytes with the trailing newline dockerd sends, encoded once. */
  bytes(): Buffer {
    return (this.encoded ??= Buffer.from(this.text + "\n"));
  }

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}
