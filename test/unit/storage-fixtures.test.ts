// Real images written by Docker and skopeo, applied layer by layer under both drivers
// with real overlay mounts: ids, merged view, tarStream and dedup.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { openLayerStore } from "../../src/storage/index.ts";
import type { Digest, Layer } from "../../src/storage/types.ts";
import { diskUsage, dockerSaveImage, fileStream, FIXTURES, mountsUnder, ociImage, TempDirs, type FixtureImage } from "../helpers/storage.ts";

const tmp = new TempDirs();
afterEach(() => tmp.cleanup());

const images: Array<[string, (archive: string, into: string) => FixtureImage, string]> = [
  ["docker save", dockerSaveImage, "multilayer-docker-save.tar"],
  ["OCI (gzip layers)", ociImage, "multilayer-oci.tar"],
];

async function registerAll(store: Awaited<ReturnType<typeof openLayerStore>>, img: FixtureImage, expected = false): Promise<Layer[]> {
  const out: Layer[] = [];
  let parent: Digest | null = null;
  for (let i = 0; i < img.layers.length; i++) {
    const l = await store.register(fileStream(img.layers[i]!), parent, expected ? (img.diffIds[i] as Digest) : undefined);
    out.push(l);
    parent = l.chainId;
  }
  return out;
}

function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length ? `sha256:${createHash("sha256").update(`${out[out.length - 1]} ${d}`).digest("hex")}` : d);
  return out;
}

async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const h = createHash("sha256");
  for await (const c of stream) h.update(c);
  return `sha256:${h.digest("hex")}`;
}

describe.each(["overlay2", "vfs"] as const)("%s driver", (driver) => {
  describe.each(images)("%s fixture", (_label, unpack, file) => {
    test("diff and chain ids match the image config, tarStream reproduces every layer", async () => {
      const img = unpack(join(FIXTURES, file), tmp.make());
      const store = await openLayerStore({ dataRoot: tmp.make(), driver });
      expect(store.driverName).toBe(driver);
      const layers = await registerAll(store, img);
      expect(layers.map((l) => l.diffId)).toEqual(img.diffIds);
      expect(layers.map((l) => l.chainId)).toEqual(chainIds(img.diffIds));
      expect(layers.map((l) => l.parent)).toEqual([null, ...chainIds(img.diffIds).slice(0, -1)]);
      expect(layers[0]!.size).toBeGreaterThan(1_000_000); // the busybox binary
      for (const l of layers) expect(await sha256Of(store.tarStream(l.chainId))).toBe(l.diffId);
      await store.close();
    });

    test("the merged view of all layers is the image's filesystem", async () => {
      const img = unpack(join(FIXTURES, file), tmp.make());
      const root = tmp.make();
      const store = await openLayerStore({ dataRoot: root, driver });
      const layers = await registerAll(store, img);
      await store.createRW("c1", layers[layers.length - 1]!.chainId);
      try {
        const m = await store.mountRW("c1");
        expect(await store.mountRW("c1")).toBe(m); // idempotent
        if (driver === "overlay2") expect(mountsUnder(root)).toEqual([m]);
        expect(existsSync(join(m, "opt/gone"))).toBe(false);
        expect(existsSync(join(m, "opt/keep/k.txt"))).toBe(false);
        expect(readFileSync(join(m, "opt/keep/new.txt"), "utf8").trim()).toBe("replaced");
        expect(readFileSync(join(m, "app/data/one.txt"), "utf8").trim()).toBe("one");
        expect(lstatSync(join(m, "app/data/one.txt")).mode & 0o7777).toBe(0o4755);
        expect(lstatSync(join(m, "app/link-to-one")).isSymbolicLink()).toBe(true);
        expect(readlinkSync(join(m, "app/link-to-one"))).toBe("/app/data/one.txt");
        expect(readFileSync(join(m, "app/hardlink-to-one"), "utf8").trim()).toBe("one");
        expect(lstatSync(join(m, "app/hardlink-to-one")).mode & 0o7777).toBe(0o644);
        expect(lstatSync(join(m, "bin/busybox")).isFile()).toBe(true);
        expect(readlinkSync(join(m, "bin/sh"))).toMatch(/busybox$/);
        // The rw layer takes writes; the image layers stay as they were.
        await Bun.write(join(m, "app/new-file"), "x");
        expect(readdirSync(store.rwDiffPath("c1"))).toContain("app");
      } finally {
        await store.unmountRW("c1");
      }
      expect(mountsUnder(root)).toEqual([]);
      await store.removeRW("c1");
      for (const l of layers) expect(await sha256Of(store.tarStream(l.chainId))).toBe(l.diffId);
    });
  });

  test("registering the same layers again stores no new bytes; the last release removes them", async () => {
    const img = dockerSaveImage(join(FIXTURES, "multilayer-docker-save.tar"), tmp.make());
    const root = tmp.make();
    const store = await openLayerStore({ dataRoot: root, driver });
    const first = await registerAll(store, img);
    const usage = diskUsage(root);
    const again = await registerAll(store, img, true); // known diff ids: verified, not applied
    const third = await registerAll(store, img); // unknown: applied to staging, then dropped
    expect(again.map((l) => l.chainId)).toEqual(first.map((l) => l.chainId));
    expect(third.map((l) => l.chainId)).toEqual(first.map((l) => l.chainId));
    expect(diskUsage(root)).toBe(usage);
    const home = join(root, driver, "layers");
    expect(readdirSync(home).length).toBe(5);
    // Three references on each layer; children keep parents while the top remains.
    for (const round of [again, third]) for (const l of round) expect(await store.release(l.chainId)).toEqual([]);
    for (const l of first.slice(0, -1)) expect(await store.release(l.chainId)).toEqual([]);
    expect(readdirSync(home).length).toBe(5);
    const removed = await store.release(first[4]!.chainId);
    expect(removed).toEqual(first.map((l) => l.chainId).reverse());
    expect(readdirSync(home)).toEqual([]);
    expect(readdirSync(join(root, driver, "staging"))).toEqual([]);
    if (driver === "overlay2") expect(readdirSync(join(root, driver, "l"))).toEqual([]);
    await expect(store.release(first[4]!.chainId)).rejects.toMatchObject({ kind: "notFound" });
  });
});

describe("overlay2 layer dirs", () => {
  test("overlay whiteouts are 0/0 char devices in the layer's diff", async () => {
    const img = dockerSaveImage(join(FIXTURES, "multilayer-docker-save.tar"), tmp.make());
    const root = tmp.make();
    const store = await openLayerStore({ dataRoot: root, driver: "overlay2" });
    const layers = await registerAll(store, img);
    const diffs = layers.map((l) => join(root, "overlay2/layers", l.chainId.slice(7), "diff"));
    const devices = diffs.flatMap((d) => findAll(d).filter((p) => lstatSync(p).isCharacterDevice()));
    expect(devices.length).toBeGreaterThan(0);
    for (const p of devices) expect(lstatSync(p).rdev).toBe(0);
    expect(devices.filter((p) => p.endsWith("/opt/gone") || p.endsWith("/opt/keep/k.txt")).length).toBe(2);
    expect(devices.every((p) => !p.includes(".wh."))).toBe(true);
  });
});

function findAll(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out.push(p);
    if (lstatSync(p).isDirectory()) out.push(...findAll(p));
  }
  return out;
}
