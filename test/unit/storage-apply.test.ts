// What applying a layer keeps: owners, modes, times, xattrs, links, devices, long
// names, opaque dirs, compression; and that tarStream gives back the exact bytes even
// when a tar overwrites or deletes its own entries.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { afterEach, describe, expect, test } from "vitest";
import { setSlowWriteMs } from "../../src/storage/apply.ts";
import { openLayerStore } from "../../src/storage/index.ts";
import type { FsLayerStore } from "../../src/storage/layerstore.ts";
import type { Digest } from "../../src/storage/types.ts";
import { lgetxattr } from "../../src/sys/libc.ts";
import { buildTar } from "../helpers/tarbuild.ts";
import { chunks, TempDirs } from "../helpers/storage.ts";

const tmp = new TempDirs();
afterEach(() => tmp.cleanup());

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function bytesOf(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of s) parts.push(c);
  return Buffer.concat(parts);
}

/** Registers the tars as a chain, mounts an rw layer on top and hands its root to `check`. */
async function withMerged(store: FsLayerStore, tars: Buffer[], check: (root: string, top: Digest) => Promise<void> | void) {
  let parent: Digest | null = null;
  for (const t of tars) parent = (await store.register(chunks(t), parent)).chainId;
  await store.createRW("view", parent);
  try {
    await check(await store.mountRW("view"), parent!);
  } finally {
    await store.removeRW("view");
  }
}

