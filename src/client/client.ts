// The API client: HTTP over a unix socket or TCP through Bun's fetch (node:http alone
// costs a client more start-up time than its whole command), errors turned back into kinds.
import { existsSync, readFileSync } from "node:fs";
import { parseClientHost, type Endpoint } from "./host.ts";
import { exchange, type SocketTls } from "./exchange.ts";
import { WharfError, type ErrorKind } from "../errors.ts";
import { apiVersion } from "../version.ts";

/** Whole-number parts compared: "1.9" < "1.45". */
export function olderVersion(a: string, b: string): string {
  const [am, an] = a.split(".").map(Number) as [number, number];
  const [bm, bn] = b.split(".").map(Number) as [number, number];
  return am < bm || (am === bm && an < bn) ? a : b;
}

export const defaultClientHost = "unix:///var/run/wharf.sock";

const kindOf: Record<number, ErrorKind> = {
  304: "notModified",
  400: "invalidParameter",
  401: "unauthorized",
  403: "forbidden",
  404: "notFound",
  409: "conflict",
  501: "notImplemented",
  503: "unavailable",
};

/** The daemon could not be reached at all: the CLI prints one line and exits 1. */
export class ConnectError extends Error {
  constructor(readonly host: string, cause: unknown) {
    super(`Cannot connect to the wharf daemon at ${host}. Is the wharf daemon running?`, { cause });
    this.name = "ConnectError";
  }
}

/** A request body: JSON (any value), bytes, or a stream of bytes (uploads). */
export type Body = unknown;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | string[]>;
  body?: Body;
  headers?: Record<string, string>;
}

/** A response: status, lower-case headers, and the body as chunks. */
export interface ApiResponse extends AsyncIterable<Buffer> {
  statusCode: number;
  headers: Record<string, string>;
}

const isStream = (b: unknown): b is AsyncIterable<Uint8Array> | ReadableStream | Blob =>
  b instanceof ReadableStream || b instanceof Blob || (typeof b === "object" && b !== null && Symbol.asyncIterator in b);

/** The client's TLS flags as the docker CLI has them (paths; unset ones default under DOCKER_CERT_PATH). */
export interface ClientTls {
  tls?: boolean;
  verify?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/** What a TLS connection presents and trusts: PEM texts. */
export type TlsOptions = SocketTls;

/** --tls/--tlsverify, then DOCKER_TLS_VERIFY; undefined when the connection is plain. */
export function clientTlsFrom(flags: ClientTls, env: Record<string, string | undefined> = process.env): TlsOptions | undefined {
  const verify = flags.verify ?? !!env.DOCKER_TLS_VERIFY;
  if (!verify && !flags.tls) return undefined;
  const dir = env.DOCKER_CERT_PATH || `${env.HOME || "/root"}/.docker`;
  const file = (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : undefined);
  return {
    ca: verify ? file(flags.ca ?? `${dir}/ca.pem`) : undefined,
    cert: file(flags.cert ?? `${dir}/cert.pem`),
    key: file(flags.key ?? `${dir}/key.pem`),
    rejectUnauthorized: verify,
  };
}

export class Client {
  readonly target: Endpoint;
  private version: Promise<string> | undefined;

  /** `fixedVersion` (DOCKER_API_VERSION) fixes the API version; otherwise /_ping decides it once. */
  constructor(
    readonly host: string = process.env.DOCKER_HOST || defaultClientHost,
    fixedVersion?: string,
    /** TLS for a tcp:// host. */
    readonly tls?: TlsOptions,
  ) {
    this.target = parseClientHost(host);
    if (fixedVersion) this.version = Promise.resolve(fixedVersion);
  }

  private url(path: string): string {
    if (this.target.proto === "unix") return `http://localhost${path}`;
    return `${this.tls ? "https" : "http"}://${this.target.addr}${path}`;
  }

