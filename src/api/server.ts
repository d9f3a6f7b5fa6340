// The API server listens as soon as it is created but serves nothing until
// acceptConnections(): a client that connects during daemon start waits, then succeeds.
// node:http is used (not Bun.serve) because its `upgrade` event hands over the raw
// socket, which attach and exec need for `Upgrade: tcp` hijacking.
import { handshakeResponse, isWebSocketUpgrade, webSocketDuplex } from "./websocket.ts";
import http from "node:http";
import { Duplex } from "node:stream";
import { chmodSync, existsSync, rmSync, statSync } from "node:fs";
import { Router, splitVersion } from "./router.ts";
import { errorBody, httpStatus } from "./errors.ts";
import type { ApiRequest, ApiResponse, StreamSink } from "./types.ts";
import { apiVersion, wharfVersion } from "../version.ts";
import { logger } from "../log.ts";
import { invalidParameter } from "../errors.ts";

const log = logger("api");

export interface Listener {
  proto: "unix" | "tcp";
  addr: string;
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
  if (host.startsWith("/")) return { proto: "unix", addr: host };
  throw invalidParameter(`invalid host ${host}: want unix://PATH or tcp://HOST:PORT`);
}

export const commonHeaders = (): Record<string, string> => ({
  "Api-Version": apiVersion,
  "Docker-Experimental": "false",
  Ostype: "linux",
  Server: `wharf/${wharfVersion} (linux)`,
});

export class ApiServer {
  private readonly servers: http.Server[] = [];
  private readonly sockets = new Set<Duplex>();
  private readonly socketPaths: string[] = [];
  private accept!: () => void;
  private readonly accepting = new Promise<void>((r) => (this.accept = r));
  private inFlight = 0;
  private idle: (() => void) | undefined;
  private closing = false;

  constructor(private readonly router: Router) {}

