// The API server listens as soon as it is created but serves nothing until
// acceptConnections(): a client that connects during daemon start waits, then succeeds.
// The HTTP/1.1 protocol is wharf's own (src/api/http1/) on Bun.listen: node:http under
// Bun's node compatibility capped the request rate, and the raw socket is what attach
// and exec need for `Upgrade: tcp` hijacking anyway.
import { handshakeResponse, isWebSocketUpgrade, webSocketDuplex } from "./websocket.ts";
import { chmodSync, chownSync, existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { checkRequest } from "./access.ts";
import type { Socket, SocketListener } from "bun";
import { Router, splitVersion } from "./router.ts";
import { errorBody, httpStatus } from "./errors.ts";
import type { ApiRequest, ApiResponse, StreamSink } from "./types.ts";
import { RawJson } from "./rawjson.ts";
import { Connection, type Exchange, type ConnectionOwner } from "./http1/connection.ts";
import { STATUS_CODES } from "./http1/parser.ts";
import { responseDuplex } from "./http1/response-duplex.ts";
import { apiVersion, wharfVersion } from "../version.ts";
import { logger } from "../log.ts";
import { invalidParameter } from "../errors.ts";

const log = logger("api");

export interface Listener {
  /** "fd": a listening socket passed by systemd, addr its descriptor number. */
  proto: "unix" | "tcp" | "fd";
  /** For "fd": the passed socket is AF_INET or AF_INET6, so requests get TCP's checks. */
  inet?: boolean;
  addr: string;
  /** TLS on a TCP listener: PEM file paths; with `ca`, client certificates are required and verified. */
  tls?: { cert: string; key: string; ca?: string };
}

export interface ListenOptions {
  /** Group that owns unix sockets (gid), when one was found. */
  socketGid?: number;
}

/**
 * Connection limits. The defaults suit a daemon; WHARF_API_HEADER_TIMEOUT_MS,
 * WHARF_API_IDLE_TIMEOUT_MS and WHARF_API_MAX_CONNECTIONS override them (tests use
 * small values to see the limits act).
 */
export interface ServerLimits {
  headerMs: number;
  idleMs: number;
  /** Open connections per listener; one more is answered 503 and closed. */
  maxConnections: number;
}

export function limitsFromEnv(env: Record<string, string | undefined> = process.env): ServerLimits {
  const num = (k: string, d: number) => (env[k] && /^\d+$/.test(env[k]!) && Number(env[k]) > 0 ? Number(env[k]) : d);
  return {
    headerMs: num("WHARF_API_HEADER_TIMEOUT_MS", 60_000),
    idleMs: num("WHARF_API_IDLE_TIMEOUT_MS", 300_000),
    maxConnections: num("WHARF_API_MAX_CONNECTIONS", 4096),
  };
}

export function parseHost(host: string): Listener {
  if (host.startsWith("unix://")) {
    const addr = host.slice("unix://".length);
    if (!addr.startsWith("/")) throw invalidParameter(`invalid unix socket path in ${host}: must be absolute`);
    return { proto: "unix", addr };
  }
  if (host.startsWith("tcp://")) {
    const rest = host.slice("tcp://".length).replace(/\/$/, "");
    const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(rest);
    if (!m || Number(m[2]) > 65535) throw invalidParameter(`invalid tcp address ${host}: want tcp://HOST:PORT`);
    return { proto: "tcp", addr: `${m[1] || "127.0.0.1"}:${m[2]}` };
  }
  if (host.startsWith("fd://")) {
    const fd = host.slice("fd://".length);
    if (fd && !/^\d+$/.test(fd)) throw invalidParameter(`invalid fd host ${host}: want fd:// or fd://N`);
    return { proto: "fd", addr: fd };
  }
  if (host.startsWith("/")) return { proto: "unix", addr: host };
  throw invalidParameter(`invalid host ${host}: want unix://PATH, tcp://HOST:PORT or fd://`);
}

export const commonHeaders = (): Record<string, string> => ({
  "Api-Version": apiVersion,
  "Docker-Experimental": "false",
  Ostype: "linux",
  Server: `wharf/${wharfVersion} (linux)`,
});

let jsonHeadText: string | undefined;
const headerText = (h: Record<string, string>) => Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join("");

export class ApiServer implements ConnectionOwner {
  private readonly servers: SocketListener<Connection | undefined>[] = [];
  private readonly connections = new Set<Connection>();
  private readonly socketPaths: string[] = [];
  private accept!: () => void;
  private accepted = false;
  private readonly accepting = new Promise<void>((r) => (this.accept = r));
  private inFlight = 0;
  private started = 0;
  private idle: (() => void) | undefined;
  private closing = false;

  readonly timeouts: { headerMs: number; idleMs: number };
  private readonly perListener = new Map<Listener, number>();
  private readonly counted = new WeakSet<Connection>();

  constructor(
    private readonly router: Router,
    private readonly limits: ServerLimits = limitsFromEnv(),
  ) {
    this.timeouts = { headerMs: limits.headerMs, idleMs: limits.idleMs };
  }

  /** Binds every listener now; requests wait until acceptConnections(). */
  async listen(listeners: Listener[], opts: ListenOptions = {}): Promise<void> {
    for (const l of listeners) this.listenOne(l, opts);
  }

  private listenOne(l: Listener, opts: ListenOptions): void {
    const verify = !!l.tls?.ca;
    const handlers = {
      // The docker CLI half-closes after the last stdin byte of an attach and keeps reading.
      allowHalfOpen: true,
      socket: {
        open: (s: Socket<Connection | undefined>) => {
          const open = this.perListener.get(l) ?? 0;
          const c = new Connection(s, this);
          c.listener = l;
          s.data = c;
          this.connections.add(c);
          if (open >= this.limits.maxConnections) {
            // An answer, not a hang: the client learns why and may retry. Written
            // through the connection so it waits for the socket to take it.
            const body = `{"message":"too many connections to ${l.proto}://${l.addr} (${open}): try again later"}\n`;
            c.refuse(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
            return;
          }
          this.perListener.set(l, open + 1);
          this.counted.add(c);
          if (this.closing) c.end();
        },
        data: (s: Socket<Connection | undefined>, d: Buffer) => s.data?.onData(d),
        drain: (s: Socket<Connection | undefined>) => s.data?.onDrain(),
        end: (s: Socket<Connection | undefined>) => s.data?.onEnd(),
        close: (s: Socket<Connection | undefined>) => s.data?.onClose(),
        error: (s: Socket<Connection | undefined>, err: Error) => {
          log.debug(`api connection: ${err.message}`);
          s.data?.onClose();
        },
        // A client whose certificate the CA did not sign (or that sent none) gets nothing.
        handshake: (s: Socket<Connection | undefined>, ok: boolean, err: Error | null) => {
          if (verify && (!ok || !s.authorized)) {
            log.debug(`api tls: client refused: ${err?.message ?? "no verified certificate"}`);
            s.data?.destroy();
          }
        },
      },
    };
    let server: SocketListener<Connection | undefined>;
    if (l.proto === "fd") {
      // Bun.listen's `fd` is not in its types; it takes an already listening socket.
      const fromFd = { fd: Number(l.addr), ...handlers } as unknown as Parameters<typeof Bun.listen<Connection | undefined>>[0];
      server = Bun.listen<Connection | undefined>(fromFd);
    } else if (l.proto === "unix") {
      if (existsSync(l.addr) && statSync(l.addr).isSocket()) rmSync(l.addr);
      server = Bun.listen<Connection | undefined>({ unix: l.addr, ...handlers });
      this.socketPaths.push(l.addr);
      chmodSync(l.addr, 0o660);
      if (opts.socketGid !== undefined) chownSync(l.addr, 0, opts.socketGid);
    } else {
      const i = l.addr.lastIndexOf(":");
      const hostname = l.addr.slice(0, i).replace(/^\[|\]$/g, "");
      server = Bun.listen<Connection | undefined>({ hostname, port: Number(l.addr.slice(i + 1)), ...(l.tls ? { tls: tlsOptions(l.tls) } : {}), ...handlers });
    }
    log.info(`API listening on ${l.tls ? "tls+" : ""}${l.proto}://${l.addr}${verify ? " (client certificates verified)" : ""}`);
    this.servers.push(server);
  }

  acceptConnections(): void {
    this.accepted = true;
    this.accept();
  }

  /** Stops accepting, lets in-flight requests finish within `graceMs`, then drops the rest. */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    for (const s of this.servers) s.stop(false);
    // Idle keep-alive connections go now; busy ones close after their current answer.
    for (const c of this.connections) {
      c.closing = true;
      if (c.idle) c.end();
    }
    if (this.inFlight > 0) {
      await Promise.race([new Promise<void>((r) => (this.idle = r)), Bun.sleep(graceMs)]);
    }
    for (const c of [...this.connections]) c.destroy();
    // Only sockets this server bound: never another daemon's.
    for (const p of this.socketPaths) rmSync(p, { force: true });
  }

  /** @internal */
  onConnectionClosed(c: Connection): void {
    this.connections.delete(c);
    const l = c.listener as Listener | undefined;
    if (l && this.counted.delete(c)) this.perListener.set(l, Math.max(0, (this.perListener.get(l) ?? 1) - 1));
  }

  /** @internal a request head arrived on a connection. */
  onExchange(ex: Exchange): void {
    if (this.accepted) this.serve(ex);
    else void this.accepting.then(() => this.serve(ex));
  }

  private toApiRequest(ex: Exchange, upgrade: boolean): ApiRequest {
    const { pathname, query } = splitTarget(ex.target);
    const { version, path } = splitVersion(pathname);
    let body: Promise<Buffer> | undefined;
    let gone: AbortController | undefined;
    return {
      method: ex.method,
      path,
      params: {},
      query,
      headers: ex.headers,
      version,
      upgrade,
      body: () =>
        (body ??= (async () => {
          const chunks: Buffer[] = [];
          for await (const c of ex.bodyStream()) chunks.push(c);
          return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        })()),
      bodyStream: () => ex.bodyStream(),
      get signal() {
        if (!gone) {
          const ac = (gone = new AbortController());
          ex.onClose(() => ac.abort(new Error("context canceled")));
        }
        return gone.signal;
      },
    };
  }

  /** The handler's answer; a synchronous one stays synchronous, so it is written without a promise hop. */
  private dispatch(ex: Exchange, upgrade: boolean): ApiResponse | Promise<ApiResponse> {
    try {
      const ar = this.toApiRequest(ex, upgrade);
      checkRequest({
        method: ar.method,
        path: ar.path,
        headers: ex.headers,
        hasBody: ex.head.bodyKind === "chunked" || (ex.head.bodyKind === "length" && ex.head.length > 0),
        httpMinor: ex.head.minor,
        listener: ex.listener ?? { proto: "unix", addr: "" },
      });
      const { handler, params } = this.router.match(ar.method, ar.path);
      ar.params = params;
      const out = handler(ar);
      return out instanceof Promise ? out.catch((err) => this.errorResponse(ex, err)) : out;
    } catch (err) {
      return this.errorResponse(ex, err);
    }
  }

  private errorResponse(ex: Exchange, err: unknown): ApiResponse {
    const status = httpStatus(err);
    if (status >= 500) log.error(`${ex.method} ${ex.target}:`, err);
    else log.debug(`${ex.method} ${ex.target}: ${status} ${(err as Error).message}`);
    if (status === 304) return { kind: "empty", status };
    return { kind: "json", status, body: errorBody(err) };
  }

  /** Requests begun since start: what the daemon's idle trimmer watches for quiet. */
  get requestsStarted(): number {
    return this.started;
  }

  private serve(ex: Exchange): void {
    this.started++;
    if (ex.upgrade) {
      this.onUpgrade(ex).catch((err) => {
        log.debug(`hijacked ${ex.method} ${ex.target}: ${(err as Error).message}`);
        ex.abort();
      });
      return;
    }
    this.inFlight++;
    try {
      const r = this.dispatch(ex, false);
      const sent = r instanceof Promise ? r.then((r) => this.send(ex, r)) : this.send(ex, r);
      if (sent instanceof Promise) sent.then(() => this.served(), (err) => this.sendFailed(ex, err));
      else this.served();
    } catch (err) {
      this.sendFailed(ex, err);
    }
  }

  private served(): void {
    if (--this.inFlight === 0 && this.idle) this.idle();
  }

  private sendFailed(ex: Exchange, err: unknown): void {
    log.error(`writing response to ${ex.method} ${ex.target}:`, err);
    ex.abort();
    this.served();
  }

  /** Writes an answer: at once when its body is all there, else as it streams. */
  private send(ex: Exchange, r: ApiResponse): void | Promise<void> {
    if (r.kind === "json" || r.kind === "text" || r.kind === "empty") return this.sendComplete(ex, r);
    return this.sendStream(ex, r);
  }

  private async sendStream(ex: Exchange, r: Extract<ApiResponse, { kind: "hijack" | "stream" }>): Promise<void> {
    const headers: Record<string, string> = { ...commonHeaders(), ...r.headers };
    switch (r.kind) {
      case "hijack": {
        // Without the Upgrade headers the stream is sent as a plain 200 body (COMPAT).
        const out = ex.startBody(200, { ...headers, "Content-Type": r.contentType });
        const d = responseDuplex(ex, out);
        try {
          await r.run(d);
        } finally {
          if (!d.writableEnded) d.end();
          // Writes the route made are queued in the Duplex until the socket takes them:
          // the body ends after the last of them, not before (attach lost its tail so).
          if (!d.writableFinished && !d.destroyed) await new Promise<void>((ok) => (d.once("finish", ok), d.once("close", ok)));
          out.end();
        }
        return;
      }
      case "stream": {
        const out = ex.startBody(r.status, { ...headers, "Content-Type": r.contentType });
        const sink = sinkFor(ex, out);
        try {
          await r.run(sink);
        } finally {
          out.end();
        }
        return;
      }
    }
  }

  /** An answer whose body is all there. */
  private sendComplete(ex: Exchange, r: Extract<ApiResponse, { kind: "json" | "text" | "empty" }>): void {
    const head = ex.method === "HEAD";
    if (r.kind === "json" && !r.headers) {
      // The common case, with its header lines made once.
      const raw = r.body instanceof RawJson ? r.body : undefined;
      const body = raw ? raw.bytes() : JSON.stringify(r.body) + "\n";
      ex.respond(r.status, (jsonHeadText ??= headerText({ ...commonHeaders(), "Content-Type": "application/json" })), body, head, raw?.wire);
      return;
    }
    const headers: Record<string, string> = { ...commonHeaders(), ...r.headers };
    switch (r.kind) {
      case "json": {
        const text = (r.body instanceof RawJson ? r.body.text : JSON.stringify(r.body)) + "\n";
        ex.respond(r.status, { ...headers, "Content-Type": "application/json" }, text, head);
        return;
      }
      case "text":
        ex.respond(r.status, { "Content-Type": "text/plain; charset=utf-8", ...headers }, r.body, head);
        return;
      case "empty":
        ex.respond(r.status, headers, undefined, true);
        return;
    }
  }

  private async onUpgrade(ex: Exchange): Promise<void> {
    const wantsTcp = String(ex.headers.upgrade ?? "").toLowerCase() === "tcp";
    const r = await this.dispatch(ex, wantsTcp);
    if (r.kind === "hijack" && isWebSocketUpgrade(ex.headers)) {
      const socket = ex.hijack(handshakeResponse(ex.headers, commonHeaders()));
      // Docker sends binary frames from API 1.28 on, text frames before.
      const [major = 1, minor = 45] = splitVersion(splitTarget(ex.target).pathname).version.split(".").map(Number);
      const ws = webSocketDuplex(socket, { binary: major > 1 || minor >= 28 });
      try {
        await r.run(ws);
      } finally {
        ws.end();
      }
      return;
    }
    if (r.kind === "hijack" && wantsTcp) {
      const socket = ex.hijack(
        `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${r.contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
          Object.entries(commonHeaders()).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
          "\r\n",
      );
      try {
        await r.run(socket);
      } finally {
        socket.end();
      }
      return;
    }
    // Anything else on an upgrade request gets an ordinary response written by hand.
    const status = r.kind === "hijack" ? 400 : r.status;
    const body =
      r.kind === "json"
        ? (r.body instanceof RawJson ? r.body.text : JSON.stringify(r.body)) + "\n"
        : r.kind === "hijack"
          ? '{"message":"Upgrade: tcp required"}\n'
          : "";
    ex.respondRaw(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n` +
        Object.entries(commonHeaders()).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

/** Reads the PEM files now, so a missing or unreadable one is a start error naming it. */
function tlsOptions(t: NonNullable<Listener["tls"]>) {
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      throw invalidParameter(`could not load ${what} ${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (err as Error).message}`);
    }
  };
  const cert = read("X509 certificate", t.cert);
  const key = read("X509 key", t.key);
  if (!t.ca) return { cert, key };
  return { cert, key, ca: read("CA certificate", t.ca), requestCert: true, rejectUnauthorized: true };
}

// Paths the WHATWG URL parser would return unchanged: no dot segments, no characters
// it percent-encodes or rewrites. Anything else goes through URL.
const plainPath = /^\/(?:[A-Za-z0-9_~!$&'()*+,;=:@%-]|\.(?![./]|$)|\/(?!\.))*$/;

// Shared by every request without a query string; handlers only read queries.
const noQuery = new URLSearchParams();

/** The pathname and query of a request target, as `new URL(target, base)` has them. */
export function splitTarget(target: string): { pathname: string; query: URLSearchParams } {
  const q = target.indexOf("?");
  const p = q < 0 ? target : target.slice(0, q);
  if (plainPath.test(p) && !p.includes("/.") && !p.startsWith("//") && !/%2e/i.test(p) && target.indexOf("#") < 0) {
    return { pathname: p, query: q < 0 || q === target.length - 1 ? noQuery : new URLSearchParams(target.slice(q + 1)) };
  }
  const url = new URL(target, "http://wharf");
  return { pathname: url.pathname, query: url.searchParams };
}

function sinkFor(ex: Exchange, out: { write(c: string | Uint8Array): boolean }): StreamSink {
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    ex.onClose(() => {
      isClosed = true;
      resolve();
    }),
  );
  return {
    write(chunk) {
      if (!isClosed) out.write(chunk);
    },
    closed,
    get isClosed() {
      return isClosed;
    },
  };
}
