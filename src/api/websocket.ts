// The server side of RFC 6455, just what `GET /containers/{id}/attach/ws` needs: the
// upgrade handshake, and a Duplex that carries bytes as binary frames (text frames
// for API versions below 1.28, as Docker does) and reads the client's masked frames,
// answering pings and the closing handshake.
import { createHash } from "node:crypto";
import { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

type Headers = Record<string, string | string[] | undefined>;

export function isWebSocketUpgrade(headers: Headers): boolean {
  return String(headers.upgrade ?? "").toLowerCase() === "websocket" && typeof headers["sec-websocket-key"] === "string";
}

/** The 101 response that accepts the upgrade. */
export function handshakeResponse(headers: Headers, extraHeaders: Record<string, string>): string {
  const accept = createHash("sha1").update(String(headers["sec-websocket-key"]) + GUID).digest("base64");
  return (
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Accept: ${accept}\r\n` +
    Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
    "\r\n"
  );
}

const OP_CONT = 0x0, OP_TEXT = 0x1, OP_BINARY = 0x2, OP_CLOSE = 0x8, OP_PING = 0x9, OP_PONG = 0xa;
const maxFrame = 16 * 1024 * 1024;

export function encodeFrame(opcode: number, payload: Uint8Array): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (n < 126) head[1] = n;
  else if (n < 65536) {
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Splits incoming bytes into frames, unmasking them; whatever the chunking. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (opcode: number, fin: boolean, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!, b1 = this.buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        const big = this.buf.readBigUInt64BE(2);
        if (big > BigInt(maxFrame)) throw new Error("websocket frame too large");
        len = Number(big);
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const need = off + (masked ? 4 : 0) + len;
      if (this.buf.length < need) return;
      const payload = Buffer.from(this.buf.subarray(need - len, need));
      if (masked) {
        const key = this.buf.subarray(off, off + 4);
        for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
      }
      this.buf = this.buf.subarray(need);
      this.onFrame(b0 & 0x0f, (b0 & 0x80) !== 0, payload);
    }
  }
}

/** A Duplex of the payload bytes over an accepted websocket connection. */
export function webSocketDuplex(socket: Duplex, opts: { binary: boolean }): Duplex {
  let closeSent = false;
  const sendClose = () => {
    if (closeSent || socket.destroyed) return;
    closeSent = true;
    socket.write(encodeFrame(OP_CLOSE, Buffer.from([0x03, 0xe8]))); // 1000, normal closure
  };
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (closeSent || socket.destroyed) return cb();
      socket.write(encodeFrame(opts.binary ? OP_BINARY : OP_TEXT, chunk), () => cb());
    },
    final(cb) {
      sendClose();
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  const parser = new FrameParser((op, _fin, payload) => {
    switch (op) {
      case OP_CONT:
      case OP_TEXT:
      case OP_BINARY:
        if (!d.push(payload)) socket.pause();
        return;
      case OP_PING:
        socket.write(encodeFrame(OP_PONG, payload));
        return;
      case OP_PONG:
        return;
      case OP_CLOSE:
        sendClose();
        d.push(null);
        socket.end();
        return;
    }
  });
  socket.on("data", (c: Buffer) => {
    try {
      parser.push(c);
    } catch {
      socket.destroy();
    }
  });
  socket.on("end", () => d.push(null));
  socket.on("close", () => d.destroy());
  socket.on("error", () => d.destroy());
  return d;
}
