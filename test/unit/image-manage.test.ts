// Tag, delete, prune, list filters, import and history on the image service (fake layers).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageService } from "../../src/image/service.ts";
import { loadImages } from "../../src/image/load.ts";
import { imageDelete, imagesPrune } from "../../src/image/delete.ts";
import { globMatch, imageList } from "../../src/image/list.ts";
import { importImage } from "../../src/image/import.ts";
import { imageHistory, imageInspect } from "../../src/image/shapes.ts";
import { applyChanges } from "../../src/image/changes.ts";
import { parseFilters } from "../../src/api/filters.ts";
import { WharfError } from "../../src/errors.ts";
import { FakeLayerStore } from "../helpers/fake-layers.ts";
import { busyboxId, chunked, fixtures, makeTar, multilayerId, tinyArchive, tinyImage } from "../helpers/archives.ts";

let dir: string;
let layers: FakeLayerStore;
let svc: ImageService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "wharf-image-"));
  layers = new FakeLayerStore();
  svc = new ImageService(join(dir, "image"), layers);
  await loadImages(svc, chunked(readFileSync(join(fixtures, "busybox-docker-save.tar")), 65536));
  await loadImages(svc, chunked(readFileSync(join(fixtures, "multilayer-docker-save.tar")), 65536));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const list = (filters = "", all = false) => imageList(svc, { all, digests: false, filters: parseFilters(filters || null), version: "1.45" });
const errOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as WharfError;
  }
  throw new Error("no error");
};

