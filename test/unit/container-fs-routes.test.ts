// The cp/diff/export/commit/top/stats routes without a socket: parameters in, backend calls, shapes out.
import { describe, expect, it } from "vitest";
import { Router } from "../../src/api/router.ts";
import { containerFsRoutes, type ContainerFsBackend } from "../../src/api/routers/containers/fs-routes.ts";
import { apiRequest } from "../helpers/request.ts";

function setup() {
  const calls: [string, unknown[]][] = [];
  const stat = { name: "etc", size: 4096, mode: 2 ** 31 + 0o755, mtime: "2026-01-01T00:00:00Z", linkTarget: "" };
  const backend = new Proxy({} as ContainerFsBackend, {
    get: (_t, name: string) => (...args: unknown[]) => {
      calls.push([name, args]);
      if (name === "containerStats") return (async function* () { yield { id: "x" }; })();
      if (name === "archiveStat") return Promise.resolve(stat);
      if (name === "commit") return Promise.resolve({ Id: "sha256:abc" });
      if (name === "containerChanges") return Promise.resolve([{ Path: "/a", Kind: 1 }]);
      return Promise.resolve(undefined);
    },
  });
  const router = new Router().add(...containerFsRoutes(backend));
  const call = async (method: string, path: string, body?: unknown) => {
    const req = apiRequest(method, path, body);
    const m = router.match(method, req.path);
    req.params = m.params;
    return m.handler(req) as Promise<any>;
  };
  return { calls, call, stat };
}

describe("container filesystem routes", () => {
  it("HEAD archive sends the base64 JSON path stat", async () => {
    const { call, stat } = setup();
    const r = await call("HEAD", "/containers/web/archive?path=/etc");
    expect(r.status).toBe(200);
    expect(JSON.parse(Buffer.from(r.headers["X-Docker-Container-Path-Stat"], "base64").toString())).toEqual(stat);
  });

  it("archive needs a path; PUT passes noOverwriteDirNonDir and copyUIDGID", async () => {
    const { call, calls } = setup();
    await expect(call("GET", "/containers/web/archive")).rejects.toThrow("Path cannot be empty");
    const r = await call("PUT", "/containers/web/archive?path=/tmp&noOverwriteDirNonDir=true&copyUIDGID=1", Buffer.from(""));
    expect(r.status).toBe(200);
    expect(calls.at(-1)![1][2]).toBeDefined();
    expect(calls.at(-1)![1][3]).toEqual({ noOverwriteDirNonDir: true, copyUIDGID: true });
  });

  it("stats refuses stream with one-shot; defaults to streaming", async () => {
    const { call, calls } = setup();
    await expect(call("GET", "/containers/web/stats?stream=1&one-shot=1")).rejects.toThrow("cannot have stream=true and one-shot=true");
    const r = await call("GET", "/containers/web/stats");
    expect(r).toMatchObject({ kind: "stream", contentType: "application/json" });
    expect((calls.at(-1)![1][1] as any).stream).toBe(true);
  });

  it("commit passes its parameters, pause defaults to true, changes repeat", async () => {
    const { call, calls } = setup();
    const r = await call("POST", "/commit?container=web&repo=img&tag=t&comment=c&author=a&changes=ENV%20A%3D1&changes=CMD%20ls", { Env: ["B=2"] });
    expect(r).toMatchObject({ kind: "json", status: 201, body: { Id: "sha256:abc" } });
    expect(calls.at(-1)![1][0]).toEqual({
      container: "web", repo: "img", tag: "t", comment: "c", author: "a", pause: true, changes: ["ENV A=1", "CMD ls"], config: { Env: ["B=2"] },
    });
    await call("POST", "/commit?container=web&pause=0");
    expect((calls.at(-1)![1][0] as any).pause).toBe(false);
  });

  it("changes and top answer JSON", async () => {
    const { call, calls } = setup();
    expect((await call("GET", "/containers/web/changes")).body).toEqual([{ Path: "/a", Kind: 1 }]);
    await call("GET", "/containers/web/top?ps_args=aux");
    expect(calls.at(-1)).toEqual(["containerTop", ["web", "aux"]]);
  });
});
