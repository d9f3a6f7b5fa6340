// HTTP/1.1 request parsing for the API server: the request head, and the chunked body
// decoder. Pure functions over Buffers so the connection can feed them whatever
// packet boundaries the socket delivers.

export class HttpParseError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export type BodyKind = "none" | "length" | "chunked";

export interface RequestHead {
  method: string;
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** Lowercased names, as node's IncomingMessage.headers. */
  headers: Record<string, string | string[]>;
  bodyKind: BodyKind;
  /** Content-Length when bodyKind is "length". */
  length: number;
  keepAlive: boolean;
  expectContinue: boolean;
  /** `Connection: Upgrade` with an `Upgrade` header. */
  upgrade: boolean;
}

/** Headers node keeps only the first of when repeated; set-cookie becomes an array; others join with ", ". */
const singleValued = new Set([
  "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
  "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
  "proxy-authorization", "referer", "retry-after", "server", "user-agent",
]);

const requestLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Field values: visible ASCII, obs-text, space and tab; no other control characters.
const badValue = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Parses one request head at the start of `buf`. Returns null while the head is incomplete,
 * the head and its size in bytes once it is there; throws HttpParseError on garbage or when
 * the head grows past `maxHead`.
 */
export function parseHead(buf: Buffer, maxHead: number): { head: RequestHead; size: number } | null {
  // Empty lines before a request line are ignored (RFC 9112 §2.2).
  let start = 0;
  while (start + 1 < buf.length && buf[start] === 13 && buf[start + 1] === 10) start += 2;
  const end = buf.indexOf("\r\n\r\n", start, "latin1");
  if (end < 0) {
    if (buf.length - start > maxHead) throw new HttpParseError(431, "request header fields too large");
    // A request line that cannot become valid need not wait for more bytes.
    const firstSpace = buf.indexOf(32, start);
    if (buf.length - start > 0 && (firstSpace < 0 ? buf.length - start > 32 : firstSpace === start)) {
      throw new HttpParseError(400, "malformed request line");
    }
    return null;
  }
  if (end - start > maxHead) throw new HttpParseError(431, "request header fields too large");
  const text = buf.toString("latin1", start, end);
  let eol = text.indexOf("\r\n");
  const m = requestLine.exec(eol < 0 ? text : text.slice(0, eol));
  if (!m) throw new HttpParseError(400, "malformed request line");
  const headers: Record<string, string | string[]> = {};
  while (eol >= 0) {
    const from = eol + 2;
    eol = text.indexOf("\r\n", from);
    const line = eol < 0 ? text.slice(from) : text.slice(from, eol);
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HttpParseError(400, "malformed header line");
    const name = line.slice(0, colon);
    if (!headerName.test(name)) throw new HttpParseError(400, "malformed header name");
    const value = line.slice(colon + 1).trim();
    if (badValue.test(value)) throw new HttpParseError(400, "malformed header value");
    const key = name.toLowerCase();
    const prev = headers[key];
    if (prev === undefined) headers[key] = key === "set-cookie" ? [value] : value;
    else if (key === "content-length") {
      if (prev !== value) throw new HttpParseError(400, "conflicting Content-Length headers");
    } else if (Array.isArray(prev)) prev.push(value);
    else if (!singleValued.has(key)) headers[key] = `${prev}, ${value}`;
  }
  const minor = Number(m[3]);
  const connection = headers.connection;
  const tokens = connection === undefined ? [] : String(connection).toLowerCase().split(",").map((t) => t.trim());
  const keepAlive = minor === 1 ? !tokens.includes("close") : tokens.includes("keep-alive");
  let bodyKind: BodyKind = "none";
  let length = 0;
  const te = headers["transfer-encoding"];
  const cl = headers["content-length"];
  if (te !== undefined) {
    if (cl !== undefined) throw new HttpParseError(400, "both Transfer-Encoding and Content-Length");
    const codings = String(te).toLowerCase().split(",").map((t) => t.trim());
    if (codings[codings.length - 1] !== "chunked") throw new HttpParseError(400, "unsupported Transfer-Encoding");
    bodyKind = "chunked";
  } else if (cl !== undefined) {
    if (!/^\d{1,15}$/.test(String(cl))) throw new HttpParseError(400, "invalid Content-Length");
    length = Number(cl);
    bodyKind = length > 0 ? "length" : "none";
  }
  return {
    head: {
      method: m[1]!,
      target: m[2]!,
      minor,
      headers,
      bodyKind,
      length,
      keepAlive,
      expectContinue: minor === 1 && String(headers.expect ?? "").toLowerCase() === "100-continue",
      upgrade: headers.upgrade !== undefined && tokens.includes("upgrade"),
    },
    size: end + 4,
  };
}

const maxChunkLine = 4096;
const maxTrailers = 16 * 1024;

/**
 * Decodes a chunked body incrementally. `push` consumes what it can of `buf` (chunk
 * extensions and trailers are read and dropped) and hands the data to `onData`.
 */
export class ChunkedDecoder {
  private state: "size" | "data" | "data-crlf" | "trailer" | "done" = "size";
  private remaining = 0;
  private trailerBytes = 0;

  get done(): boolean {
    return this.state === "done";
  }

  /** Returns how many bytes of `buf` were consumed; the rest must be offered again with more. */
  push(buf: Buffer, onData: (data: Buffer) => void): number {
    let off = 0;
    while (off < buf.length && this.state !== "done") {
      switch (this.state) {
        case "size": {
          const eol = buf.indexOf("\r\n", off, "latin1");
          if (eol < 0) {
            if (buf.length - off > maxChunkLine) throw new HttpParseError(400, "chunk size line too long");
            return off;
          }
          const line = buf.toString("latin1", off, eol);
          const semi = line.indexOf(";");
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new HttpParseError(400, "invalid chunk size");
          this.remaining = parseInt(hex, 16);
          off = eol + 2;
          this.state = this.remaining === 0 ? "trailer" : "data";
          break;
        }
        case "data": {
          const n = Math.min(this.remaining, buf.length - off);
          onData(buf.subarray(off, off + n));
          off += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = "data-crlf";
          break;
        }
        case "data-crlf": {
          if (buf.length - off < 2) return off;
          if (buf[off] !== 13 || buf[off + 1] !== 10) throw new HttpParseError(400, "missing CRLF after chunk data");
          off += 2;
          this.state = "size";
          break;
        }
        case "trailer": {
          const eol = buf.indexOf("\r\n", off, "latin1");
          if (eol < 0) {
            if (this.trailerBytes + buf.length - off > maxTrailers) throw new HttpParseError(400, "trailers too large");
            return off;
          }
          this.trailerBytes += eol + 2 - off;
          if (this.trailerBytes > maxTrailers) throw new HttpParseError(400, "trailers too large");
          const empty = eol === off;
          off = eol + 2;
          if (empty) this.state = "done";
          break;
        }
      }
    }
    return off;
  }
}

/** Node's reason phrases. */
export { STATUS_CODES } from "node:http";
