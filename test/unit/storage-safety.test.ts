// Malicious and broken layer tars: each is refused with invalidParameter naming what
// is wrong, leaves the store exactly as it was, and writes nothing outside the layer.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, test } from "vitest";
import { openLayerStore } from "../../src/storage/index.ts";
import type { Digest } from "../../src/storage/types.ts";
import { buildTar, type TarEntrySpec } from "../helpers/tarbuild.ts";
import { chunks, listing, mountsUnder, TempDirs } from "../helpers/storage.ts";

const tmp = new TempDirs();
afterEach(() => tmp.cleanup());

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}` as Digest;

interface Case {
  name: string;
  /** Builds the layer bytes; `outside` is a directory beside the data root. */
  tar: (outside: string) => Buffer;
  message: RegExp;
  expected?: (tar: Buffer) => Digest;
}

const big = Buffer.alloc(10_000, 7);
const valid = buildTar([{ name: "d/", type: "5" }, { name: "d/f", data: big }]);

const cases: Case[] = [
  { name: "a ../ escape", tar: () => buildTar([{ name: "../evil", data: "x" }]), message: /"\.\.\/evil" points outside the layer/ },
  {
    name: "an absolute name that climbs out",
    tar: (o) => buildTar([{ name: `/../../../../../../..${o}/abs-evil`, data: "x" }]),
    message: /abs-evil" points outside the layer/,
  },
  {
    name: "a file under a symlink made earlier in the tar",
    tar: (o) => buildTar([{ name: "l", type: "2", linkname: o }, { name: "l/file", data: "x" }]),
    message: /"l\/file" is under "l", which is a symlink/,
  },
  {
    name: "a hard link to ../../etc/passwd",
    tar: () => buildTar([{ name: "pw", type: "1", linkname: "../../etc/passwd" }]),
    message: /hard link "pw" target "\.\.\/\.\.\/etc\/passwd" points outside the layer/,
  },
  {
    name: "a hard link to a file that is not in the layer",
    tar: () => buildTar([{ name: "pw", type: "1", linkname: "/etc/passwd" }]),
    message: /hard link "pw" points to "\/etc\/passwd", which is not in the layer/,
  },
  {
    name: "a hard link through a symlinked directory",
    tar: (o) => buildTar([{ name: "l", type: "2", linkname: o }, { name: "pw", type: "1", linkname: "l/target" }]),
    message: /"pw" is under "l", which is a symlink/,
  },
  { name: "a whiteout of ..", tar: () => buildTar([{ name: ".wh..." }]), message: /whiteout of "\.\.", which names no file/ },
  { name: "a whiteout of .", tar: () => buildTar([{ name: "d/", type: "5" }, { name: "d/.wh.." }]), message: /whiteout of "\.", which names no file/ },
  { name: "a NUL byte in a PAX path", tar: () => buildTar([{ name: "x", data: "x", pax: { path: "a\0b" } }]), message: /NUL byte in its name/ },
  { name: "a truncated tar", tar: () => valid.subarray(0, 3000), message: /layer tar is truncated/ },
  { name: "a header with a bad checksum", tar: () => Buffer.concat([Buffer.alloc(1, 1), valid.subarray(1)]), message: /checksum mismatch/ },
  {
    name: "a corrupt gzip stream",
    tar: () => {
      const z = Buffer.from(gzipSync(valid));
      for (let i = 20; i < z.length - 8; i += 7) z[i] ^= 0xa5;
      return z;
    },
    message: /not a valid gzip stream/,
  },
  { name: "a cut-off gzip stream", tar: () => gzipSync(valid).subarray(0, 40), message: /not a valid gzip stream/ },
  {
    name: "a diff id mismatch",
    tar: () => valid,
    expected: () => sha(Buffer.from("something else")),
    message: new RegExp(`diff id mismatch: expected ${sha(Buffer.from("something else"))}, got ${sha(valid)}`),
  },
];

describe.each(["overlay2", "vfs"] as const)("%s driver", (driver) => {
  async function storeWithBase() {
    const root = tmp.make();
    const outside = tmp.make("wharf-outside-");
    const store = await openLayerStore({ dataRoot: root, driver });
    const base = await store.register(chunks(buildTar([{ name: "etc/", type: "5" }, { name: "etc/hostname", data: "base\n" }])), null);
    return { root, outside, store, base };
  }

  test.each(cases)("refuses $name and leaves the store as it was", async (c) => {
    const { root, outside, store, base } = await storeWithBase();
    const passwdLinks = lstatSync("/etc/passwd").nlink;
    const before = listing(root);
    const tar = c.tar(outside);
    const err = await store.register(chunks(tar), base.chainId, c.expected?.(tar)).catch((e) => e);
    expect(err).toMatchObject({ kind: "invalidParameter" });
    expect(err.message).toMatch(c.message);
    expect(listing(root)).toEqual(before);
    expect(readdirSync(outside)).toEqual([]);
    expect(lstatSync("/etc/passwd").nlink).toBe(passwdLinks);
    expect(store.list().map((l) => l.chainId)).toEqual([base.chainId]);
    // The store still works after the failure.
    const ok = await store.register(chunks(valid), base.chainId, sha(valid));
    expect(ok.diffId).toBe(sha(valid));
  });

  test("a symlink in a lower layer is never written through", async () => {
    const { root, outside, store, base } = await storeWithBase();
    const lower = await store.register(chunks(buildTar([{ name: "lnk", type: "2", linkname: outside }])), base.chainId);
    const before = listing(root);
    const upper = buildTar([{ name: "lnk/file", data: "x" }]);
    if (driver === "vfs") {
      // vfs layers are full copies: the lower symlink is in the layer dir itself.
      const err = await store.register(chunks(upper), lower.chainId).catch((e) => e);
      expect(err).toMatchObject({ kind: "invalidParameter", message: expect.stringMatching(/"lnk\/file" is under "lnk", which is a symlink/) });
      expect(listing(root)).toEqual(before);
    } else {
      // overlay2 applies into an empty diff: the entry makes a directory that hides the symlink.
      const l = await store.register(chunks(upper), lower.chainId);
      await store.createRW("c", l.chainId);
      try {
        const m = await store.mountRW("c");
        expect(lstatSync(join(m, "lnk")).isDirectory()).toBe(true);
        expect(existsSync(join(m, "lnk/file"))).toBe(true);
      } finally {
        await store.removeRW("c");
      }
      expect(mountsUnder(root)).toEqual([]);
    }
    expect(readdirSync(outside)).toEqual([]);
  });

  test("absolute names are taken relative to the layer root", async () => {
    const { store, base } = await storeWithBase();
    const entries: TarEntrySpec[] = [{ name: "/etc/abs-ok", data: "inside\n" }];
    const l = await store.register(chunks(buildTar(entries)), base.chainId);
    await store.createRW("c", l.chainId);
    try {
      const m = await store.mountRW("c");
      expect(await Bun.file(join(m, "etc/abs-ok")).text()).toBe("inside\n");
      expect(await Bun.file(join(m, "etc/hostname")).text()).toBe("base\n");
    } finally {
      await store.removeRW("c");
    }
    expect(existsSync("/etc/abs-ok")).toBe(false);
  });

  test("bad arguments are refused before anything is read", async () => {
    const { store, base } = await storeWithBase();
    await expect(store.register(chunks(valid), "sha256:nothex" as Digest)).rejects.toMatchObject({ kind: "invalidParameter", message: expect.stringContaining("parent layer") });
    await expect(store.register(chunks(valid), sha(Buffer.from("no such layer")))).rejects.toMatchObject({ kind: "notFound" });
    await expect(store.register(chunks(valid), base.chainId, "md5:abc" as Digest)).rejects.toMatchObject({ kind: "invalidParameter", message: expect.stringContaining("expected diff id") });
    await expect(store.createRW("../x", base.chainId)).rejects.toMatchObject({ kind: "invalidParameter" });
  });
});