describe.each(["overlay2", "vfs"] as const)("%s driver", (driver) => {
  const open = async () => openLayerStore({ dataRoot: tmp.make(), driver });

  test("keeps owners, special mode bits, times, xattrs, links, fifos and device nodes", async () => {
    const longName = `deep/${"n".repeat(60)}/${"m".repeat(60)}/file-with-a-long-name.txt`;
    const tar = buildTar([
      { name: "d/", type: "5", mode: 0o2775, uid: 1000, gid: 1001, mtime: 1_600_000_000 },
      { name: "sticky/", type: "5", mode: 0o1777, mtime: 1_600_000_100 },
      { name: "d/f", data: "content", mode: 0o640, uid: 1234, gid: 5678, mtime: 1_500_000_000 },
      { name: "d/sg", data: "x", mode: 0o2755, uid: 0, gid: 50 },
      { name: "d/s", type: "2", linkname: "f", uid: 7, gid: 8, mtime: 1_400_000_000 },
      { name: "d/h", type: "1", linkname: "d/f" },
      { name: "p", type: "6", mode: 0o600 },
      { name: "null", type: "3", mode: 0o666, linkname: "" },
      { name: "x", data: "attrs", pax: { "SCHILY.xattr.user.wharf": "hello", "SCHILY.xattr.trusted.wharf": "t" } },
      { name: "pax-long", data: "long", pax: { path: longName } },
    ]);
    const store = await open();
    await withMerged(store, [withDevice(tar, "null", 1, 3)], (m) => {
      const st = (p: string) => lstatSync(join(m, p));
      expect(st("d").mode & 0o7777).toBe(0o2775);
      expect([st("d").uid, st("d").gid]).toEqual([1000, 1001]);
      expect(st("d").mtimeMs).toBe(1_600_000_000_000);
      expect(st("sticky").mode & 0o7777).toBe(0o1777);
      expect(st("d/f").mode & 0o7777).toBe(0o640);
      expect([st("d/f").uid, st("d/f").gid]).toEqual([1234, 5678]);
      expect(st("d/f").mtimeMs).toBe(1_500_000_000_000);
      expect(st("d/sg").mode & 0o7777).toBe(0o2755);
      expect(readlinkSync(join(m, "d/s"))).toBe("f");
      expect([st("d/s").uid, st("d/s").gid]).toEqual([7, 8]);
      expect(st("d/s").mtimeMs).toBe(1_400_000_000_000);
      expect(st("d/h").ino).toBe(st("d/f").ino);
      expect(st("p").isFIFO()).toBe(true);
      expect(st("null").isCharacterDevice()).toBe(true);
      expect(st("null").rdev).toBe(lstatSync("/dev/null").rdev); // 1,3 on every Linux
      expect(st("null").mode & 0o7777).toBe(0o666);
      expect(lgetxattr(join(m, "x"), "user.wharf")?.toString()).toBe("hello");
      expect(lgetxattr(join(m, "x"), "trusted.wharf")?.toString()).toBe("t");
      expect(readFileSync(join(m, longName), "utf8")).toBe("long");
    });
  });

  test("GNU long names and long link targets from real tar, with its record padding", async () => {
    const src = tmp.make();
    const dir = join(src, "a".repeat(90), "b".repeat(90));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "file-".repeat(20)), "gnu");
    symlinkSync(join("a".repeat(90), "b".repeat(90), "file-".repeat(20)), join(src, "to-long"));
    utimesSync(join(src, "to-long"), 1_000_000, 1_000_000);
    const tar = execFileSync("tar", ["--format=gnu", "-cf", "-", "-C", src, "."], { maxBuffer: 1 << 26 });
    expect(tar.length % 10240).toBe(0);
    const store = await open();
    await withMerged(store, [tar], async (m, top) => {
      expect(readFileSync(join(m, "to-long"), "utf8")).toBe("gnu");
      expect(store.get(top)!.diffId).toBe(sha(tar));
      expect((await bytesOf(store.tarStream(top))).equals(tar)).toBe(true);
    });
  });

  test("an opaque directory hides everything below it in lower layers", async () => {
    const lower = buildTar([{ name: "o/", type: "5" }, { name: "o/a", data: "a" }, { name: "o/sub/", type: "5" }, { name: "o/sub/c", data: "c" }, { name: "keep", data: "k" }]);
    const upper = buildTar([{ name: "o/", type: "5" }, { name: "o/.wh..wh..opq" }, { name: "o/new", data: "n" }]);
    const store = await open();
    await withMerged(store, [lower, upper], (m) => {
      expect(readdirSync(join(m, "o"))).toEqual(["new"]);
      expect(readFileSync(join(m, "keep"), "utf8")).toBe("k");
    });
    if (driver === "overlay2") {
      const l = store.list().find((x) => x.diffId === sha(upper))!;
      expect(lgetxattr(join(layerDiff(store, l.chainId), "o"), "trusted.overlay.opaque")?.toString()).toBe("y");
      expect(existsSync(join(layerDiff(store, l.chainId), "o/.wh..wh..opq"))).toBe(false);
    }
  });

  test("tarStream is exact when a tar overwrites, replaces and deletes its own entries", async () => {
    const tar = buildTar([
      { name: "x", data: "first" },
      { name: "x", data: "second" },
      { name: "y", data: "soon gone" },
      { name: ".wh.y" },
      { name: "dd/", type: "5" },
      { name: "dd/inner", data: "inner" },
      { name: "dd", data: "now a file" },
      { name: "z", data: "z" },
      { name: "zl", type: "1", linkname: "z" },
      { name: "z", data: "new z" },
    ]);
    const store = await open();
    await withMerged(store, [buildTar([{ name: "base", data: "b" }]), tar], async (m, top) => {
      expect(readFileSync(join(m, "x"), "utf8")).toBe("second");
      expect(existsSync(join(m, "y"))).toBe(false);
      expect(readFileSync(join(m, "dd"), "utf8")).toBe("now a file");
      expect(readFileSync(join(m, "zl"), "utf8")).toBe("z");
      expect(readFileSync(join(m, "z"), "utf8")).toBe("new z");
      expect((await bytesOf(store.tarStream(top))).equals(tar)).toBe(true);
    });
  });

  test("a pre-POSIX entry (typeflag NUL) whose name ends in / is a directory", async () => {
    const tar = patchHeader(buildTar([{ name: "old/", mode: 0o750 }, { name: "old/f", data: "x" }]), "old/", (out, off) => (out[off + 156] = 0));
    const store = await open();
    await withMerged(store, [tar], (m) => {
      expect(lstatSync(join(m, "old")).isDirectory()).toBe(true);
      expect(lstatSync(join(m, "old")).mode & 0o7777).toBe(0o750);
      expect(readFileSync(join(m, "old/f"), "utf8")).toBe("x");
    });
  });

  test("gzip and zstd layers hash to the diff id of their uncompressed bytes", async () => {
    const tar = buildTar([{ name: "f", data: Buffer.alloc(200_000, 3) }]);
    const store = await open();
    const g = await store.register(chunks(gzipSync(tar)), null, sha(tar) as Digest);
    const z = await store.register(chunks(zstdCompressSync(tar)), null, sha(tar) as Digest);
    expect(g.chainId).toBe(z.chainId);
    expect(store.list()).toHaveLength(1);
    expect((await bytesOf(store.tarStream(g.chainId))).equals(tar)).toBe(true);
    // Split at odd places: the reader must not care where chunks end.
    const pieces: Buffer[] = [];
    for (let i = 0; i < tar.length; i += 333) pieces.push(tar.subarray(i, i + 333));
    expect((await store.register(chunks(...pieces), null)).chainId).toBe(g.chainId);
  });
});

