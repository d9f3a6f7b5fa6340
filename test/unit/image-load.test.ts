// Load, save and the failure cases through the image service, on a fake layer store.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageService } from "../../src/image/service.ts";
import { loadImages } from "../../src/image/load.ts";
import { saveImages, selectImages } from "../../src/image/save.ts";
import { imageHistory, imageInspect } from "../../src/image/shapes.ts";
import { readTar } from "../../src/image/tar.ts";
import { WharfError } from "../../src/errors.ts";
import { FakeLayerStore } from "../helpers/fake-layers.ts";
import {
  busyboxId, chunked, fixtures, makeTar, multilayerId, multilayerOciId, sha, tinyArchive, tinyImage, treeListing,
} from "../helpers/archives.ts";

let dir: string;
let layers: FakeLayerStore;
let svc: ImageService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wharf-image-"));
  layers = new FakeLayerStore();
  svc = new ImageService(join(dir, "image"), layers);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string) => chunked(readFileSync(join(fixtures, name)), 65536);

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function loadError(archive: Uint8Array): Promise<WharfError> {
  const before = treeListing(dir);
  const storedBefore = layers.storedBytes;
  const layerCount = layers.layers.size;
  try {
    await loadImages(svc, chunked(archive));
  } catch (err) {
    expect(err).toBeInstanceOf(WharfError);
    expect(treeListing(dir)).toEqual(before);
    expect(layers.layers.size).toBe(layerCount);
    expect(layers.storedBytes).toBe(storedBefore);
    return err as WharfError;
  }
  throw new Error("load succeeded");
}

