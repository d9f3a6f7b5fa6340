// docker load on a store that stages layers (overlay2): layers unpack in parallel and
// are chained in order; a failure in any of them leaves the store as it was.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { imageDelete } from "../../src/image/delete.ts";
import { loadImages } from "../../src/image/load.ts";
import { chainIds, ImageService } from "../../src/image/service.ts";
import { WharfError } from "../../src/errors.ts";
import { openLayerStore, type FsLayerStore } from "../../src/storage/index.ts";
import type { Digest } from "../../src/storage/types.ts";
import { chunked, makeTar, sha, treeListing } from "../helpers/archives.ts";
import { TempDirs } from "../helpers/storage.ts";

const tmp = new TempDirs();
let root: string;
let layers: FsLayerStore;
let svc: ImageService;

beforeEach(async () => {
  root = tmp.make();
  layers = await openLayerStore({ dataRoot: join(root, "layers"), driver: "overlay2" });
  svc = new ImageService(join(root, "image"), layers);
});
afterEach(async () => {
  await layers.close();
  tmp.cleanup();
});

/** A layer of a few files big enough that several chunks of each are in flight at once. */
function layer(n: number): Buffer {
  const files = Array.from({ length: 4 }, (_, f) => ({ name: `l${n}/f${f}`, data: Buffer.alloc(300_000 + f * 1000 + n, `${n}:${f}`) }));
  return makeTar([{ name: `l${n}/`, dir: true }, ...files]);
}

interface Img {
  tag: string;
  layers: Buffer[];
  /** Layer bytes put in the archive (a damaged layer differs from what the config says). */
  stored?: Buffer[];
}

// Layers named where docker save puts them are applied as the archive streams in; under
// other names they are spooled first and staged from the spool.
let naming: (hex: string) => string = (hex) => `blobs/sha256/${hex}`;

function archive(images: Img[], extra: Parameters<typeof makeTar>[0] = []) {
  const entries: Parameters<typeof makeTar>[0] = [];
  const manifest: object[] = [];
  const seen = new Set<string>();
  for (const img of images) {
    const diffIds = img.layers.map((l) => sha(l));
    const config = JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Cmd: ["sh"] },
      rootfs: { type: "layers", diff_ids: diffIds },
      history: diffIds.map(() => ({ created_by: "test" })),
    });
    const names = (img.stored ?? img.layers).map((b, i) => naming(diffIds[i]!.slice(7)));
    for (const [i, b] of (img.stored ?? img.layers).entries()) {
      if (seen.has(names[i]!)) continue;
      seen.add(names[i]!);
      entries.push({ name: names[i]!, data: b });
    }
    entries.push({ name: `blobs/sha256/${sha(config).slice(7)}`, data: config });
    manifest.push({ Config: `blobs/sha256/${sha(config).slice(7)}`, RepoTags: [img.tag], Layers: names });
  }
  entries.push(...extra, { name: "manifest.json", data: JSON.stringify(manifest) });
  return makeTar(entries);
}

async function tarOf(chainId: Digest): Promise<string> {
  const h = createHash("sha256");
  for await (const c of layers.tarStream(chainId)) h.update(c);
  return `sha256:${h.digest("hex")}`;
}

