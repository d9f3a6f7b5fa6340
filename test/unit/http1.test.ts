// The API server's own HTTP/1.1: a real ApiServer on a temp unix socket, driven by a raw
// socket client so packet boundaries, pipelining and bad bytes are under the test's control.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { createHash } from "node:crypto";
import net from "node:net";
import { ApiServer } from "../../src/api/server.ts";
import { Router } from "../../src/api/router.ts";
import { json, type ApiResponse } from "../../src/api/types.ts";
import { ChunkedDecoder, HttpParseError, parseHead } from "../../src/api/http1/parser.ts";

interface Raw {
  send(data: string | Buffer): void;
  /** Waits until the bytes received so far satisfy `done`; returns them as latin1. */
  until(done: (text: string) => boolean, ms?: number): Promise<string>;
  closed: Promise<void>;
  isClosed(): boolean;
  end(): void;
  text(): string;
}

async function rawConnect(sock: string): Promise<Raw> {
  let got = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  let closedFlag = false;
  let onClosed!: () => void;
  const closed = new Promise<void>((r) => (onClosed = r));
  const pending: Buffer[] = [];
  const s = await Bun.connect({
    unix: sock,
    socket: {
      data(_s, d) {
        got = Buffer.concat([got, d]);
        wake?.();
      },
      drain(sock) {
        while (pending.length) {
          const n = sock.write(pending[0]!);
          if (n < pending[0]!.length) {
            pending[0] = pending[0]!.subarray(Math.max(n, 0));
            return;
          }
          pending.shift();
        }
      },
      close() {
        closedFlag = true;
        onClosed();
        wake?.();
      },
    },
  });
  return {
    send(data) {
      const b = typeof data === "string" ? Buffer.from(data, "latin1") : data;
      if (pending.length) return void pending.push(b);
      const n = s.write(b);
      if (n < b.length) pending.push(b.subarray(Math.max(n, 0)));
    },
    async until(done, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!done(got.toString("latin1"))) {
        if (closedFlag || Date.now() > deadline) throw new Error(`gave up waiting; got: ${JSON.stringify(got.toString("latin1").slice(0, 500))}`);
        await Promise.race([new Promise<void>((r) => (wake = r)), Bun.sleep(50)]);
      }
      return got.toString("latin1");
    },
    closed,
    isClosed: () => closedFlag,
    end: () => s.end(),
    text: () => got.toString("latin1"),
  };
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** The bodies of the complete Content-Length responses in `text`, in order. */
function bodies(text: string): { status: number; head: string; body: string }[] {
  const out = [];
  let rest = text;
  for (;;) {
    const h = rest.indexOf("\r\n\r\n");
    if (h < 0) break;
    const head = rest.slice(0, h);
    const cl = /content-length: (\d+)/i.exec(head);
    const n = cl ? Number(cl[1]) : 0;
    out.push({ status: Number(head.split(" ")[1]), head, body: rest.slice(h + 4, h + 4 + n) });
    rest = rest.slice(h + 4 + n);
  }
  return out;
}