describe("image load", () => {
  it("loads the busybox docker save archive with its id, tag and config", async () => {
    expect(await loadImages(svc, fixture("busybox-docker-save.tar"))).toEqual(["Loaded image: busybox:latest"]);
    const rec = svc.resolve("busybox");
    expect(rec.id).toBe(busyboxId);
    expect(svc.resolve("d6240d91e29b").id).toBe(busyboxId);
    const ins = imageInspect(svc, rec, "1.45");
    expect(ins.RepoTags).toEqual(["busybox:latest"]);
    expect(ins.Config.Cmd).toEqual(["sh"]);
    expect(ins.RootFS.Layers).toHaveLength(1);
    expect(ins.Size).toBe(layers.storedBytes);
    expect(ins).not.toHaveProperty("ContainerConfig");
    expect(imageInspect(svc, rec, "1.43")).toHaveProperty("VirtualSize", ins.Size);
    expect(svc.tmpDir && treeListing(svc.tmpDir)).toEqual([]);
  });

  it("loads the multilayer docker archive and its OCI twin, sharing every layer", async () => {
    expect(await loadImages(svc, fixture("multilayer-docker-save.tar"))).toEqual(["Loaded image: wharf-fixture/multilayer:1.0"]);
    const rec = svc.resolve("wharf-fixture/multilayer:1.0");
    expect(rec.id).toBe(multilayerId);
    const cfg = imageInspect(svc, rec, "1.45").Config;
    expect(cfg.Entrypoint).toEqual(["/bin/sh", "/usr/local/bin/hello.sh"]);
    expect(cfg.Cmd).toEqual(["world"]);
    expect(cfg.WorkingDir).toBe("/app");
    expect(cfg.Env).toEqual(expect.arrayContaining(["GREETING=hello", "APP_HOME=/app"]));
    expect(cfg.Labels).toEqual({ "org.example.fixture": "multi-layer" });
    expect(cfg.ExposedPorts).toEqual({ "8080/tcp": {} });
    expect(cfg.Volumes).toEqual({ "/app/data": {} });
    expect(cfg.User).toBe("0:0");
    const hist = imageHistory(svc, rec);
    expect(hist).toHaveLength(12);
    expect(hist[0]).toMatchObject({ Id: multilayerId, Tags: ["wharf-fixture/multilayer:1.0"] });
    expect(hist[0]!.CreatedBy).toContain('CMD ["world"]');
    expect(hist[1]).toMatchObject({ Id: "<missing>", Tags: null });
    expect(hist.reduce((n, h) => n + h.Size, 0)).toBe(svc.size(rec));
    const stored = layers.storedBytes;
    expect(layers.layers.size).toBe(5);
    expect(await loadImages(svc, fixture("multilayer-oci.tar"))).toEqual([
      `The image wharf-fixture/multilayer:1.0 already exists, renaming the old one with ID ${multilayerId} to empty string`,
      "Loaded image: wharf-fixture/multilayer:1.0",
    ]);
    expect(svc.resolve("wharf-fixture/multilayer:1.0").id).toBe(multilayerOciId);
    expect(layers.storedBytes).toBe(stored);
    expect(layers.layers.size).toBe(5);
    // The docker-archive image lost its tag to the OCI one and is dangling now.
    expect(svc.repoTags(multilayerId as any)).toEqual([]);
    // Each image holds one reference on the shared top layer.
    const top = svc.topLayer(rec)!;
    expect(layers.layers.get(top)!.refs).toBe(2);
  });

  it("loading the same archive twice stores no new layer bytes and no new reference", async () => {
    await loadImages(svc, fixture("multilayer-docker-save.tar"));
    const stored = layers.storedBytes;
    const top = svc.topLayer(svc.resolve(multilayerId))!;
    await loadImages(svc, fixture("multilayer-docker-save.tar"));
    expect(layers.storedBytes).toBe(stored);
    expect(layers.layers.get(top)!.refs).toBe(1);
  });

  it("save writes Docker 25's layout and loads back with the same id", async () => {
    await loadImages(svc, fixture("multilayer-docker-save.tar"));
    await loadImages(svc, fixture("busybox-docker-save.tar"));
    const archive = await collect(saveImages(svc, selectImages(svc, ["wharf-fixture/multilayer:1.0", "busybox"])));
    const names: string[] = [];
    const files = new Map<string, Buffer>();
    for await (const e of readTar(chunked(archive))) {
      names.push(e.name);
      if (e.type === "file") files.set(e.name, await collect(e.body()));
    }
    expect(names).toEqual(expect.arrayContaining(["manifest.json", "repositories", "index.json", "oci-layout", `blobs/sha256/${multilayerId.slice(7)}`]));
    for (const [n, b] of files) if (n.startsWith("blobs/sha256/")) expect(sha(b)).toBe(`sha256:${n.slice(13)}`);
    const manifest = JSON.parse(files.get("manifest.json")!.toString());
    expect(manifest.map((m: any) => m.RepoTags)).toEqual([["wharf-fixture/multilayer:1.0"], ["busybox:latest"]]);
    expect(manifest[0].Layers).toHaveLength(5);
    expect(JSON.parse(files.get("repositories")!.toString())).toHaveProperty("busybox.latest");
    const index = JSON.parse(files.get("index.json")!.toString());
    expect(index.manifests[0].annotations["io.containerd.image.name"]).toBe("docker.io/wharf-fixture/multilayer:1.0");

    const other = new ImageService(join(dir, "other"), new FakeLayerStore());
    expect(await loadImages(other, chunked(archive))).toEqual(["Loaded image: wharf-fixture/multilayer:1.0", "Loaded image: busybox:latest"]);
    expect(other.resolve("wharf-fixture/multilayer:1.0").id).toBe(multilayerId);
    expect(other.resolve("busybox:latest").id).toBe(busyboxId);
  });

  it("an image deleted while it is being saved is saved whole, and its layers go after", async () => {
    await loadImages(svc, fixture("busybox-docker-save.tar"));
    const it = saveImages(svc, selectImages(svc, ["busybox"]));
    const parts: Buffer[] = [Buffer.from((await it.next()).value!)];
    const { imageDelete } = await import("../../src/image/delete.ts");
    await imageDelete(svc, "busybox", { force: false, noprune: false });
    expect(layers.layers.size).toBe(1);
    for await (const c of it) parts.push(Buffer.from(c));
    expect(layers.layers.size).toBe(0);
    const other = new ImageService(join(dir, "other"), new FakeLayerStore());
    expect(await loadImages(other, chunked(Buffer.concat(parts)))).toEqual(["Loaded image: busybox:latest"]);
  });

  it("an OCI layout with a nested multi-platform index loads this host's platform", async () => {
    const blobs: { name: string; data: string | Uint8Array }[] = [];
    const blob = (data: string | Uint8Array, mediaType: string, extra: object = {}) => {
      const b = typeof data === "string" ? Buffer.from(data) : data;
      blobs.push({ name: `blobs/sha256/${sha(b).slice(7)}`, data: b });
      return { mediaType, digest: sha(b), size: b.length, ...extra };
    };
    const image = (arch: string) => {
      const t = tinyImage({ file: arch });
      const layer = blob(Bun.gzipSync(new Uint8Array(t.layer)), "application/vnd.oci.image.layer.v1.tar+gzip");
      const config = blob(t.config.replace('"amd64"', `"${arch}"`), "application/vnd.oci.image.config.v1+json");
      const m = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config, layers: [layer] });
      return { desc: blob(m, "application/vnd.oci.image.manifest.v1+json", { platform: { os: "linux", architecture: arch } }), configDigest: config.digest };
    };
    const arm = image("arm64");
    const amd = image("amd64");
    const nested = blob(JSON.stringify({ schemaVersion: 2, manifests: [arm.desc, amd.desc] }), "application/vnd.oci.image.index.v1+json", {
      annotations: { "io.containerd.image.name": "docker.io/library/multi:2" },
    });
    const archive = makeTar([
      ...blobs,
      { name: "oci-layout", data: '{"imageLayoutVersion":"1.0.0"}' },
      { name: "index.json", data: JSON.stringify({ schemaVersion: 2, manifests: [nested] }) },
    ]);
    expect(await loadImages(svc, chunked(archive))).toEqual(["Loaded image: multi:2"]);
    expect(svc.resolve("multi:2").id).toBe(amd.configDigest);
    expect(svc.images.size).toBe(1);
    // A corrupt manifest blob is named in the error.
    const bad = Buffer.from(archive);
    const i = bad.lastIndexOf(Buffer.from('"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest'));
    bad[i + 1] = "S".charCodeAt(0);
    await expect(loadImages(new ImageService(join(dir, "x"), new FakeLayerStore()), chunked(bad))).rejects.toThrow(/invalid archive: blob sha256:[a-f0-9]{64} does not match its digest/);
  });

  it("an untagged image loads as `Loaded image ID`", async () => {
    const t = tinyImage();
    const a = tinyArchive({ ...t, manifest: JSON.stringify([{ Config: t.cfgName, RepoTags: null, Layers: [t.layerName] }]) });
    expect(await loadImages(svc, chunked(a))).toEqual([`Loaded image ID: ${t.id}`]);
  });
});