describe("layers applied side by side", () => {
  // Files of a layer go through the thread pool once a write of it blocked while others
  // applied too; every write counts as blocking here, so both layers take that path.
  test("a layer whose writes block moves them to the thread pool and lands the same files", async () => {
    const big = (seed: number) => Buffer.alloc(300_000, seed);
    const tars = [1, 2].map((n) =>
      buildTar([
        { name: `l${n}/`, type: "5", mode: 0o755, mtime: 1_600_000_000 },
        ...Array.from({ length: 6 }, (_, i) => ({ name: `l${n}/f${i}`, data: big(n * 10 + i), mode: 0o4755, uid: 1000 + i, gid: 2000, mtime: 1_500_000_000 + i })),
      ]),
    );
    const store = await openLayerStore({ dataRoot: tmp.make(), driver: "overlay2" });
    const old = setSlowWriteMs(-1);
    let staged;
    try {
      staged = await Promise.all(tars.map((t) => store.stage!(chunks(...Array.from({ length: Math.ceil(t.length / 65536) }, (_, i) => t.subarray(i * 65536, (i + 1) * 65536))), sha(t) as Digest)));
    } finally {
      setSlowWriteMs(old);
    }
    for (const [k, s] of staged.entries()) {
      const n = k + 1;
      const diff = join(s.dir, "diff");
      for (let i = 0; i < 6; i++) {
        const f = join(diff, `l${n}`, `f${i}`);
        expect(readFileSync(f).equals(big(n * 10 + i))).toBe(true);
        const st = lstatSync(f);
        expect([st.mode & 0o7777, st.uid, st.gid, st.mtimeMs]).toEqual([0o4755, 1000 + i, 2000, (1_500_000_000 + i) * 1000]);
      }
      expect(s.diffId).toBe(sha(tars[k]!));
      store.discardStaged!(s);
    }
  });
});

function layerDiff(store: FsLayerStore, chainId: Digest): string {
  return join((store as unknown as { layersDir: string }).layersDir, chainId.slice(7), "diff");
}

/** Sets devmajor/devminor of the named entry in a ustar built by buildTar, fixing its checksum. */
function withDevice(tar: Buffer, name: string, major: number, minor: number): Buffer {
  return patchHeader(tar, name, (out, off) => {
    out.write(major.toString(8).padStart(7, "0") + "\0", off + 329, 8, "latin1");
    out.write(minor.toString(8).padStart(7, "0") + "\0", off + 337, 8, "latin1");
  });
}

/** Edits the header block of the named entry, then fixes its checksum. */
function patchHeader(tar: Buffer, name: string, edit: (out: Buffer, off: number) => void): Buffer {
  const out = Buffer.from(tar);
  for (let off = 0; off < out.length; off += 512) {
    if (out.toString("utf8", off, off + name.length + 1) !== `${name}\0`) continue;
    edit(out, off);
    out.write("        ", off + 148, 8, "latin1");
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += out[off + i]!;
    out.write(sum.toString(8).padStart(6, "0") + "\0 ", off + 148, 8, "latin1");
    return out;
  }
  throw new Error(`no entry ${name}`);
}
