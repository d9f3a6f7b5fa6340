// The store around the layers: restart, references and prune, concurrent registers,
// long overlay chains, rw layers.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { openLayerStore } from "../../src/storage/index.ts";
import type { Digest } from "../../src/storage/types.ts";
import { lgetxattr, markTopDir } from "../../src/sys/libc.ts";
import { buildTar } from "../helpers/tarbuild.ts";
import { chunks, dockerSaveImage, fileStream, FIXTURES, mountsUnder, TempDirs } from "../helpers/storage.ts";

const tmp = new TempDirs();
afterEach(() => tmp.cleanup());

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}` as Digest;

describe.each(["overlay2", "vfs"] as const)("%s driver", (driver) => {
  test("a second open of the same data root finds every layer and rw layer", async () => {
    const img = dockerSaveImage(join(FIXTURES, "multilayer-docker-save.tar"), tmp.make());
    const root = tmp.make();
    const first = await openLayerStore({ dataRoot: root, driver });
    let parent: Digest | null = null;
    for (const l of img.layers) parent = (await first.register(fileStream(l), parent)).chainId;
    await first.createRW("c1", parent);
    writeFileSync(join(await first.mountRW("c1"), "written-before-restart"), "kept");
    await first.unmountRW("c1");
    const layers = first.list();
    await first.close();

    // No driver named: the data root's own driver is found again.
    const second = await openLayerStore({ dataRoot: root });
    expect(second.driverName).toBe(driver);
    expect(second.list().sort((a, b) => a.chainId.localeCompare(b.chainId))).toEqual(layers.sort((a, b) => a.chainId.localeCompare(b.chainId)));
    for (const l of layers) {
      const h = createHash("sha256");
      for await (const c of second.tarStream(l.chainId)) h.update(c);
      expect(`sha256:${h.digest("hex")}`).toBe(l.diffId);
    }
    const m = await second.mountRW("c1");
    expect(readFileSync(join(m, "written-before-restart"), "utf8")).toBe("kept");
    expect(readFileSync(join(m, "opt/keep/new.txt"), "utf8").trim()).toBe("replaced");
    // References are not persisted: nothing is retained, but the rw layer holds the chain.
    expect(await second.prune()).toEqual([]);
    await second.removeRW("c1"); // takes the unreferenced chain with it
    expect(second.list()).toEqual([]);
    expect(readdirSync(join(root, driver, "layers"))).toEqual([]);
    expect(mountsUnder(root)).toEqual([]);
  });

  test("prune keeps retained layers and their parents and removes the rest", async () => {
    const root = tmp.make();
    const s1 = await openLayerStore({ dataRoot: root, driver });
    const a = await s1.register(chunks(buildTar([{ name: "a", data: "a" }])), null);
    const b = await s1.register(chunks(buildTar([{ name: "b", data: "b" }])), a.chainId);
    const other = await s1.register(chunks(buildTar([{ name: "o", data: "o" }])), null);
    const s2 = await openLayerStore({ dataRoot: root, driver });
    s2.retain(b.chainId);
    expect(await s2.prune()).toEqual([other.chainId]);
    expect(s2.list().map((l) => l.chainId).sort()).toEqual([a.chainId, b.chainId].sort());
    expect(await s2.release(b.chainId)).toEqual([b.chainId, a.chainId]);
    await expect(s2.release(a.chainId)).rejects.toMatchObject({ kind: "notFound" });
  });

  test("concurrent registers of one layer store it once and count every reference", async () => {
    const root = tmp.make();
    const store = await openLayerStore({ dataRoot: root, driver });
    const tar = buildTar([{ name: "f", data: Buffer.alloc(300_000, 9) }, { name: "g", data: "g" }]);
    const pieces = (b: Buffer) => chunks(...Array.from({ length: Math.ceil(b.length / 4096) }, (_, i) => b.subarray(i * 4096, (i + 1) * 4096)));
    const got = await Promise.all([
      store.register(pieces(tar), null),
      store.register(pieces(tar), null, sha(tar)),
      store.register(pieces(tar), null),
      store.register(pieces(tar), null, sha(tar)),
    ]);
    expect(new Set(got.map((l) => l.chainId))).toEqual(new Set([sha(tar)]));
    expect(readdirSync(join(root, driver, "layers"))).toHaveLength(1);
    expect(readdirSync(join(root, driver, "staging"))).toEqual([]);
    for (let i = 0; i < 3; i++) expect(await store.release(sha(tar))).toEqual([]);
    expect(await store.release(sha(tar))).toEqual([sha(tar)]);
  });

  test("a layer under a container's rw layer stays until the rw layer goes", async () => {
    const root = tmp.make();
    const store = await openLayerStore({ dataRoot: root, driver });
    const l = await store.register(chunks(buildTar([{ name: "etc/", type: "5" }, { name: "etc/x", data: "x" }])), null);
    await store.createRW("c", l.chainId);
    await expect(store.createRW("c", l.chainId)).rejects.toMatchObject({ kind: "conflict" });
    expect(await store.release(l.chainId)).toEqual([]);
    expect(store.get(l.chainId)).toBeDefined();
    const m = await store.mountRW("c");
    writeFileSync(join(m, "etc/x"), "changed");
    expect(readFileSync(join(store.rwDiffPath("c"), "etc/x"), "utf8")).toBe("changed");
    await store.removeRW("c");
    expect(store.get(l.chainId)).toBeUndefined();
    expect(mountsUnder(root)).toEqual([]);
    await expect(store.mountRW("c")).rejects.toMatchObject({ kind: "notFound" });
    expect(() => store.rwDiffPath("c")).toThrow(/not found/);
  });

  test("an rw layer on an empty rootfs", async () => {
    const root = tmp.make();
    const store = await openLayerStore({ dataRoot: root, driver });
    await store.createRW("scratch", null);
    try {
      const m = await store.mountRW("scratch");
      expect(readdirSync(m)).toEqual([]);
      writeFileSync(join(m, "hello"), "hi");
      expect(readFileSync(join(store.rwDiffPath("scratch"), "hello"), "utf8")).toBe("hi");
    } finally {
      await store.removeRW("scratch");
    }
    expect(existsSync(join(root, driver, "rw", "scratch"))).toBe(false);
  });
});

describe("overlay2", () => {
  test("130 lower layers fit in the mount options through short links", async () => {
    const root = tmp.make();
    const store = await openLayerStore({ dataRoot: root, driver: "overlay2" });
    let parent: Digest | null = null;
    for (let i = 0; i < 130; i++) parent = (await store.register(chunks(buildTar([{ name: `f${i}`, data: String(i) }])), parent)).chainId;
    await store.createRW("tall", parent);
    try {
      const m = await store.mountRW("tall");
      expect(readdirSync(m)).toHaveLength(130);
      expect(readFileSync(join(m, "f0"), "utf8")).toBe("0");
      expect(readFileSync(join(m, "f129"), "utf8")).toBe("129");
      expect(readdirSync(join(root, "overlay2", "l"))).toHaveLength(130);
    } finally {
      await store.removeRW("tall");
    }
  });

  test("an unknown driver name is refused", async () => {
    await expect(openLayerStore({ dataRoot: tmp.make(), driver: "aufs" })).rejects.toMatchObject({ kind: "invalidParameter", message: expect.stringContaining('"aufs"') });
  });

  test("the default driver is overlay2 where the kernel has overlay, and the probe leaves nothing behind", async () => {
    const root = tmp.make();
    const store = await openLayerStore({ dataRoot: root });
    expect(store.driverName).toBe("overlay2");
    expect(readdirSync(join(root, "overlay2")).sort()).toEqual(["layers", "rw", "staging"]);
    expect(mountsUnder(root)).toEqual([]);
  });
});

describe("store housekeeping", () => {
  // ext4 without a journal rescans every inode freed in the last minute for each file it
  // creates in that block group; a top dir has new layer dirs placed in groups of their own.
  test("staging is marked as a top directory on ext4 without a journal", async () => {
    const dir = tmp.make();
    const img = join(dir, "fs.img");
    const root = join(dir, "root");
    mkdirSync(root);
    const run = (argv: string[]) => {
      const r = Bun.spawnSync(argv, { stderr: "pipe" });
      if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
      return r.stdout.toString();
    };
    run(["mkfs.ext4", "-q", "-F", "-O", "^has_journal", img, "32M"]);
    run(["mount", "-o", "loop", img, root]);
    try {
      const s = await openLayerStore({ dataRoot: root, driver: "overlay2" });
      expect(run(["lsattr", "-d", join(root, "overlay2", "staging")]).split(" ")[0]).toContain("T");
      await s.close();
    } finally {
      run(["umount", root]);
    }
  });

  test("markTopDir reports a filesystem without the flag and changes nothing there", () => {
    const dir = tmp.make();
    expect(markTopDir(dir)).toBe(true);
    expect(markTopDir(dir)).toBe(true); // already set
    const shm = mkdtempSync("/dev/shm/wharf-topdir-");
    try {
      expect(markTopDir(shm)).toBe(false);
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
    expect(() => markTopDir(join(dir, "absent"))).toThrow(/open .*absent: No such file/);
  });

  test("work left in staging by a crash is removed at open", async () => {
    const root = tmp.make();
    const s1 = await openLayerStore({ dataRoot: root, driver: "vfs" });
    const l = await s1.register(chunks(buildTar([{ name: "a", data: "a" }])), null);
    const leftover = join(root, "vfs", "staging", "layer-crashed", "diff");
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, "half-written"), "x");
    const s2 = await openLayerStore({ dataRoot: root, driver: "vfs" });
    expect(readdirSync(join(root, "vfs", "staging"))).toEqual([]);
    expect(s2.list().map((x) => x.chainId)).toEqual([l.chainId]);
  });

  test("a layer being streamed stays until the stream ends; a stream never read holds nothing", async () => {
    const store = await openLayerStore({ dataRoot: tmp.make(), driver: "overlay2" });
    const tar = buildTar([{ name: "f", data: Buffer.alloc(3 << 20, 1) }]);
    const l = await store.register(chunks(tar), null);
    store.tarStream(l.chainId); // never iterated
    const it = store.tarStream(l.chainId)[Symbol.asyncIterator]();
    const parts: Uint8Array[] = [(await it.next()).value!];
    expect(await store.release(l.chainId)).toEqual([]);
    for (let r = await it.next(); !r.done; r = await it.next()) parts.push(r.value);
    expect(Buffer.concat(parts).equals(tar)).toBe(true);
    expect(store.get(l.chainId)).toBeUndefined();
    expect(() => store.tarStream(l.chainId)).toThrow(/not found/);
  });

  test("a parent released while a child is being registered on it stays until that register ends", async () => {
    const store = await openLayerStore({ dataRoot: tmp.make(), driver: "overlay2" });
    const parent = await store.register(chunks(buildTar([{ name: "p", data: "p" }])), null);
    const child = buildTar([{ name: "c", data: Buffer.alloc(100_000, 2) }]);
    // A stream that stops half way until told to go on (or to fail).
    const gated = (fail: boolean) => {
      let go!: () => void;
      const gate = new Promise<void>((r) => (go = r));
      let started!: () => void;
      const begun = new Promise<void>((r) => (started = r));
      async function* stream() {
        yield child.subarray(0, 50_000);
        started();
        await gate;
        if (fail) throw new Error("connection reset");
        yield child.subarray(50_000);
      }
      return { stream: stream(), go, begun };
    };
    const ok = gated(false);
    const pending = store.register(ok.stream, parent.chainId);
    await ok.begun;
    expect(await store.release(parent.chainId)).toEqual([]); // pinned by the register
    ok.go();
    const c = await pending;
    expect(store.get(parent.chainId)).toBeDefined(); // now held by its child
    const bad = gated(true);
    const failing = store.register(bad.stream, c.chainId);
    await bad.begun;
    expect(await store.release(c.chainId)).toEqual([]);
    bad.go();
    await expect(failing).rejects.toThrow(/connection reset/);
    // The failed register let go of its parent: nothing holds the chain any more.
    expect(store.list()).toEqual([]);
  });

  test("overlay xattrs in a tar are not applied (they would steer the kernel's merge)", async () => {
    const root = tmp.make();
    const store = await openLayerStore({ dataRoot: root, driver: "overlay2" });
    const tar = buildTar([{ name: "d/", type: "5", pax: { "SCHILY.xattr.trusted.overlay.redirect": "/etc", "SCHILY.xattr.user.ok": "1" } }]);
    const l = await store.register(chunks(tar), null);
    const d = join(root, "overlay2", "layers", l.chainId.slice(7), "diff", "d");
    expect(lgetxattr(d, "trusted.overlay.redirect")).toBeNull();
    expect(lgetxattr(d, "user.ok")?.toString()).toBe("1");
  });
});
