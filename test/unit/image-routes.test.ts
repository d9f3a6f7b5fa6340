// The images router on a fake backend: parameters in, status and shapes out.
import { describe, expect, it } from "vitest";
import { Router } from "../../src/api/router.ts";
import { imageRoutes } from "../../src/api/routers/images/routes.ts";
import type { ImageBackend } from "../../src/api/routers/images/backend.ts";
import type { ImageInspect, ImageSummary } from "../../src/api/types/index.ts";
import { notFound } from "../../src/errors.ts";
import { apiRequest, recordingSink } from "../helpers/request.ts";

function setup() {
  const calls: unknown[][] = [];
  const b: ImageBackend = {
    imageList: async (o) => (calls.push(["list", o.all, [...o.filters], o.version]), [{ Id: "sha256:x" } as ImageSummary]),
    imageInspect: async (name, v) => {
      calls.push(["inspect", name, v]);
      if (name === "nope") throw notFound("No such image: nope");
      return { Id: name } as ImageInspect;
    },
    imageHistory: async (name) => (calls.push(["history", name]), []),
    imageTag: async (name, repo, tag) => void calls.push(["tag", name, repo, tag]),
    imageDelete: async (name, o) => (calls.push(["delete", name, o]), [{ Untagged: name }]),
    imagesPrune: async (f) => (calls.push(["prune", [...f]]), { ImagesDeleted: null, SpaceReclaimed: 0 }),
    imageLoad: async (body) => {
      let n = 0;
      for await (const c of body) n += c.length;
      calls.push(["load", n]);
      return ["Loaded image: busybox:latest"];
    },
    imageSave: async (names) => (calls.push(["save", names]), (async function* () {
      yield new Uint8Array([1, 2, 3]);
    })()),
    imageImport: async (_body, o) => (calls.push(["import", o]), "sha256:abc"),
  };
  const router = new Router().add(...imageRoutes(b));
  const call = async (method: string, path: string, body?: unknown) => {
    const req = apiRequest(method, path, body);
    const { handler, params } = router.match(method, req.path);
    req.params = params;
    return handler(req);
  };
  return { call, calls };
}

describe("images routes", () => {
  it("names with slashes reach the backend whole, escaped or not", async () => {
    const { call, calls } = setup();
    expect(await call("GET", "/images/wharf-fixture/multilayer:1.0/json")).toMatchObject({ kind: "json", status: 200, body: { Id: "wharf-fixture/multilayer:1.0" } });
    await call("GET", "/images/host:5000/a/b:t/history");
    await call("GET", "/images/wharf-fixture%2Fmultilayer%3A1.0/json");
    expect(calls).toEqual([
      ["inspect", "wharf-fixture/multilayer:1.0", "1.45"],
      ["history", "host:5000/a/b:t"],
      ["inspect", "wharf-fixture/multilayer:1.0", "1.45"],
    ]);
  });

  it("list, tag, delete and prune parse their parameters", async () => {
    const { call, calls } = setup();
    await call("GET", '/images/json?all=1&filters={"dangling":{"true":true}}');
    expect(await call("POST", "/images/busybox/tag?repo=my/box&tag=v1")).toMatchObject({ kind: "empty", status: 201 });
    expect(await call("DELETE", "/images/a/b:c?force=1")).toMatchObject({ status: 200, body: [{ Untagged: "a/b:c" }] });
    await call("POST", '/images/prune?filters={"until":{"24h":true}}');
    expect(calls).toEqual([
      ["list", true, [["dangling", ["true"]]], "1.45"],
      ["tag", "busybox", "my/box", "v1"],
      ["delete", "a/b:c", { force: true, noprune: false }],
      ["prune", [["until", ["24h"]]]],
    ]);
    await expect(call("POST", '/images/prune?filters={"reference":{"x":true}}')).rejects.toThrow("invalid filter 'reference'");
  });

  it("load reads the body, then streams docker's JSON lines", async () => {
    const { call, calls } = setup();
    const r = await call("POST", "/images/load?quiet=1", Buffer.alloc(5000));
    expect(calls).toEqual([["load", 5000]]);
    expect(r).toMatchObject({ kind: "stream", status: 200, contentType: "application/json" });
    const sink = recordingSink();
    await (r as any).run(sink);
    expect(sink.chunks).toEqual(['{"stream":"Loaded image: busybox:latest\\n"}\n']);
  });

  it("save takes names from the path or the names parameter; import passes its parameters", async () => {
    const { call, calls } = setup();
    const save = await call("GET", "/images/get?names=a&names=b:1");
    expect(save).toMatchObject({ kind: "hijack", contentType: "application/x-tar" });
    const { PassThrough } = await import("node:stream");
    const out = new PassThrough();
    const got: Buffer[] = [];
    out.on("data", (c) => got.push(c));
    await (save as any).run(out);
    expect(Buffer.concat(got)).toEqual(Buffer.from([1, 2, 3]));
    await call("GET", "/images/x/y/get");
    await expect(call("GET", "/images/get")).rejects.toThrow("names: at least one image name is required");
    const r = await call("POST", "/images/create?fromSrc=-&repo=r&tag=t&message=m&changes=CMD%20%5B%22sh%22%5D&changes=USER%201");
    const sink = recordingSink();
    await (r as any).run(sink);
    expect(sink.chunks).toEqual(['{"status":"sha256:abc"}\n']);
    expect(calls).toEqual([
      ["save", ["a", "b:1"]],
      ["save", ["x/y"]],
      ["import", { src: "-", repo: "r", tag: "t", message: "m", changes: ['CMD ["sh"]', "USER 1"], platform: undefined }],
    ]);
    await expect(call("POST", "/images/create")).rejects.toThrow("fromImage or fromSrc is required");
  });
});