  private async send(method: string, path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    try {
      return await fetch(this.url(path), {
        method,
        ...init,
        ...(this.target.proto === "unix" ? { unix: this.target.addr } : this.tls ? { tls: this.tls } : {}),
        // Streamed answers (logs -f, events) must not be cut by a client-side timeout.
        timeout: false,
        decompress: false,
      } as unknown as RequestInit);
    } catch (err) {
      throw new ConnectError(this.host, err);
    }
  }

  /**
   * The API version both ends speak: ours, or the daemon's if older (its `Api-Version`
   * header on /_ping), as the docker CLI negotiates it.
   */
  apiVersion(): Promise<string> {
    this.version ??= exchange(this.target, "GET", "/_ping", {}, undefined, this.tls).then((res) => {
      const theirs = res.headers["api-version"];
      return theirs && /^\d+\.\d+$/.test(theirs) ? olderVersion(theirs, apiVersion) : apiVersion;
    }, (err) => {
      throw new ConnectError(this.host, err);
    });
    return this.version;
  }

  /** The versioned path with its query string, for `version` (the negotiated one, or ours until a daemon refuses it). */
  async fullPath(path: string, query: RequestOptions["query"] = {}, version?: string): Promise<string> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) qs.append(k, String(x));
    }
    return `/v${version ?? (this.version ? await this.version : apiVersion)}${path}${qs.size ? `?${qs}` : ""}`;
  }

  /**
   * Sends at our API version first: a daemon that serves it answers at once, without the
   * /_ping round trip on every command; one that is older refuses it (a 400 before doing
   * anything), and then /_ping negotiates and the request goes again.
   */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let body: BodyInit | undefined;
    if (opts.body === undefined) body = undefined;
    else if (isStream(opts.body)) body = opts.body as BodyInit;
    else if (opts.body instanceof Uint8Array) body = opts.body as unknown as BodyInit;
    else {
      body = JSON.stringify(opts.body);
      headers["Content-Type"] ??= "application/json";
    }
    const negotiated = this.version !== undefined;
    let res = await this.send(method, await this.fullPath(path, opts.query), { headers, body });
    if (res.status === 400 && !negotiated && !isStream(opts.body)) {
      const text = await res.text();
      if (/client version \S+ is too new/i.test(text)) {
        res = await this.send(method, await this.fullPath(path, opts.query, await this.apiVersion()), { headers, body });
      } else {
        res = new Response(text, { status: res.status, headers: res.headers });
      }
    }
    const stream = res.body;
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers),
      async *[Symbol.asyncIterator]() {
        if (!stream) return;
        // As Buffers, so callers may decode with toString() as with node:http.
        for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      },
    };
  }

  /**
   * A request whose answer is JSON; a non-2xx becomes a WharfError with Docker's message.
   * Sent as one plain exchange on its own socket (see exchange.ts), negotiated as request().
   */
  async json<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let body: string | Uint8Array | undefined;
    if (opts.body instanceof Uint8Array) body = opts.body;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["Content-Type"] ??= "application/json";
    }
    const send = async (version?: string) => {
      try {
        return await exchange(this.target, method, await this.fullPath(path, opts.query, version), headers, body, this.tls);
      } catch (err) {
        throw new ConnectError(this.host, err);
      }
    };
    const negotiated = this.version !== undefined;
    let res = await send();
    if (res.status === 400 && !negotiated && /client version \S+ is too new/i.test(res.body.toString())) res = await send(await this.apiVersion());
    const text = res.body.toString("utf8");
    if (res.status >= 400) throw errorFromResponse(res.status, text);
    return (text.length ? JSON.parse(text) : undefined) as T;
  }
}

export function errorFromResponse(status: number, text: string): WharfError {
  let message = text.trim();
  try {
    message = JSON.parse(text).message ?? message;
  } catch {}
  return new WharfError(kindOf[status] ?? "system", `Error response from daemon: ${message}`);
}

export async function readAll(res: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of res) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}
