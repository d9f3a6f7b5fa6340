// The layout docker save wrote before 1.10 (repositories, <id>/json, <id>/layer.tar, no
// manifest.json), through the image service on a fake layer store.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageService } from "../../src/image/service.ts";
import { loadImages } from "../../src/image/load.ts";
import { FakeLayerStore } from "../helpers/fake-layers.ts";
import { chunked, makeTar, sha, treeListing } from "../helpers/archives.ts";

let dir: string;
let svc: ImageService;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wharf-legacy-"));
  svc = new ImageService(join(dir, "image"), new FakeLayerStore());
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const base = "a".repeat(64);
const top = "b".repeat(64);
const layerA = makeTar([{ name: "a", data: "A\n" }]);
const layerB = makeTar([{ name: "b", data: "B\n" }]);
const v1 = (id: string, extra: Record<string, unknown>) =>
  JSON.stringify({ id, created: "2016-01-01T00:00:00Z", os: "linux", architecture: "amd64", container_config: { Cmd: ["/bin/sh", "-c", `make ${id[0]}`] }, config: { Cmd: ["sh"] }, ...extra });

function legacy(repos: unknown, omit: string[] = []) {
  const entries = [
    { name: `${base}/json`, data: v1(base, {}) },
    { name: `${base}/layer.tar`, data: layerA },
    { name: `${top}/json`, data: v1(top, { parent: base, Size: 5 }) },
    { name: `${top}/layer.tar`, data: layerB },
    { name: "repositories", data: JSON.stringify(repos) },
  ].filter((e) => !omit.includes(e.name));
  return makeTar(entries);
}

describe("legacy docker save layout", () => {
  it("loads the chain, parent first, with rootfs and history made from the v1 JSON", async () => {
    expect(await loadImages(svc, chunked(legacy({ "old/app": { "1": top } })))).toEqual(["Loaded image: old/app:1"]);
    const rec = svc.resolve("old/app:1");
    expect(rec.config.rootfs!.diff_ids).toEqual([sha(layerA), sha(layerB)]);
    expect(rec.config.history!.map((h) => h.created_by)).toEqual(["/bin/sh -c make a", "/bin/sh -c make b"]);
    expect(rec.config).not.toHaveProperty("id");
    expect(rec.config).not.toHaveProperty("parent");
    expect(rec.config).not.toHaveProperty("Size");
    // The untagged parent is an image of its own, recorded as the tagged one's parent.
    expect(rec.parent).toBeDefined();
    expect(svc.images.get(rec.parent!)!.config.rootfs!.diff_ids).toEqual([sha(layerA)]);
  });

  it("refuses a repositories entry whose image is missing, leaving the store as it was", async () => {
    const before = treeListing(dir);
    await expect(loadImages(svc, chunked(legacy({ x: { "1": top } }, [`${base}/json`])))).rejects.toThrow(
      `invalid archive: repositories names ${base}, but ${base}/json is not in the archive`,
    );
    await expect(loadImages(svc, chunked(legacy({ x: { "1": "nothex" } })))).rejects.toThrow("invalid archive: invalid target ID: nothex");
    await expect(loadImages(svc, chunked(legacy([])))).rejects.toThrow("invalid archive: repositories is not an object of names to tags");
    // Only the spool's scratch directory is new (empty: the upload went again).
    expect(treeListing(dir).filter((l) => !before.includes(l))).toEqual(["/image/tmp dir"]);
  });
});
