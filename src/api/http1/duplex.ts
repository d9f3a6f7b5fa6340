// A node Duplex over a hijacked connection (attach, exec, websocket): reads are the raw
// bytes the client sends (those received with the request come first), writes go to
// the socket and call back once the socket took them, so writers see backpressure.
import { Duplex } from "node:stream";

/** What the duplex needs of the connection it was hijacked from (connection.ts implements it). */
export interface HijackedSocket {
  write(chunk: Uint8Array, cb?: () => void): boolean;
  end(): void;
  destroy(): void;
  pauseReading(reason: string): void;
  resumeReading(reason: string): void;
}

export class RawDuplex extends Duplex {
  private readPaused = false;

  constructor(private readonly conn: HijackedSocket) {
    super({ allowHalfOpen: true });
  }

  /** @internal bytes from the client. */
  feed(chunk: Buffer): void {
    if (!this.push(chunk) && !this.readPaused) {
      this.readPaused = true;
      this.conn.pauseReading("raw");
    }
  }

  /** @internal the client half-closed. */
  feedEnd(): void {
    this.push(null);
  }

  /** @internal the socket went away. */
  socketClosed(): void {
    if (!this.destroyed) this.destroy();
  }

  /** @internal the socket's send buffer emptied. */
  drained(): void {}

  override _read(): void {
    if (this.readPaused) {
      this.readPaused = false;
      this.conn.resumeReading("raw");
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.conn.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Half-close: the client may still be sending (docker attach reads until we end).
    this.conn.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // After a clean end the socket closes by itself once the client is done too;
    // terminating it could lose bytes still on their way out.
    if (this.writableFinished && !err) this.conn.end();
    else this.conn.destroy();
    cb(err);
  }
}

export function socketDuplex(conn: HijackedSocket, leftover: Buffer, peerEnded: boolean): RawDuplex {
  const d = new RawDuplex(conn);
  if (leftover.length) d.feed(leftover);
  if (peerEnded) d.feedEnd();
  return d;
}
