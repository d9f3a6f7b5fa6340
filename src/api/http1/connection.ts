// One HTTP/1.1 connection on a Bun socket: parses requests one at a time (pipelined
// requests wait in the buffer and are answered in order), feeds the body to whoever
// reads it with backpressure (the socket is paused while too much is queued), drains
// what the handler did not read, and writes responses with the head and a small body
// in a single socket write.
import type { Socket } from "bun";
import { ChunkedDecoder, HttpParseError, parseHead, STATUS_CODES, type RequestHead } from "./parser.ts";
import { socketDuplex, type RawDuplex } from "./duplex.ts";

const EMPTY = Buffer.alloc(0);
/** Go's http.DefaultMaxHeaderBytes plus its slack, as dockerd has it; past it, 431. */
const maxHead = (1 << 20) + 4096;
/** Body bytes queued for a slow reader before the socket is paused. */
const bodyHighWater = 1024 * 1024;
/** Pipelined bytes held while a response is being produced before the socket is paused. */
const pipelineHighWater = 256 * 1024;
/** A head and body up to this size go out as one write. */
const coalesceLimit = 64 * 1024;

let dateSecond = 0;
let dateText = "";
function httpDate(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

export type Headers = Record<string, string | number>;

/** Header fields as an object, or already as `Name: value\r\n` lines. */
export type HeaderInput = Headers | string;

function headLines(status: number, headers: HeaderInput): string {
  let s = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "unknown"}\r\n`;
  if (typeof headers === "string") return s + headers;
  for (const k in headers) s += `${k}: ${headers[k]}\r\n`;
  return s;
}

/**
 * A complete response kept as bytes for an answer that is sent again and again (a cached
 * inspect): rebuilt only when its head would differ (another second in Date, another
 * Connection header), so a repeat costs one write and no allocation.
 */
export interface WireCache {
  key?: string;
  bytes?: Buffer;
}

/** The request and response of one exchange on a connection. */
export class Exchange {
  readonly method: string;
  readonly target: string;
  readonly headers: Record<string, string | string[]>;
  readonly upgrade: boolean;
  /** False once the connection is to close after this exchange. */
  keepAlive: boolean;
  bodyDone: boolean;
  responseDone = false;
  /** Body bytes after the response ended are read and dropped. */
  discardBody = false;
  bodyError: Error | undefined;
  readonly decoder: ChunkedDecoder | undefined;
  bodyRemaining: number;
  private queue: Buffer[] = [];
  private queued = 0;
  private wake: (() => void) | undefined;
  private streamTaken = false;
  private closeWaiters: (() => void)[] = [];

  constructor(
    private readonly conn: Connection,
    readonly head: RequestHead,
  ) {
    this.method = head.method;
    this.target = head.target;
    this.headers = head.headers;
    this.upgrade = head.upgrade;
    this.keepAlive = head.keepAlive;
    this.bodyDone = head.bodyKind === "none";
    this.bodyRemaining = head.bodyKind === "length" ? head.length : 0;
    this.decoder = head.bodyKind === "chunked" ? new ChunkedDecoder() : undefined;
  }

  private gone = false;

  get listener(): Connection["listener"] {
    return this.conn.listener;
  }

  get clientGone(): boolean {
    return this.gone || this.conn.closed;
  }

  /** Calls `fn` when the client goes away (closes, or half-closes while waiting for this answer). */
  onClose(fn: () => void): void {
    if (this.clientGone) fn();
    else this.closeWaiters.push(fn);
  }

  /** @internal */
  notifyClosed(): void {
    this.gone = true;
    for (const f of this.closeWaiters.splice(0)) f();
    if (!this.bodyDone) this.failBody(new Error("aborted: the client closed the connection"));
  }

  /** @internal body bytes from the connection. */
  pushBody(data: Buffer): void {
    if (this.discardBody || data.length === 0) return;
    this.queue.push(data);
    this.queued += data.length;
    if (this.queued > bodyHighWater) this.conn.pauseReading("body");
    this.wake?.();
  }

  /** @internal */
  endBody(): void {
    this.bodyDone = true;
    this.wake?.();
  }

  /** @internal */
  failBody(err: Error): void {
    this.bodyError = err;
    this.wake?.();
  }

  /** @internal the response is over: whatever is still queued is no one's. */
  dropBody(): void {
    this.discardBody = true;
    this.queue = [];
    this.queued = 0;
    this.conn.resumeReading("body");
  }

  /** The request body, chunk by chunk; reading it slowly slows the client down. */
  async *bodyStream(): AsyncGenerator<Buffer> {
    if (this.streamTaken) throw new Error("request body already read");
    this.streamTaken = true;
    for (;;) {
      if (this.queue.length) {
        const c = this.queue.shift()!;
        this.queued -= c.length;
        if (this.queued <= bodyHighWater / 2) this.conn.resumeReading("body");
        yield c;
        continue;
      }
      if (this.bodyError) throw this.bodyError;
      if (this.bodyDone || this.discardBody) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }

  /** A complete response: head and body in one write when small. */
  respond(status: number, headers: HeaderInput, body: string | Uint8Array | undefined, omitBody: boolean, wire?: WireCache): void {
    if (wire && !omitBody && typeof headers === "string" && body instanceof Uint8Array && body.byteLength <= coalesceLimit) {
      const tail = `Date: ${httpDate()}\r\nContent-Length: ${body.byteLength}\r\n${this.connectionHeader()}\r\n`;
      const key = status + headers + tail;
      if (wire.key !== key || !wire.bytes) {
        wire.bytes = Buffer.concat([Buffer.from(headLines(status, headers) + tail, "latin1"), body]);
        wire.key = key;
      }
      this.conn.write(wire.bytes);
      this.finish();
      return;
    }
    const len = body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    let head = headLines(status, headers) + `Date: ${httpDate()}\r\n`;
    if (body !== undefined || !(status === 204 || status === 304 || status < 200)) head += `Content-Length: ${len}\r\n`;
    head += this.connectionHeader() + "\r\n";
    if (omitBody || len === 0) this.conn.write(head);
    // The head is ASCII, so its byte length is its length.
    else if (typeof body === "string") this.conn.write(head + body, undefined, head.length + len);
    else if (len <= coalesceLimit) this.conn.write(Buffer.concat([Buffer.from(head, "latin1"), body!]));
    else {
      this.conn.write(head);
      this.conn.write(body!);
    }
    this.finish();
  }

  /**
   * Starts a body of unknown length: chunked for HTTP/1.1, or delimited by closing the
   * connection for HTTP/1.0. Each write goes to the socket at once.
   */
  startBody(status: number, headers: HeaderInput): BodyWriter {
    const chunked = this.head.minor === 1;
    if (!chunked) this.keepAlive = false;
    this.conn.write(
      headLines(status, headers) + `Date: ${httpDate()}\r\n` + (chunked ? "Transfer-Encoding: chunked\r\n" : "") + this.connectionHeader() + "\r\n",
    );
    let ended = false;
    return {
      write: (chunk, cb) => {
        if (ended || this.conn.closed) {
          cb?.();
          return true;
        }
        const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        if (data.length === 0) {
          cb?.();
          return true;
        }
        if (!chunked) return this.conn.write(data, cb);
        const framed = Buffer.allocUnsafe(data.length + 32);
        let off = framed.write(`${data.length.toString(16)}\r\n`, 0, "latin1");
        off += Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(framed, off);
        off += framed.write("\r\n", off, "latin1");
        return this.conn.write(framed.subarray(0, off), cb);
      },
      end: () => {
        if (ended) return;
        ended = true;
        if (chunked && !this.conn.closed) this.conn.write("0\r\n\r\n");
        this.finish();
      },
    };
  }

  /** Writes `head` as is and hands the raw connection over; bytes already received come first. */
  hijack(head: string): RawDuplex {
    this.conn.write(head);
    this.responseDone = true;
    return this.conn.hijack();
  }

  /** Drops the connection: the response could not be completed. */
  abort(): void {
    this.conn.destroy();
  }

  /** A response written by hand (an error on an upgrade request); the connection closes after it. */
  respondRaw(text: string): void {
    this.keepAlive = false;
    this.conn.write(text);
    this.finish();
  }

  private connectionHeader(): string {
    if (this.conn.closing) this.keepAlive = false;
    if (!this.keepAlive) return "Connection: close\r\n";
    return this.head.minor === 0 ? "Connection: keep-alive\r\n" : "";
  }

  private finish(): void {
    if (this.responseDone) return;
    this.responseDone = true;
    this.conn.exchangeDone(this);
  }
}

export interface BodyWriter {
  /** False when the bytes wait in memory for the socket; `cb` runs once they are handed to it. */
  write(chunk: string | Uint8Array, cb?: () => void): boolean;
  end(): void;
}

export interface ConnectionOwner {
  onExchange(ex: Exchange): void;
  onConnectionClosed(conn: Connection): void;
  /** Slowloris guards: a request head must arrive within headerMs, an idle keep-alive connection closes after idleMs. */
  readonly timeouts?: { headerMs: number; idleMs: number };
}

export class Connection {
  closed = false;
  /** The listener this connection came in on (set by the server). */
  listener: { proto: "unix" | "tcp" | "fd"; addr: string } | undefined;
  /** Set by the server on shutdown: answer the current request with Connection: close. */
  closing = false;
  private buf: Buffer = EMPTY;
  private current: Exchange | undefined;
  private out: { data: Buffer; cb?: () => void }[] = [];
  private pausedBy = new Set<string>();
  private peerEnded = false;
  private raw: RawDuplex | undefined;
  private endAfterFlush = false;
  /** After an error answer: reading and dropping what the client still sends, so it reads the answer before the close. */
  private lingering = false;

  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerKind: "header" | "idle" | undefined;

  constructor(
    readonly socket: Socket<Connection | undefined>,
    private readonly owner: ConnectionOwner,
  ) {
    this.arm("idle");
  }

  /** Between requests: idle until a byte comes, then the head must complete in time. */
  private arm(kind: "header" | "idle" | undefined): void {
    const t = this.owner.timeouts;
    if (!t || kind === this.timerKind) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerKind = kind;
    if (!kind || this.closed) return;
    this.timer = setTimeout(() => {
      if (this.current || this.raw || this.closed) return;
      if (kind === "header") {
        this.write("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        this.buf = EMPTY;
      }
      this.end();
      setTimeout(() => this.destroy(), 1000).unref?.();
    }, kind === "header" ? t.headerMs : t.idleMs);
    this.timer.unref?.();
  }

  get idle(): boolean {
    return !this.current && !this.raw;
  }

  get hijacked(): boolean {
    return this.raw !== undefined;
  }

  // ---- socket events ----

  onData(chunk: Buffer): void {
    if (this.lingering) return;
    if (this.raw) {
      this.raw.feed(chunk);
      return;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.pump();
  }

  onDrain(): void {
    while (this.out.length) {
      const first = this.out[0]!;
      const n = this.socket.write(first.data);
      if (n < 0) return;
      if (n < first.data.length) {
        first.data = first.data.subarray(n);
        return;
      }
      this.out.shift();
      first.cb?.();
    }
    if (this.endAfterFlush) this.socket.end();
    this.raw?.drained();
  }

  onEnd(): void {
    this.peerEnded = true;
    if (this.lingering) {
      this.destroy();
      return;
    }
    if (this.raw) {
      this.raw.feedEnd();
      return;
    }
    // As node's server (httpAllowHalfOpen off): a client that half-closes is gone, so
    // a stream it was reading (logs -f, events) ends; a plain answer still goes out.
    if (this.current && !this.current.responseDone) this.current.notifyClosed();
    else if (this.current && !this.current.bodyDone) this.current.failBody(new Error("aborted: the client closed the connection"));
    if (!this.current) this.end();
  }

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.arm(undefined);
    for (const o of this.out.splice(0)) o.cb?.();
    this.current?.notifyClosed();
    this.raw?.socketClosed();
    this.owner.onConnectionClosed(this);
  }

  // ---- output ----

  /** Writes now, or queues behind what the socket has not taken; false when queued. */
  write(input: string | Uint8Array, cb?: () => void, byteLength?: number): boolean {
    const data: string | Buffer =
      typeof input === "string" || Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (this.closed) {
      cb?.();
      return true;
    }
    if (this.out.length) {
      this.out.push({ data: typeof data === "string" ? Buffer.from(data) : data, cb });
      return false;
    }
    const n = this.socket.write(data);
    const len = typeof data === "string" ? (byteLength ?? Buffer.byteLength(data)) : data.length;
    if (n >= len) {
      cb?.();
      return true;
    }
    if (n < 0) {
      cb?.();
      return true;
    }
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    this.out.push({ data: buf.subarray(n), cb });
    return false;
  }

  get writable(): boolean {
    return this.out.length === 0;
  }

  /** Ends the connection once everything written has gone out. */
  end(): void {
    if (this.closed) return;
    if (this.out.length) this.endAfterFlush = true;
    else this.socket.end();
  }

  destroy(): void {
    if (this.closed) return;
    this.socket.terminate();
    this.onClose();
  }

  pauseReading(reason: string): void {
    if (this.pausedBy.size === 0) this.socket.pause();
    this.pausedBy.add(reason);
  }

  resumeReading(reason: string): void {
    if (!this.pausedBy.delete(reason)) return;
    if (this.pausedBy.size === 0 && !this.closed) this.socket.resume();
  }

  // ---- request cycle ----

  private pump(): void {
    for (;;) {
      if (this.closed || this.raw) return;
      const ex = this.current;
      if (ex) {
        if (!ex.bodyDone && !ex.bodyError) {
          if (!this.feedBody(ex)) return;
        }
        if (!ex.responseDone) {
          if (this.buf.length > pipelineHighWater) this.pauseReading("pipeline");
          return;
        }
        if (!ex.bodyDone && !ex.bodyError) return;
        this.current = undefined;
        if (!ex.keepAlive || ex.bodyError || this.closing) {
          this.end();
          return;
        }
        if (this.peerEnded && this.buf.length === 0) {
          this.end();
          return;
        }
        continue;
      }
      if (this.buf.length === 0) {
        this.arm("idle");
        return;
      }
      this.arm("header");
      let parsed;
      try {
        parsed = parseHead(this.buf, maxHead);
      } catch (err) {
        this.badRequest(err);
        return;
      }
      if (!parsed) {
        // A partial request from a client that has stopped sending will never complete.
        if (this.peerEnded) this.end();
        return;
      }
      this.buf = this.buf.subarray(parsed.size);
      this.arm(undefined);
      const next = new Exchange(this, parsed.head);
      this.current = next;
      if (parsed.head.expectContinue && !next.bodyDone) this.write("HTTP/1.1 100 Continue\r\n\r\n");
      // Upgrade requests carry their bytes after the head raw, not as an HTTP body.
      this.owner.onExchange(next);
    }
  }

  /** Moves body bytes from the buffer to the exchange; false while more are needed. */
  private feedBody(ex: Exchange): boolean {
    try {
      if (ex.decoder) {
        const used = ex.decoder.push(this.buf, (d) => ex.pushBody(d));
        this.buf = this.buf.subarray(used);
        if (ex.decoder.done) ex.endBody();
      } else {
        const n = Math.min(ex.bodyRemaining, this.buf.length);
        if (n > 0) {
          ex.pushBody(this.buf.subarray(0, n));
          this.buf = this.buf.subarray(n);
          ex.bodyRemaining -= n;
        }
        if (ex.bodyRemaining === 0) ex.endBody();
      }
    } catch (err) {
      ex.failBody(err as Error);
      ex.keepAlive = false;
      if (ex.responseDone) this.end();
      return false;
    }
    if (this.buf.length === 0) this.buf = EMPTY;
    return ex.bodyDone;
  }

  /** @internal the exchange's response is complete. */
  exchangeDone(ex: Exchange): void {
    if (ex !== this.current) return;
    this.resumeReading("pipeline");
    if (!ex.bodyDone) {
      if (!ex.keepAlive || this.closing) {
        this.current = undefined;
        this.end();
        return;
      }
      ex.dropBody();
    }
    this.pump();
  }

  private badRequest(err: unknown): void {
    const status = err instanceof HttpParseError ? err.status : 400;
    // Go's net/http answers these in plain text.
    const body = status === 431 ? `${status} ${STATUS_CODES[status]}` : "";
    this.refuse(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  }

  /**
   * A last answer, then close: our side is shut for writing and what the client still
   * sends is read and dropped, so the kernel does not reset the connection (losing the
   * answer) over unread bytes.
   */
  refuse(response: string): void {
    this.write(response);
    this.buf = EMPTY;
    this.lingering = true;
    if (this.out.length) this.endAfterFlush = true;
    else this.socket.shutdown();
    setTimeout(() => this.destroy(), 2000).unref?.();
  }

  /** @internal */
  hijack(): RawDuplex {
    this.arm(undefined);
    const leftover = this.buf;
    this.buf = EMPTY;
    this.current = undefined;
    this.pausedBy.clear();
    this.socket.resume();
    this.raw = socketDuplex(this, leftover, this.peerEnded);
    return this.raw;
  }
}