  /** Binds every listener now; requests wait until acceptConnections(). */
  async listen(listeners: Listener[]): Promise<void> {
    for (const l of listeners) {
      const server = http.createServer((req, res) => void this.onRequest(req, res));
      server.on("upgrade", (req, socket, head) => void this.onUpgrade(req, socket, head));
      server.on("connection", (s) => {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
      });
      if (l.proto === "unix") {
        if (existsSync(l.addr) && statSync(l.addr).isSocket()) rmSync(l.addr);
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(l.addr, () => resolve());
        });
        this.socketPaths.push(l.addr);
        chmodSync(l.addr, 0o660);
      } else {
        const i = l.addr.lastIndexOf(":");
        const host = l.addr.slice(0, i).replace(/^\[|\]$/g, "");
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(Number(l.addr.slice(i + 1)), host, () => resolve());
        });
      }
      log.info(`API listening on ${l.proto}://${l.addr}`);
      this.servers.push(server);
    }
  }

  acceptConnections(): void {
    this.accept();
  }

  /** Stops accepting, lets in-flight requests finish within `graceMs`, then drops the rest. */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (this.inFlight > 0) {
      await Promise.race([new Promise<void>((r) => (this.idle = r)), Bun.sleep(graceMs)]);
    }
    for (const s of this.servers) s.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await Promise.race([closed, Bun.sleep(1000)]);
    // Only sockets this server bound: never another daemon's.
    for (const p of this.socketPaths) rmSync(p, { force: true });
  }

  private toApiRequest(req: http.IncomingMessage, upgrade: boolean): ApiRequest {
    const url = new URL(req.url ?? "/", "http://wharf");
    const { version, path } = splitVersion(url.pathname);
    let body: Promise<Buffer> | undefined;
    return {
      method: req.method ?? "GET",
      path,
      params: {},
      query: url.searchParams,
      headers: req.headers,
      version,
      upgrade,
      body: () =>
        (body ??= (async () => {
          const chunks: Buffer[] = [];
          for await (const c of req) chunks.push(c as Buffer);
          return Buffer.concat(chunks);
        })()),
      bodyStream: () => req as AsyncIterable<Uint8Array>,
    };
  }

  private async dispatch(req: http.IncomingMessage, upgrade: boolean): Promise<ApiResponse> {
    try {
      const ar = this.toApiRequest(req, upgrade);
      const { handler, params } = this.router.match(ar.method, ar.path);
      ar.params = params;
      return await handler(ar);
    } catch (err) {
      const status = httpStatus(err);
      if (status >= 500) log.error(`${req.method} ${req.url}:`, err);
      else log.debug(`${req.method} ${req.url}: ${status} ${(err as Error).message}`);
      if (status === 304) return { kind: "empty", status };
      return { kind: "json", status, body: errorBody(err) };
    }
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    await this.accepting;
    this.inFlight++;
    try {
      const r = await this.dispatch(req, false);
      await this.send(req, res, r);
    } catch (err) {
      log.error(`writing response to ${req.method} ${req.url}:`, err);
      res.destroy();
    } finally {
      if (--this.inFlight === 0 && this.idle) this.idle();
    }
  }

  private async send(req: http.IncomingMessage, res: http.ServerResponse, r: ApiResponse): Promise<void> {
    const headers = { ...commonHeaders(), ...("headers" in r ? r.headers : {}) };
    const head = req.method === "HEAD";
    switch (r.kind) {
      case "json": {
        const text = JSON.stringify(r.body) + "\n";
        res.writeHead(r.status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
        res.end(head ? undefined : text);
        return;
      }
      case "text": {
        const body = typeof r.body === "string" ? Buffer.from(r.body) : r.body;
        res.writeHead(r.status, { "Content-Type": "text/plain; charset=utf-8", ...headers, "Content-Length": body.byteLength });
        res.end(head ? undefined : body);
        return;
      }
      case "empty":
        res.writeHead(r.status, headers);
        res.end();
        return;
      case "hijack":
        // Without the Upgrade headers the stream is sent as a plain 200 body (COMPAT).
        res.writeHead(200, { ...headers, "Content-Type": r.contentType });
        res.flushHeaders();
        await r.run(responseDuplex(req, res));
        res.end();
        return;
      case "stream": {
        res.writeHead(r.status, { ...headers, "Content-Type": r.contentType });
        res.flushHeaders();
        const sink = sinkFor(res);
        try {
          await r.run(sink);
        } finally {
          if (!sink.isClosed) res.end();
        }
        return;
      }
    }
  }

  private async onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    await this.accepting;
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    if (head.length) socket.unshift(head);
    const wantsTcp = String(req.headers.upgrade ?? "").toLowerCase() === "tcp";
    const r = await this.dispatch(req, wantsTcp);
    if (r.kind === "hijack" && isWebSocketUpgrade(req)) {
      socket.write(handshakeResponse(req, commonHeaders()));
      // Docker sends binary frames from API 1.28 on, text frames before.
      const [major = 1, minor = 45] = splitVersion(new URL(req.url ?? "/", "http://wharf").pathname).version.split(".").map(Number);
      const ws = webSocketDuplex(socket, { binary: major > 1 || minor >= 28 });
      try {
        await r.run(ws);
      } finally {
        ws.end();
      }
      return;
    }
    if (r.kind === "hijack" && wantsTcp) {
      socket.write(
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
      r.kind === "json" ? JSON.stringify(r.body) + "\n" : r.kind === "hijack" ? '{"message":"Upgrade: tcp required"}\n' : "";
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ""}\r\n` +
        Object.entries(commonHeaders()).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

function sinkFor(res: http.ServerResponse): StreamSink {
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    res.on("close", () => {
      isClosed = true;
      resolve();
    }),
  );
  return {
    write(chunk) {
      if (!isClosed) res.write(chunk);
    },
    closed,
    get isClosed() {
      return isClosed;
    },
  };
}

/** A duplex over a plain (non-upgraded) request/response pair, for hijack routes. */
function responseDuplex(req: http.IncomingMessage, res: http.ServerResponse): Duplex {
  const d = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      res.write(chunk, cb);
    },
    final(cb) {
      cb();
    },
  });
  req.on("data", (c) => d.push(c));
  req.on("end", () => d.push(null));
  res.on("close", () => d.destroy());
  return d;
}
