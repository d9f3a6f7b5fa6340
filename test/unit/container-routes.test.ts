import { describe, expect, it } from "vitest";
import { Router } from "../../src/api/router.ts";
import { containerRoutes } from "../../src/api/routers/containers/routes.ts";
import type { ContainerBackend } from "../../src/api/routers/containers/backend.ts";
import { apiRequest, recordingSink } from "../helpers/request.ts";

function setup() {
  const calls: [string, unknown[]][] = [];
  let finish!: (r: { StatusCode: number; Error: null }) => void;
  const backend = new Proxy({} as ContainerBackend, {
    get: (_t, name: string) => async (...args: unknown[]) => {
      calls.push([name, args]);
      if (name === "containerCreate") return { Id: "abc", Warnings: [] };
      if (name === "containerWait") return () => new Promise((r) => (finish = r));
      if (name === "containerList") return [];
      return undefined;
    },
  });
  const router = new Router().add(...containerRoutes(backend));
  const call = async (method: string, path: string, body?: unknown) => {
    const req = apiRequest(method, path, body);
    const m = router.match(method, req.path);
    req.params = m.params;
    return m.handler(req) as Promise<any>;
  };
  return { calls, call, finish: (r: any) => finish(r) };
}

describe("container routes", () => {
  it("create answers 201 with Id and Warnings and passes the name", async () => {
    const { calls, call } = setup();
    const r = await call("POST", "/containers/create?name=web", { Image: "busybox", Cmd: ["true"] });
    expect(r).toMatchObject({ kind: "json", status: 201, body: { Id: "abc", Warnings: [] } });
    expect(calls[0]).toEqual(["containerCreate", [{ name: "web", body: { Image: "busybox", Cmd: ["true"] }, platform: undefined }]]);
  });
  it("create refuses a body that is not a JSON object", async () => {
    const { call } = setup();
    await expect(call("POST", "/containers/create", Buffer.from("[1]"))).rejects.toMatchObject({ kind: "invalidParameter" });
    await expect(call("POST", "/containers/create", Buffer.from("{nope"))).rejects.toThrow(/invalid JSON in container config/);
  });
  it("stop and restart take t and signal; a bad t is a 400 naming it", async () => {
    const { calls, call } = setup();
    expect(await call("POST", "/containers/x/stop?t=1&signal=SIGINT")).toMatchObject({ kind: "empty", status: 204 });
    expect(calls[0]).toEqual(["containerStop", ["x", { timeout: 1, signal: "SIGINT" }]]);
    await expect(call("POST", "/containers/x/stop?t=soon")).rejects.toThrow("invalid value for t: soon: want an integer");
  });
  it("delete reads force, v and link as Docker booleans", async () => {
    const { calls, call } = setup();
    await call("DELETE", "/containers/x?force=1&v=true&link=0");
    expect(calls[0]).toEqual(["containerRemove", ["x", { force: true, volumes: true, link: false }]]);
  });
  it("wait sends headers first and the status when the condition holds", async () => {
    const t = setup();
    const r = await t.call("POST", "/containers/x/wait?condition=next-exit");
    expect(r.kind).toBe("stream");
    const sink = recordingSink();
    const done = r.run(sink);
    await Bun.sleep(5);
    expect(sink.chunks).toEqual([]);
    t.finish({ StatusCode: 3, Error: null });
    await done;
    expect(JSON.parse(sink.chunks.join(""))).toEqual({ StatusCode: 3, Error: null });
    await expect(t.call("POST", "/containers/x/wait?condition=sometime")).rejects.toThrow('invalid condition: "sometime"');
  });
  it("list validates filters and passes all/limit/size", async () => {
    const { calls, call } = setup();
    await call("GET", `/containers/json?all=1&limit=2&size=1&filters=${encodeURIComponent('{"label":{"a=b":true}}')}`);
    const [, [opts]] = calls[0] as [string, [any]];
    expect(opts).toMatchObject({ all: true, limit: 2, size: true });
    expect(opts.filters.get("label")).toEqual(["a=b"]);
    await expect(call("GET", `/containers/json?filters=${encodeURIComponent('{"colour":["red"]}')}`)).rejects.toThrow("invalid filter 'colour'");
  });
});
