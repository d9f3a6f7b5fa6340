// The API client: HTTP over a unix socket or TCP, errors turned back into kinds.
import http from "node:http";
import https from "node:https";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseHost, type Listener } from "../api/server.ts";
import { WharfError, type ErrorKind } from "../errors.ts";
import { apiVersion } from "../version.ts";

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

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The client's TLS flags as the docker CLI has them (paths; unset ones default under DOCKER_CERT_PATH). */
export interface ClientTls {
  tls?: boolean;
  verify?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/** --tls/--tlsverify, then DOCKER_TLS_VERIFY; undefined when the connection is plain. */
export function clientTlsFrom(flags: ClientTls, env: Record<string, string | undefined> = process.env): Required<Pick<ClientTls, "verify">> & ClientTls | undefined {
  const verify = flags.verify ?? (env.DOCKER_TLS_VERIFY ? true : false);
  if (!verify && !flags.tls) return undefined;
  const dir = env.DOCKER_CERT_PATH || join(env.HOME || "/root", ".docker");
  return { verify, ca: flags.ca ?? join(dir, "ca.pem"), cert: flags.cert ?? join(dir, "cert.pem"), key: flags.key ?? join(dir, "key.pem") };
}

export class Client {
  readonly target: Listener;

  constructor(
    readonly host: string = process.env.DOCKER_HOST || defaultClientHost,
    readonly tls?: ClientTls,
  ) {
    this.target = parseHost(host);
  }

  /** How to reach the daemon: the module that sends and the socket or host, port and TLS options. */
  connection(): { send: typeof http.request; where: http.RequestOptions & https.RequestOptions } {
    const t = this.target;
    if (t.proto === "unix") return { send: http.request, where: { socketPath: t.addr } };
    const where = { host: t.addr.slice(0, t.addr.lastIndexOf(":")).replace(/^\[|\]$/g, ""), port: Number(t.addr.split(":").pop()) };
    if (!this.tls) return { send: http.request, where };
    const file = (p: string | undefined) => (p && existsSync(p) ? readFileSync(p) : undefined);
    return {
      send: https.request as unknown as typeof http.request,
      where: { ...where, ca: this.tls.verify ? file(this.tls.ca) : undefined, cert: file(this.tls.cert), key: file(this.tls.key), rejectUnauthorized: !!this.tls.verify },
    };
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const fullPath = `/v${apiVersion}${path}${qs.size ? `?${qs}` : ""}`;
    const body =
      opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (body && !headers["Content-Type"]) headers["Content-Type"] = "application/json";
    const { send, where } = this.connection();
    return new Promise((resolve, reject) => {
      const req = send({ ...where, method, path: fullPath, headers }, resolve);
      req.on("error", (err) => reject(new ConnectError(this.host, err)));
      req.end(body);
    });
  }

  /** A request whose answer is JSON; a non-2xx becomes a WharfError with Docker's message. */
  async json<T = any>(method: string, path: string, opts?: RequestOptions): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status >= 400) throw errorFromResponse(status, text);
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
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString("utf8");
}
