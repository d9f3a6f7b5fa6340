// The build router on a fake backend: query parameters into build options, refusals
// before any stream, the message stream encoded as dockerd encodes it, cancel on close.
import { describe, expect, it } from "vitest";
import { Router } from "../../src/api/router.ts";
import { buildRoutes } from "../../src/api/routers/build/routes.ts";
import type { BuildBackend } from "../../src/api/routers/build/backend.ts";
import type { BuildOptions } from "../../src/builder/types.ts";
import { apiRequest, recordingSink } from "../helpers/request.ts";

function setup() {
  const seen: BuildOptions[] = [];
  let aborted = false;
  const b: BuildBackend = {
    prepare: async (_body, opts) => {
      seen.push(opts);
      return {
        discard() {},
        run: async (out, signal) => {
          out.stream("Step 1/1 : FROM busybox");
          out.stream(" ---> d6240d91e29b\n");
          if (opts.target === "wait") await new Promise<void>((r) => signal.addEventListener("abort", () => r()));
          aborted = signal.aborted;
          out.error("The command '/bin/sh -c a && b' returned a non-zero code: 3", 3);
          return undefined;
        },
      };
    },
    prune: async (o) => ({ CachesDeleted: [String(o.all), String(o.keepStorage)], SpaceReclaimed: 7 }),
  };
  const router = new Router().add(...buildRoutes(b));
  const call = async (method: string, path: string) => {
    const req = apiRequest(method, path);
    const { handler } = router.match(method, req.path);
    return handler(req);
  };
  return { call, seen, wasAborted: () => aborted };
}

describe("build routes", () => {
  it("parses the query into build options", async () => {
    const { call, seen } = setup();
    const q = new URLSearchParams([
      ["t", "a/b:1"], ["t", "c"], ["buildargs", JSON.stringify({ A: "1", B: null })], ["labels", JSON.stringify({ l: "v" })],
      ["target", "t1"], ["nocache", "1"], ["rm", "0"], ["forcerm", "1"], ["q", "true"], ["networkmode", "none"],
      ["dockerfile", "sub/Dockerfile.x"], ["extrahosts", "h:1.2.3.4"], ["shmsize", "1024"], ["memory", "4000000"],
    ]);
    await call("POST", `/build?${q}`);
    const o = seen[0]!;
    expect(o.tags).toEqual(["a/b:1", "c"]);
    expect([...o.buildArgs]).toEqual([["A", "1"], ["B", null]]);
    expect(o).toMatchObject({ labels: { l: "v" }, target: "t1", noCache: true, rm: false, forceRm: true, quiet: true, networkMode: "none", dockerfile: "sub/Dockerfile.x", extraHosts: ["h:1.2.3.4"], shmSize: 1024, memory: 4000000 });
    await call("POST", "/build");
    expect(seen[1]).toMatchObject({ dockerfile: "Dockerfile", rm: true, forceRm: false, noCache: false, networkMode: "default", tags: [] });
  });

  it("refuses squash, remote contexts, BuildKit and bad tags before any stream", async () => {
    const { call, seen } = setup();
    await expect(call("POST", "/build?squash=1")).rejects.toMatchObject({ kind: "invalidParameter", message: "squash is only supported with experimental mode" });
    await expect(call("POST", "/build?remote=https://x/y.git")).rejects.toMatchObject({ kind: "notImplemented" });
    await expect(call("POST", "/build?version=2")).rejects.toMatchObject({ kind: "notImplemented" });
    await expect(call("POST", "/build?t=UPPER:x")).rejects.toMatchObject({ kind: "invalidParameter" });
    await expect(call("POST", "/build?buildargs=notjson")).rejects.toMatchObject({ kind: "invalidParameter" });
    expect(seen).toHaveLength(0);
  });

  it("streams dockerd's encoding (> as \\u003e, errorDetail with the code)", async () => {
    const { call } = setup();
    const res = await call("POST", "/build");
    if (res.kind !== "stream") throw new Error("not a stream");
    const sink = recordingSink();
    await res.run(sink);
    expect(sink.chunks.join("")).toBe(
      '{"stream":"Step 1/1 : FROM busybox"}\n{"stream":" ---\\u003e d6240d91e29b\\n"}\n' +
        '{"errorDetail":{"code":3,"message":"The command \'/bin/sh -c a \\u0026\\u0026 b\' returned a non-zero code: 3"},"error":"The command \'/bin/sh -c a \\u0026\\u0026 b\' returned a non-zero code: 3"}\n',
    );
  });

  it("a client that goes away aborts the build", async () => {
    const { call, wasAborted } = setup();
    const res = await call("POST", "/build?target=wait");
    if (res.kind !== "stream") throw new Error("not a stream");
    const sink = recordingSink();
    const done = res.run(sink);
    await Bun.sleep(10);
    sink.close();
    await done;
    expect(wasAborted()).toBe(true);
  });

  it("prune passes all and keep-storage", async () => {
    const { call } = setup();
    const res = await call("POST", "/build/prune?all=1&keep-storage=5");
    expect(res).toMatchObject({ kind: "json", body: { CachesDeleted: ["true", "5"], SpaceReclaimed: 7 } });
  });
});