describe("HTTP/1.1 parser", () => {
  it("parses a head with lowercased, repeated headers and waits for an incomplete one", () => {
    const req = "GET /x?a=1 HTTP/1.1\r\nHost: d\r\nX-Thing: a\r\nx-thing: b\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n";
    expect(parseHead(Buffer.from(req.slice(0, 30)), 1024)).toBeNull();
    const r = parseHead(Buffer.from(req + "GET"), 1024)!;
    expect(r.size).toBe(req.length);
    expect(r.head).toMatchObject({ method: "GET", target: "/x?a=1", minor: 1, keepAlive: true, bodyKind: "none" });
    expect(r.head.headers).toEqual({ host: "d", "x-thing": "a, b", "content-type": "a" });
  });
  it("rejects garbage, conflicting lengths and oversize heads with 400", () => {
    const bad = (s: string, max = 1024) => {
      try {
        parseHead(Buffer.from(s), max);
      } catch (e) {
        return (e as HttpParseError).status;
      }
      return "accepted";
    };
    expect(bad("HELLO\r\n\r\n")).toBe(400);
    expect(bad("GET / HTTP/2.0\r\n\r\n")).toBe(400);
    expect(bad("GET / HTTP/1.1\r\nno colon\r\n\r\n")).toBe(400);
    expect(bad("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")).toBe(400);
    expect(bad("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n")).toBe(400);
    expect(bad("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")).toBe(400);
    expect(bad("GET / HTTP/1.1\r\nX: " + "a".repeat(2000))).toBe(431);
    expect(bad("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + "x".repeat(40))).toBe(400);
  });
  it("decodes chunked bodies with extensions and trailers, whatever the split", () => {
    const wire = Buffer.from("5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\nNEXT");
    for (const step of [1, 2, 3, 7, wire.length]) {
      const dec = new ChunkedDecoder();
      const got: Buffer[] = [];
      let pending = Buffer.alloc(0);
      let i = 0;
      while (!dec.done && i < wire.length) {
        pending = Buffer.concat([pending, wire.subarray(i, i + step)]);
        i += step;
        pending = pending.subarray(dec.push(pending, (d) => got.push(Buffer.from(d))));
      }
      expect(dec.done).toBe(true);
      expect(Buffer.concat(got).toString()).toBe("hello world");
      expect(Buffer.concat([pending, wire.subarray(i)]).toString()).toBe("NEXT");
    }
    expect(() => new ChunkedDecoder().push(Buffer.from("zz\r\n"), () => {})).toThrow(HttpParseError);
  });
});

describe("HTTP/1.1 connection", () => {
  let dir: string;
  let sock: string;
  let server: ApiServer;
  let slowBytes = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wharf-http1-"));
    sock = join(dir, "api.sock");
    const router = new Router().add(
      {
        method: "GET",
        path: "/echo",
        handler: (req) => json({ path: req.path, q: req.query.get("q"), headers: req.headers, version: req.version }),
      },
      { method: "POST", path: "/body", handler: async (req) => json({ body: (await req.body()).toString() }) },
      { method: "POST", path: "/ignore", handler: () => json({ ignored: true }, 201) },
      {
        method: "PUT",
        path: "/slow",
        handler: async (req) => {
          let n = 0;
          const hash = createHash("sha256");
          for await (const c of req.bodyStream()) {
            n += c.length;
            hash.update(c);
            slowBytes = n;
            await Bun.sleep(5);
          }
          return json({ n, sha: hash.digest("hex") });
        },
      },
      {
        method: "GET",
        path: "/stream",
        handler: (): ApiResponse => ({
          kind: "stream",
          status: 200,
          contentType: "application/json",
          run: async (sink) => {
            for (let i = 0; i < 3; i++) {
              sink.write(`{"i":${i}}\n`);
              await Bun.sleep(20);
            }
          },
        }),
      },
      {
        method: "POST",
        path: "/hijack",
        handler: (): ApiResponse => ({
          kind: "hijack",
          contentType: "application/vnd.docker.raw-stream",
          run: async (s) => {
            // Echoes upper-cased until the client half-closes.
            s.on("data", (c: Buffer) => s.write(c.toString().toUpperCase()));
            await once(s, "end");
            s.end();
            await once(s, "finish");
          },
        }),
      },
    );
    server = new ApiServer(router);
    await server.listen([{ proto: "unix", addr: sock }]);
    server.acceptConnections();
  });
  afterAll(async () => {
    await server.close(1000);
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers pipelined requests in order, on one keep-alive connection", async () => {
    const c = await rawConnect(sock);
    c.send("GET /echo?q=1 HTTP/1.1\r\nHost: d\r\n\r\nGET /v1.41/echo?q=2 HTTP/1.1\r\nHost: d\r\n\r\nHEAD /echo?q=3 HTTP/1.1\r\n\r\n");
    const text = await c.until((t) => count(t, "HTTP/1.1 200 OK") === 3);
    const rs = bodies(text);
    expect(JSON.parse(rs[0]!.body)).toMatchObject({ q: "1", version: "1.45" });
    expect(JSON.parse(rs[1]!.body)).toMatchObject({ q: "2", version: "1.41" });
    expect(rs[0]!.head).toMatch(/\r\nApi-Version: 1\.45\r\n/);
    expect(rs[0]!.head).toMatch(/\r\nDate: .+ GMT\r\n/);
    expect(rs[0]!.head).toMatch(/\r\nContent-Type: application\/json\r\n/);
    // HEAD: the GET's Content-Length, no body.
    expect(text.endsWith("\r\n\r\n")).toBe(true);
    expect(Number(/Content-Length: (\d+)/.exec(rs[2]!.head)![1])).toBeGreaterThan(10);
    c.send("GET /echo?q=4 HTTP/1.1\r\n\r\n");
    await c.until((t) => count(t, "HTTP/1.1 200 OK") === 4);
    expect(c.isClosed()).toBe(false);
    c.end();
  });

  it("reads a request split over many packets, with lowercased repeated headers", async () => {
    const c = await rawConnect(sock);
    const req = "GET /echo?q=split HTTP/1.1\r\nHOST: d\r\nX-Multi: a\r\nx-multi: b\r\n\r\n";
    for (let i = 0; i < req.length; i += 5) {
      c.send(req.slice(i, i + 5));
      await Bun.sleep(2);
    }
    const [r] = bodies(await c.until((t) => /\r\n\r\n\{.*\}\n$/s.test(t)));
    expect(JSON.parse(r!.body)).toMatchObject({ q: "split", headers: { host: "d", "x-multi": "a, b" } });
    c.end();
  });

  it("takes chunked bodies with extensions and trailers, then the next request", async () => {
    const c = await rawConnect(sock);
    c.send(
      "POST /body HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n" +
        "GET /echo?q=after HTTP/1.1\r\n\r\n",
    );
    const rs = bodies(await c.until((t) => count(t, "HTTP/1.1 200 OK") === 2 && t.endsWith("}\n")));
    expect(JSON.parse(rs[0]!.body)).toEqual({ body: "hello world" });
    expect(JSON.parse(rs[1]!.body)).toMatchObject({ q: "after" });
    c.end();
  });

  it("answers 400 to garbage and to an oversize head, then closes", async () => {
    const c = await rawConnect(sock);
    c.send("THIS IS NOT HTTP\r\n\r\n");
    await c.closed;
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const big = await rawConnect(sock);
    big.send(`GET /echo HTTP/1.1\r\nX-Big: ${"a".repeat(1100 * 1024)}\r\n\r\n`);
    await big.closed;
    expect(big.text()).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  it("sends 100 Continue before reading the body", async () => {
    const c = await rawConnect(sock);
    c.send("POST /body HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    await c.until((t) => t.startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
    c.send("abcd");
    const text = await c.until((t) => t.endsWith("}\n"));
    expect(text).toContain('{"body":"abcd"}');
    c.end();
  });

  it("skips a body the handler did not read, chunked or not, and serves the next request", async () => {
    const c = await rawConnect(sock);
    const big = "x".repeat(300_000);
    c.send(`POST /ignore HTTP/1.1\r\nContent-Length: ${big.length}\r\n\r\n`);
    c.send(big.slice(0, 1000));
    await c.until((t) => t.includes("201 Created"));
    c.send(big.slice(1000) + `POST /ignore HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n${"y".repeat(16)}\r\n0\r\n\r\n`);
    c.send("GET /echo?q=next HTTP/1.1\r\n\r\n");
    const rs = bodies(await c.until((t) => t.includes('"q":"next"')));
    expect(rs.map((r) => r.status)).toEqual([201, 201, 200]);
    c.end();
  });

  it("streams a large upload to a slow reader without losing bytes", async () => {
    const c = await rawConnect(sock);
    const total = 24 * 1024 * 1024;
    c.send("PUT /slow HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    // Every piece differs, so bytes reordered or overwritten in a buffer show in the hash.
    const hash = createHash("sha256");
    for (let sent = 0, i = 0; sent < total; i++) {
      const piece = Buffer.alloc(256 * 1024, i % 251);
      piece.writeUInt32BE(i, 0);
      hash.update(piece);
      sent += piece.length;
      c.send(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]));
    }
    c.send("0\r\n\r\n");
    // The reader is slow, so the server holds back: far from all of it is read yet.
    await Bun.sleep(100);
    expect(slowBytes).toBeLessThan(total);
    const text = await c.until((t) => t.endsWith("}\n"), 50_000);
    expect(JSON.parse(bodies(text)[0]!.body)).toEqual({ n: total, sha: hash.digest("hex") });
    c.end();
  }, 60_000);

  it("ends a stream when the client half-closes, as node's server did", async () => {
    const c = await rawConnect(sock);
    c.send("GET /stream HTTP/1.1\r\n\r\n");
    await c.until((t) => t.includes('{"i":0}'));
    c.end();
    await c.closed;
    expect(c.text()).not.toContain('{"i":2}');
  });

  it("still answers a plain request from a client that half-closed after sending it", async () => {
    // node:net, whose end() is a true half-close that keeps reading.
    const c = net.createConnection({ path: sock, allowHalfOpen: true });
    let got = "";
    c.on("data", (d) => (got += d));
    c.end("POST /body HTTP/1.1\r\nContent-Length: 2\r\n\r\nok");
    await once(c, "close");
    expect(got).toContain('{"body":"ok"}');
  });

  it("closes after HTTP/1.0 and Connection: close answers", async () => {
    for (const req of ["GET /echo HTTP/1.0\r\n\r\n", "GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n"]) {
      const c = await rawConnect(sock);
      c.send(req + "GET /echo?q=never HTTP/1.1\r\n\r\n");
      await c.closed;
      expect(count(c.text(), "200 OK")).toBe(1);
      expect(c.text()).toContain("\r\nConnection: close\r\n");
    }
  });

  it("sends a stream response chunked, each write as it happens", async () => {
    const c = await rawConnect(sock);
    c.send("GET /stream HTTP/1.1\r\n\r\n");
    const first = await c.until((t) => t.includes('{"i":0}'));
    expect(first).toContain("\r\nTransfer-Encoding: chunked\r\n");
    expect(first).not.toContain('{"i":2}');
    const text = await c.until((t) => t.endsWith("0\r\n\r\n"));
    expect(text.slice(text.indexOf("\r\n\r\n") + 4)).toBe('8\r\n{"i":0}\n\r\n8\r\n{"i":1}\n\r\n8\r\n{"i":2}\n\r\n0\r\n\r\n');
    c.end();
  });

  it("hijacks with Upgrade: tcp; bytes sent with the request come first", async () => {
    const c = await rawConnect(sock);
    c.send("POST /hijack HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nearly ");
    await c.until((t) => t.includes("EARLY "));
    expect(c.text()).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n/);
    c.send("late");
    await c.until((t) => t.endsWith("LATE"));
    c.end();
    await c.closed;
  });

  it("serves a hijack route without Upgrade as a chunked 200 whose input is the request body", async () => {
    const c = await rawConnect(sock);
    c.send("POST /hijack HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    const text = await c.until((t) => t.endsWith("0\r\n\r\n"));
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain("\r\n\r\n5\r\nHELLO\r\n0\r\n\r\n");
    c.end();
  });
});
