// The API client: HTTP over a unix socket or TCP, errors turned back into kinds.
import http from "node:http";
import { connectOptions, parseClientHost, type Endpoint } from "./host.ts";
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

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

export class Client {
  readonly target: Endpoint;
  private version: Promise<string> | undefined;

  /** `version` fixes the API version (DOCKER_API_VERSION); otherwise /_ping decides it once. */
  constructor(
    readonly host: string = process.env.DOCKER_HOST || defaultClientHost,
    fixedVersion?: string,
  ) {
    this.target = parseClientHost(host);
    if (fixedVersion) this.version = Promise.resolve(fixedVersion);
  }

  /**
   * The API version both ends speak: ours, or the daemon's if older (its `Api-Version`
   * header on /_ping), as the docker CLI negotiates it.
   */
  apiVersion(): Promise<string> {
    this.version ??= new Promise<string>((resolve, reject) => {
      const req = http.request({ ...connectOptions(this.target), method: "GET", path: "/_ping" }, (res) => {
        res.resume();
        const theirs = res.headers["api-version"];
        resolve(typeof theirs === "string" && /^\d+\.\d+$/.test(theirs) ? olderVersion(theirs, apiVersion) : apiVersion);
      });
      req.on("error", (err) => reject(new ConnectError(this.host, err)));
      req.end();
    });
    return this.version;
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const fullPath = `/v${await this.apiVersion()}${path}${qs.size ? `?${qs}` : ""}`;
    const body =
      opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (body && !headers["Content-Type"]) headers["Content-Type"] = "application/json";
    const where = connectOptions(this.target);
    return new Promise((resolve, reject) => {
      const req = http.request({ ...where, method, path: fullPath, headers }, resolve);
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