describe("tag and delete", () => {
  it("untags a name while others remain, deletes with the last one and frees its layers", async () => {
    await svc.tag("busybox", "mybox", "v1");
    expect(svc.repoTags(busyboxId as any)).toEqual(["busybox:latest", "mybox:v1"]);
    expect(await imageDelete(svc, "busybox", { force: false, noprune: false })).toEqual([{ Untagged: "busybox:latest" }]);
    expect(svc.images.get(busyboxId as any)).toBeDefined();
    const busyboxLayer = svc.topLayer(svc.resolve("mybox:v1"))!;
    // The busybox layer is shared with the multilayer image's base: it stays.
    const out = await imageDelete(svc, "mybox:v1", { force: false, noprune: false });
    expect(out).toEqual([{ Untagged: "mybox:v1" }, { Deleted: busyboxId }]);
    expect(layers.layers.has(busyboxLayer)).toBe(true);
    const top = svc.topLayer(svc.resolve(multilayerId))!;
    const del = await imageDelete(svc, multilayerId.slice(7, 19), { force: false, noprune: false });
    expect(del[0]).toEqual({ Untagged: "wharf-fixture/multilayer:1.0" });
    expect(del[1]).toEqual({ Deleted: multilayerId });
    expect(del.slice(2).map((d: any) => d.Deleted)).toContain(top);
    expect(layers.layers.size).toBe(0);
    expect(svc.images.size).toBe(0);
  });

  it("an id named by several repositories needs force; unknown names are 404", async () => {
    await svc.tag("busybox", "other/box");
    const err = await errOf(imageDelete(svc, busyboxId, { force: false, noprune: false }));
    expect(err.kind).toBe("conflict");
    expect(err.message).toBe(`conflict: unable to delete ${busyboxId.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    const out = await imageDelete(svc, busyboxId, { force: true, noprune: false });
    expect(out).toEqual([{ Untagged: "busybox:latest" }, { Untagged: "other/box:latest" }, { Deleted: busyboxId }]);
    const nf = await errOf(imageDelete(svc, "busybox:latest", { force: false, noprune: false }));
    expect(nf.kind).toBe("notFound");
    expect(nf.message).toBe("No such image: busybox:latest");
  });

  it("an image a container uses is a 409 unless forced, and forced only untags", async () => {
    svc.setImageInUse((id) => (id === busyboxId ? "c0ffee123456" : undefined));
    const err = await errOf(imageDelete(svc, "busybox", { force: false, noprune: false }));
    expect(err.kind).toBe("conflict");
    expect(err.message).toContain("container c0ffee123456 is using its referenced image d6240d91e29b");
    expect(await imageDelete(svc, "busybox", { force: true, noprune: false })).toEqual([{ Untagged: "busybox:latest" }]);
    expect(svc.images.get(busyboxId as any)).toBeDefined();
    const byId = await errOf(imageDelete(svc, busyboxId, { force: false, noprune: false }));
    expect(byId.kind).toBe("conflict");
  });

  it("tag refuses bad names and unknown images", async () => {
    expect((await errOf(svc.tag("busybox", "Bad"))).message).toBe("invalid reference format: repository name (library/Bad) must be lowercase");
    expect((await errOf(svc.tag("nope", "x"))).kind).toBe("notFound");
  });

  it("state survives reopening the stores", async () => {
    await svc.tag("busybox", "kept", "1");
    const again = new ImageService(join(dir, "image"), layers);
    expect(again.resolve("kept:1").id).toBe(busyboxId);
    expect(again.images.size).toBe(2);
    expect(imageInspect(again, again.resolve("kept:1"), "1.45").Metadata.LastTagTime).toMatch(/^\d{4}-/);
  });
});

describe("list and prune", () => {
  it("lists newest first with filters", async () => {
    expect(list().map((i) => i.Id)).toEqual([multilayerId, busyboxId]);
    expect(list('{"reference":{"busy*":true}}').map((i) => i.RepoTags)).toEqual([["busybox:latest"]]);
    expect(list('{"label":{"org.example.fixture=multi-layer":true}}').map((i) => i.Id)).toEqual([multilayerId]);
    expect(list('{"before":{"wharf-fixture/multilayer:1.0":true}}').map((i) => i.Id)).toEqual([busyboxId]);
    expect(list('{"since":{"busybox":true}}').map((i) => i.Id)).toEqual([multilayerId]);
    expect(list('{"dangling":{"true":true}}')).toEqual([]);
    expect(list('{"until":{"2026-11-23T07:10:00Z":true}}').map((i) => i.Id)).toEqual([busyboxId]);
    expect(list('{"until":{"1h":true}}').map((i) => i.Id)).toEqual([multilayerId, busyboxId]);
    expect(() => list('{"bogus":{"x":true}}')).toThrow("invalid filter 'bogus'");
    const s = list()[1]!;
    expect(Object.keys(s).sort()).toEqual(["Containers", "Created", "Id", "Labels", "ParentId", "RepoDigests", "RepoTags", "SharedSize", "Size"]);
    expect(s).toMatchObject({ Containers: -1, SharedSize: -1, ParentId: "", RepoDigests: [], Labels: null });
    expect(globMatch("a/*", "a/b")).toBe(true);
    expect(globMatch("*", "a/b")).toBe(false);
  });

  it("prune removes dangling images only, or all unused with dangling=false", async () => {
    const t = tinyImage({ tag: "tiny:1" });
    await loadImages(svc, chunked(tinyArchive(t)));
    await imageDelete(svc, "tiny:1", { force: false, noprune: false });
    await loadImages(svc, chunked(tinyArchive({ ...t, manifest: JSON.stringify([{ Config: t.cfgName, RepoTags: [], Layers: [t.layerName] }]) })));
    expect(list('{"dangling":{"true":true}}').map((i) => i.Id)).toEqual([t.id]);
    const r = await imagesPrune(svc, parseFilters(null));
    expect(r.ImagesDeleted?.[0]).toEqual({ Deleted: t.id });
    expect(r.SpaceReclaimed).toBe(t.layer.length);
    expect(await imagesPrune(svc, parseFilters(null))).toEqual({ ImagesDeleted: null, SpaceReclaimed: 0 });
    svc.setImageInUse((id) => (id === busyboxId ? "c1" : undefined));
    const all = await imagesPrune(svc, parseFilters('{"dangling":{"false":true}}'));
    expect(all.ImagesDeleted).toContainEqual({ Untagged: "wharf-fixture/multilayer:1.0" });
    expect(svc.images.size).toBe(1);
  });
});

describe("import and history", () => {
  it("imports a rootfs tar as a one-layer image with changes, message and tag", async () => {
    const rootfs = makeTar([{ name: "bin/sh", data: "#!fake" }]);
    const id = await importImage(svc, chunked(rootfs), {
      src: "-",
      repo: "imported",
      tag: "v1",
      message: "from a test",
      changes: ['CMD ["sh"]', "ENV A=1 B=two", "WORKDIR /w", "EXPOSE 80 53/udp", 'LABEL x="y z"', "USER 1:2", "VOLUME /data", 'ENTRYPOINT ["/bin/sh", "-c"]'],
    });
    const rec = svc.resolve("imported:v1");
    expect(rec.id).toBe(id);
    const ins = imageInspect(svc, rec, "1.45");
    expect(ins.Comment).toBe("from a test");
    expect(ins.Config).toMatchObject({
      Cmd: ["sh"], Env: ["A=1", "B=two"], WorkingDir: "/w", ExposedPorts: { "80/tcp": {}, "53/udp": {} }, Labels: { x: "y z" },
      User: "1:2", Volumes: { "/data": {} }, Entrypoint: ["/bin/sh", "-c"],
    });
    expect(ins.Size).toBe(rootfs.length);
    const h = imageHistory(svc, rec);
    expect(h).toEqual([{ Comment: "from a test", Created: expect.any(Number), CreatedBy: "", Id: id, Size: rootfs.length, Tags: ["imported:v1"] }]);
  });

  it("bad changes and names are refused before the body is read", async () => {
    let read = false;
    const body = (async function* () {
      read = true;
      yield new Uint8Array(1024);
    })();
    expect((await errOf(importImage(svc, body, { src: "-", changes: ["RUN rm -rf /"] }))).message).toBe("run is not a valid change command");
    expect((await errOf(importImage(svc, body, { src: "-", repo: "UPPER", changes: [] }))).kind).toBe("invalidParameter");
    expect(read).toBe(false);
    expect(applyChanges({}, ["CMD echo hi"]).Cmd).toEqual(["/bin/sh", "-c", "echo hi"]);
    expect(applyChanges({}, ["ENV K some value"]).Env).toEqual(["K=some value"]);
  });
});