describe("shapes match the reference daemon's", () => {
  const ref = (n: string) => JSON.parse(readFileSync(join(fixtures, "../../docs/reference/dockerd-20.10", n), "utf8"));
  const keysDeep = (o: any, pre = ""): string[] =>
    o && typeof o === "object" && !Array.isArray(o)
      ? Object.keys(o).flatMap((k) => [pre + k, ...(["Labels", "Data", "ExposedPorts", "Volumes"].includes(k) ? [] : keysDeep(o[k], `${pre}${k}.`))])
      : [];

  it("inspect has the reference's fields in its order (1.43), minus what 1.45 dropped", async () => {
    await loadImages(svc, fixture("busybox-docker-save.tar"));
    const want = ref("image-inspect.json");
    const got = imageInspect(svc, svc.resolve("busybox"), "1.43");
    expect(keysDeep(got)).toEqual(keysDeep(want));
    expect(got.Config).toEqual(want.Config);
    expect(got.RootFS).toEqual(want.RootFS);
    const v145 = Object.keys(imageInspect(svc, svc.resolve("busybox"), "1.45"));
    expect(v145).toEqual(Object.keys(want).filter((k) => !["Container", "ContainerConfig", "VirtualSize"].includes(k)));
  });

  it("list entries and history rows have the reference's fields", async () => {
    await loadImages(svc, fixture("multilayer-docker-save.tar"));
    const { imageSummary } = await import("../../src/image/shapes.ts");
    const rec = svc.resolve(multilayerId);
    expect(Object.keys(imageSummary(svc, rec, "1.43"))).toEqual(Object.keys(ref("images-list.json")[0]));
    const want = ref("image-history.json");
    const got = imageHistory(svc, rec);
    expect(got.map((h) => Object.keys(h))).toEqual(want.map((h: any) => Object.keys(h)));
    expect(got.map((h) => [h.CreatedBy, h.Created])).toEqual(want.map((h: any) => [h.CreatedBy, h.Created]));
  });
});

