import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import { ApiServer } from "../../src/api/server.ts";
import { Router } from "../../src/api/router.ts";
import { json } from "../../src/api/types.ts";
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
});
