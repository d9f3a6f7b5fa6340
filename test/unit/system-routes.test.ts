import { describe, expect, it } from "vitest";
import { Router } from "../../src/api/router.ts";
import { systemRoutes } from "../../src/api/routers/system/routes.ts";
import { Engine } from "../../src/engine/engine.ts";
import { registerSystemJobs } from "../../src/daemon/system.ts";
import { apiRequest, recordingSink } from "../helpers/request.ts";

function setup() {
  const engine = new Engine();
  registerSystemJobs(engine, () => ({
    id: "id",
    dataRoot: "/d",
    settings: { debug: false, labels: [], insecureRegistries: [], registryMirrors: [], liveRestore: true, logDriver: "json-file", defaultAddressPools: [] },
    storageDriver: () => "overlay2",
    containerCounts: () => ({ total: 0, running: 0, paused: 0, stopped: 0 }),
    imageCount: () => 0,
  }));
  const router = new Router().add(...systemRoutes(engine));
  const call = async (method: string, path: string) => {
    const req = apiRequest(method, path);
    const { handler, params } = router.match(method, req.path);
    req.params = params;
    return handler(req);
  };
  return { engine, call };
}

describe("system routes", () => {
  it("/_ping answers OK with the no-cache, builder and swarm headers (GET and HEAD)", async () => {
    const { call } = setup();
    for (const m of ["GET", "HEAD"]) {
      const r = await call(m, "/_ping");
      expect(r).toMatchObject({ kind: "text", status: 200 });
      expect(Buffer.from((r as { body: string | Uint8Array }).body).toString()).toBe("OK");
      expect((r as any).headers).toEqual({
        "Cache-Control": "no-cache, no-store, must-revalidate",
        Pragma: "no-cache",
        "Builder-Version": "1",
        Swarm: "inactive",
      });
    }
  });
  it("/version looks like a Docker engine and names wharf as a component", async () => {
    const { call } = setup();
    const r = (await call("GET", "/version")) as any;
    expect(r.body.Version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.body.ApiVersion).toBe("1.45");
    expect(r.body.MinAPIVersion).toBe("1.24");
    expect(r.body.Platform.Name).toBe("wharf");
    expect(r.body.Components.map((c: any) => c.Name)).toEqual(["Engine", "wharf"]);
    const ref = await Bun.file(new URL("../../docs/reference/dockerd-20.10/version.json", import.meta.url)).json();
    for (const k of Object.keys(ref)) expect(r.body).toHaveProperty(k);
  });
  it("/info has every field the reference daemon sent, with the same types", async () => {
    const { call } = setup();
    const r = (await call("GET", "/info")) as any;
    const ref = await Bun.file(new URL("../../docs/reference/dockerd-20.10/info.json", import.meta.url)).json();
    // Fields API 1.45 dropped since 20.10.
    const dropped = new Set(["KernelMemory"]);
    for (const [k, v] of Object.entries(ref)) {
      if (dropped.has(k)) continue;
      expect(r.body, k).toHaveProperty(k);
      if (v !== null) expect(typeof r.body[k], k).toBe(typeof v);
    }
  });
  it("/events replays since, filters by type and event, and stops at until", async () => {
    const { engine, call } = setup();
    const a = engine.events.publish("container", "start", "c1", { name: "web" });
    engine.events.publish("image", "tag", "sha256:1", {});
    const c = engine.events.publish("container", "die", "c1", { exitCode: "0", name: "web" });
    const since = `${a.timeNano / 1_000_000_000n - 1n}`;
    const until = `${c.timeNano / 1_000_000_000n}.${String(c.timeNano % 1_000_000_000n).padStart(9, "0")}`;
    const filters = encodeURIComponent(JSON.stringify({ type: ["container"], event: { die: true } }));
    const r = (await call("GET", `/events?since=${since}&until=${until}&filters=${filters}`)) as any;
    expect(r.kind).toBe("stream");
    expect(r.contentType).toBe("application/json");
    const sink = recordingSink();
    await r.run(sink);
    const lines = sink.chunks.join("").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Type: "container", Action: "die", status: "die", id: "c1" });
    // timeNano is written as an exact integer, not a rounded float.
    expect(sink.chunks.join("")).toContain(`"timeNano":${c.timeNano}`);
  });
  it("/events streams live events until the client leaves", async () => {
    const { engine, call } = setup();
    const r = (await call("GET", "/events")) as any;
    const sink = recordingSink();
    const done = r.run(sink);
    await Bun.sleep(10);
    engine.events.publish("network", "create", "n1", { name: "net" });
    await Bun.sleep(10);
    sink.close();
    await done;
    expect(JSON.parse(sink.chunks.join(""))).toMatchObject({ Type: "network", Action: "create" });
    expect(engine.events.listenerCount).toBe(0);
  });
  it("refuses unknown filters with a 400", async () => {
    const { call } = setup();
    await expect(call("GET", `/events?filters=${encodeURIComponent('{"bogus":["x"]}')}`)).rejects.toMatchObject({
      kind: "invalidParameter",
    });
  });
});
