import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import { ApiServer } from "../../src/api/server.ts";
import { Router } from "../../src/api/router.ts";
import { json, jsonOf } from "../../src/api/types.ts";
import { RawJson } from "../../src/api/rawjson.ts";
import { notFound } from "../../src/errors.ts";

function get(sock: string, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: sock, path }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on("error", reject);
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("ApiServer", () => {
  it("listens at once, holds requests until acceptConnections, then answers them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-api-"));
    dirs.push(dir);
    const sock = join(dir, "api.sock");
    const server = new ApiServer(new Router().add({ method: "GET", path: "/x", handler: () => json({ ok: true }) }));
    await server.listen([{ proto: "unix", addr: sock }]);
    expect(statSync(sock).mode & 0o777).toBe(0o660);
    let answered = false;
    const pending = get(sock, "/v1.40/x").then((r) => ((answered = true), r));
    await Bun.sleep(150);
    expect(answered).toBe(false);
    server.acceptConnections();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true });
    expect(r.headers["api-version"]).toBe("1.45");
    await server.close(1000);
    expect(existsSync(sock)).toBe(false);
  });
  it("maps typed errors to status and {message}, and unknown paths to 404", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-api-"));
    dirs.push(dir);
    const sock = join(dir, "api.sock");
    const server = new ApiServer(
      new Router().add({ method: "GET", path: "/gone", handler: () => { throw notFound("No such thing: y"); } }),
    );
    await server.listen([{ proto: "unix", addr: sock }]);
    server.acceptConnections();
    expect(await get(sock, "/gone")).toMatchObject({ status: 404, body: '{"message":"No such thing: y"}\n' });
    expect(await get(sock, "/v1.45/nope")).toMatchObject({ status: 404, body: '{"message":"page not found"}\n' });
    const tooNew = await get(sock, "/v1.46/gone");
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(tooNew.body).message).toContain("Maximum supported API version is 1.45");
    await server.close(1000);
  });
  it("lets an in-flight request finish on close", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-api-"));
    dirs.push(dir);
    const sock = join(dir, "api.sock");
    const server = new ApiServer(
      new Router().add({ method: "GET", path: "/slow", handler: async () => (await Bun.sleep(200), json("done")) }),
    );
    await server.listen([{ proto: "unix", addr: sock }]);
    server.acceptConnections();
    const pending = get(sock, "/slow");
    await Bun.sleep(50);
    await server.close(5000);
    expect(await pending).toMatchObject({ status: 200, body: '"done"\n' });
  });
  it("answers synchronous and promised handlers alike, errors from either as typed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-api-"));
    dirs.push(dir);
    const sock = join(dir, "api.sock");
    const server = new ApiServer(
      new Router().add(
        { method: "GET", path: "/sync", handler: () => jsonOf({ how: "sync" }) },
        { method: "GET", path: "/async", handler: () => jsonOf(Promise.resolve({ how: "async" })) },
        { method: "GET", path: "/sync-throws", handler: () => { throw notFound("No such container: a"); } },
        { method: "GET", path: "/async-throws", handler: () => jsonOf(Promise.reject(notFound("No such container: b"))) },
        { method: "GET", path: "/bug", handler: () => { throw new TypeError("x is undefined"); } },
      ),
    );
    await server.listen([{ proto: "unix", addr: sock }]);
    server.acceptConnections();
    expect(await get(sock, "/sync")).toMatchObject({ status: 200, body: '{"how":"sync"}\n' });
    expect(await get(sock, "/async")).toMatchObject({ status: 200, body: '{"how":"async"}\n' });
    expect(await get(sock, "/sync-throws")).toMatchObject({ status: 404, body: '{"message":"No such container: a"}\n' });
    expect(await get(sock, "/async-throws")).toMatchObject({ status: 404, body: '{"message":"No such container: b"}\n' });
    expect((await get(sock, "/bug")).status).toBe(500);
    await server.close(1000);
  });
  it("sends a cached RawJson answer again byte for byte, but never with another request's Connection header", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-api-"));
    dirs.push(dir);
    const sock = join(dir, "api.sock");
    const raw = new RawJson(JSON.stringify({ Id: "c".repeat(64), Pad: "p".repeat(3000) }));
    const server = new ApiServer(new Router().add({ method: "GET", path: "/containers/{id}/json", handler: () => json(raw) }));
    await server.listen([{ proto: "unix", addr: sock }]);
    server.acceptConnections();
    // Raw bytes over one connection: two keep-alive requests, then one asking to close.
    const answers: Buffer[] = [];
    let got = Buffer.alloc(0);
    let closed!: () => void;
    const done = new Promise<void>((r) => (closed = r));
    const s = await Bun.connect({
      unix: sock,
      socket: { data: (_s, d) => void (got = Buffer.concat([got, d])), close: () => closed() },
    });
    const take = async () => {
      for (;;) {
        const h = got.indexOf("\r\n\r\n");
        const len = h < 0 ? -1 : Number(/Content-Length: (\d+)/.exec(got.subarray(0, h).toString())![1]);
        if (h >= 0 && got.length >= h + 4 + len) {
          answers.push(got.subarray(0, h + 4 + len));
          got = got.subarray(h + 4 + len);
          return;
        }
        await Bun.sleep(5);
      }
    };
    s.write("GET /v1.45/containers/a/json HTTP/1.1\r\nHost: d\r\n\r\n");
    await take();
    s.write("GET /v1.45/containers/a/json HTTP/1.1\r\nHost: d\r\n\r\n");
    await take();
    s.write("GET /v1.45/containers/a/json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
    await take();
    await done;
    const heads = answers.map((a) => a.subarray(0, a.indexOf("\r\n\r\n")).toString().replace(/^Date: .*$/m, "Date: -"));
    expect(heads[0]).toBe(heads[1]);
    expect(heads[0]).not.toContain("Connection:");
    expect(heads[2]).toContain("\r\nConnection: close");
    for (const a of answers) expect(a.subarray(a.indexOf("\r\n\r\n") + 4).toString()).toBe(raw.text + "\n");
    await server.close(1000);
  });
});