describe.each([
  ["streamed", (hex: string) => `blobs/sha256/${hex}`],
  ["spooled", (hex: string) => `layers/${hex}.tar`],
] as const)("parallel load on overlay2, layers %s", (_, name) => {
  beforeEach(() => void (naming = name));

  it("stages every layer and chains them in order; two images share their common layers", async () => {
    expect(layers.canStage).toBe(true);
    const ls = [1, 2, 3, 4, 5, 6].map(layer);
    const a = { tag: "a:1", layers: ls.slice(0, 5) };
    const b = { tag: "b:1", layers: [...ls.slice(0, 3), ls[5]!] };
    expect(await loadImages(svc, chunked(archive([a, b]), 65536))).toEqual(["Loaded image: a:1", "Loaded image: b:1"]);

    const chainA = chainIds(a.layers.map((l) => sha(l) as Digest));
    const chainB = chainIds(b.layers.map((l) => sha(l) as Digest));
    expect(layers.list()).toHaveLength(6);
    for (const [i, id] of chainA.entries()) {
      const l = layers.get(id)!;
      expect(l.parent).toBe(i ? chainA[i - 1]! : null);
      expect(await tarOf(id)).toBe(sha(a.layers[i]!));
    }
    expect(layers.get(chainB[3]!)!.parent).toBe(chainA[2]);

    // Each image holds its own layers: removing one leaves the other whole.
    await imageDelete(svc, "a:1", { force: false, noprune: false });
    expect(layers.list().map((l) => l.chainId).sort()).toEqual([...chainB].sort());
    for (const [i, id] of chainB.entries()) expect(await tarOf(id)).toBe(sha(b.layers[i]!));
    await imageDelete(svc, "b:1", { force: false, noprune: false });
    expect(layers.list()).toHaveLength(0);
  });

  it("loading again stores nothing new and checks the stored layers' bytes", async () => {
    const img = { tag: "a:1", layers: [1, 2, 3].map(layer) };
    await loadImages(svc, chunked(archive([img]), 65536));
    const before = treeListing(root);
    expect(await loadImages(svc, chunked(archive([img]), 65536))).toEqual(["Loaded image: a:1"]);
    expect(treeListing(root)).toEqual(before);
    await imageDelete(svc, "a:1", { force: false, noprune: false });
    expect(layers.list()).toHaveLength(0);
  });

  it("a load failing in its 3rd layer leaves the store as it was, with layers present before kept", async () => {
    const ls = [1, 2, 3, 4, 5].map(layer);
    // The first layer is already stored (by another image), so the failing load reads a present layer too.
    await loadImages(svc, chunked(archive([{ tag: "base:1", layers: [ls[0]!] }]), 65536));
    const before = treeListing(root);
    const beforeLayers = layers.list();

    const damaged = Buffer.from(ls[2]!);
    damaged[damaged.length - 2048] ^= 1; // inside the last file's content
    const bad = { tag: "bad:1", layers: ls, stored: [ls[0]!, ls[1]!, damaged, ls[3]!, ls[4]!] };
    let err: unknown;
    try {
      await loadImages(svc, chunked(archive([bad]), 65536));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WharfError);
    expect((err as WharfError).message).toMatch(new RegExp(`^invalid archive: layer ${name(sha(ls[2]!).slice(7))}: .*${sha(ls[2]!)}`));
    // The spool's tmp dir may be left (empty); nothing else changed, and no staging dir remains.
    expect(treeListing(root).filter((l) => !before.includes(l) && !/\/image\/tmp dir$/.test(l))).toEqual([]);
    expect(before.filter((l) => !treeListing(root).includes(l))).toEqual([]);
    expect(layers.list()).toEqual(beforeLayers);
    expect(svc.tags.get({ domain: "docker.io", path: "library/bad", tag: "1" })).toBeUndefined();

    // The store still works: the good archive loads, and the base layer is shared.
    expect(await loadImages(svc, chunked(archive([{ tag: "good:1", layers: ls }]), 65536))).toEqual(["Loaded image: good:1"]);
    expect(layers.list()).toHaveLength(5);
  });

  it("an archive cut off inside a layer leaves no staged layer behind", async () => {
    const before = treeListing(root);
    const full = archive([{ tag: "a:1", layers: [1, 2, 3].map(layer) }]);
    const cut = full.subarray(0, Math.floor(full.length * 0.6));
    await expect(loadImages(svc, chunked(cut, 65536))).rejects.toThrow(/invalid archive/);
    expect(treeListing(root).filter((l) => !before.includes(l) && !/\/image\/tmp dir$/.test(l))).toEqual([]);
    expect(layers.list()).toHaveLength(0);
  });

  it("a blob no image uses may be a broken tar: the load succeeds", async () => {
    const broken = makeTar([{ name: "../escape", data: "x".repeat(2000) }]);
    const extra = [{ name: name(sha(broken).slice(7)), data: broken }];
    expect(await loadImages(svc, chunked(archive([{ tag: "a:1", layers: [layer(1)] }], extra), 65536))).toEqual(["Loaded image: a:1"]);
    expect(layers.list()).toHaveLength(1);
    expect(treeListing(join(root, "layers")).filter((l) => l.includes("/staging/") )).toEqual([]);
  });
});