describe("bad archives leave the store as it was", () => {
  beforeEach(async () => {
    await loadImages(svc, fixture("busybox-docker-save.tar"));
  });

  it("a truncated archive", async () => {
    const full = readFileSync(join(fixtures, "multilayer-docker-save.tar"));
    const err = await loadError(full.subarray(0, Math.floor(full.length / 2)));
    expect(err.kind).toBe("invalidParameter");
    expect(err.message).toMatch(/truncated/);
  });

  it("a layer whose digest does not match the config", async () => {
    const t = tinyImage();
    const evil = makeTar([{ name: "hello.txt", data: "tampered\n" }]);
    const err = await loadError(makeTar([
      { name: "layer.tar", data: evil },
      { name: t.cfgName, data: t.config },
      { name: "manifest.json", data: JSON.stringify([{ Config: t.cfgName, RepoTags: ["x:1"], Layers: ["layer.tar"] }]) },
    ]));
    expect(err.kind).toBe("invalidParameter");
    expect(err.message).toMatch(new RegExp(`^invalid archive: layer layer.tar: .*expected ${sha(t.layer)}`));
  });

  it("a blob whose content does not match its name", async () => {
    const t = tinyImage();
    const err = await loadError(makeTar([
      { name: t.layerName, data: makeTar([{ name: "x", data: "other" }]) },
      { name: t.cfgName, data: t.config },
      { name: "manifest.json", data: t.manifest },
    ]));
    expect(err.message).toMatch(new RegExp(`^invalid archive: layer ${t.layerName}: .*expected ${sha(t.layer)}`));
  });

  it("a manifest naming a missing file", async () => {
    const t = tinyImage();
    const err = await loadError(makeTar([{ name: t.cfgName, data: t.config }, { name: "manifest.json", data: t.manifest }]));
    expect(err.kind).toBe("invalidParameter");
    expect(err.message).toBe(`invalid archive: manifest.json names ${t.layerName}, which is not in the archive`);
  });

  it("an entry with ../ and a symlink pointing out of the archive", async () => {
    const dotdot = await loadError(tinyArchive(tinyImage(), [{ name: "../../evil", data: "x" }]));
    expect(dotdot.message).toBe("invalid archive: entry ../../evil escapes the archive (..)");
    const t = tinyImage();
    const link = await loadError(makeTar([
      { name: "l", symlink: "../../../etc/passwd" },
      { name: t.cfgName, data: t.config },
      { name: "manifest.json", data: JSON.stringify([{ Config: t.cfgName, RepoTags: ["x:1"], Layers: ["l"] }]) },
    ]));
    expect(link.message).toBe("invalid archive: symlink l points outside the archive (../../../etc/passwd)");
  });

  it("not an archive at all, and an archive without a manifest", async () => {
    expect((await loadError(Buffer.from("hello world".repeat(100)))).message).toMatch(/bad checksum|truncated/);
    expect((await loadError(makeTar([{ name: "x", data: "y" }]))).message).toMatch(/neither manifest.json/);
  });

  it("a second image failing releases the layers the first one registered", async () => {
    const a = tinyImage({ tag: "a:1", file: "a" });
    const b = tinyImage({ tag: "b:1", file: "b" });
    const manifest = JSON.stringify([
      { Config: a.cfgName, RepoTags: ["a:1"], Layers: [a.layerName] },
      { Config: b.cfgName, RepoTags: ["b:1"], Layers: [a.layerName] },
    ]);
    const err = await loadError(makeTar([
      { name: a.layerName, data: a.layer },
      { name: a.cfgName, data: a.config },
      { name: b.cfgName, data: b.config },
      { name: "manifest.json", data: manifest },
    ]));
    expect(err.message).toMatch(/^invalid archive: layer .*expected sha256:/);
  });
});
