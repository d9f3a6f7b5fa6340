import { afterEach, describe, expect, it } from "vitest";
import { chmodSync, linkSync, lstatSync, mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ignored, parseDockerignore } from "../../src/builder/dockerignore.ts";
import { receiveContext } from "../../src/builder/context.ts";
import { BlobStore, unshare } from "../../src/builder/blobs.ts";
import { applyDockerignore } from "../../src/builder/service.ts";
import { resolveInRoot } from "../../src/builder/scope.ts";
import { matchSources, sourcesDigest } from "../../src/builder/copy.ts";
import { createHash, randomBytes } from "node:crypto";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "wharf-ctx-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function* chunks(b: Uint8Array) {
  yield b;
}

function tarOf(dir: string, args: string[] = ["."]): Buffer {
  return spawnSync("tar", ["-cf", "-", "-C", dir, ...args]).stdout;
}

describe(".dockerignore rules", () => {
  const rules = parseDockerignore("# comment\n*.log\n!keep.log\n/build\ndocs/**/*.md\n!docs/README.md\n**/tmp\nsub/*/x\n");
  it.each([
    ["a.log", true],
    ["keep.log", false],
    ["dir/a.log", false],
    ["build", true],
    ["build/out/bin", true],
    ["docs/a/b/c.md", true],
    ["docs/c.md", true],
    ["docs/README.md", false],
    ["deep/er/tmp/f", true],
    ["tmp", true],
    ["sub/y/x", true],
    ["sub/y/z/x", false],
    ["src/main.ts", false],
  ])("%s excluded: %s", (p, want) => {
    expect(ignored(rules, p)).toBe(want);
  });
});

describe("build context", () => {
  it("streams a tar to disk, hashing each file, and applies .dockerignore keeping the Dockerfile and exceptions", async () => {
    const src = tmp();
    mkdirSync(join(src, "docs"));
    writeFileSync(join(src, "Dockerfile"), "FROM busybox\n");
    writeFileSync(join(src, ".dockerignore"), "Dockerfile\n*.log\ndocs\n!docs/keep.md\n");
    writeFileSync(join(src, "a.log"), "x");
    writeFileSync(join(src, "app.txt"), "app\n");
    writeFileSync(join(src, "docs/keep.md"), "k");
    writeFileSync(join(src, "docs/drop.md"), "d");
    const dest = join(tmp(), "ctx");
    const ctx = await receiveContext(chunks(tarOf(src)), dest, "Dockerfile");
    expect(ctx.files.get("app.txt")?.sum).toBe(createHash("sha256").update("app\n").digest("hex"));
    applyDockerignore(ctx, "Dockerfile");
    expect(existsSync(join(dest, "Dockerfile"))).toBe(true);
    expect(existsSync(join(dest, "a.log"))).toBe(false);
    expect(existsSync(join(dest, "docs/keep.md"))).toBe(true);
    expect(existsSync(join(dest, "docs/drop.md"))).toBe(false);
    expect([...ctx.files.keys()].sort()).toEqual([".dockerignore", "Dockerfile", "app.txt", "docs", "docs/keep.md"]);
  });

  it("hashes big files as sha256 of their content: sizes across chunk edges, hard links, a name given twice, receives at once", async () => {
    const src = tmp();
    const sizes = [256 << 10, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345, 9 << 20];
    const want = new Map<string, string>();
    sizes.forEach((n, i) => {
      const data = randomBytes(n);
      writeFileSync(join(src, `big${i}.bin`), data);
      want.set(`big${i}.bin`, createHash("sha256").update(data).digest("hex"));
    });
    writeFileSync(join(src, "small"), "s");
    want.set("small", createHash("sha256").update("s").digest("hex"));
    linkSync(join(src, "big4.bin"), join(src, "hard.bin"));
    want.set("hard.bin", want.get("big4.bin")!);
    // Blocking factor 1: the archive ends with just its two zero blocks.
    const tar = spawnSync("tar", ["-cf", "-", "-b", "1", "-C", src, "."], { maxBuffer: 1 << 26 }).stdout;
    expect(tar.length).toBeGreaterThan(15 << 20);
    // The same archive again with big1.bin given a second time (the later copy wins, as tar extracts it).
    const second = randomBytes(2 << 20);
    const src2 = tmp();
    writeFileSync(join(src2, "big1.bin"), second);
    const twice = Buffer.concat([tar.subarray(0, tar.length - 1024), spawnSync("tar", ["-cf", "-", "-b", "1", "-C", src2, "."], { maxBuffer: 1 << 26 }).stdout]);
    // Socket-sized pieces of odd length, so content crosses slot edges mid-chunk.
    async function* pieces(b: Uint8Array) {
      for (let o = 0; o < b.length; o += 40_000) yield b.subarray(o, o + 40_000);
    }
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([receiveContext(pieces(tar), join(tmp(), "a"), "Dockerfile"), receiveContext(pieces(twice), join(tmp(), "b"), "Dockerfile")]);
      for (const [name, sum] of want) expect([name, a.files.get(name)?.sum]).toEqual([name, sum]);
      expect(b.files.get("big1.bin")?.sum).toBe(createHash("sha256").update(second).digest("hex"));
      expect(readFileSync(join(b.root, "big1.bin")).equals(second)).toBe(true);
      expect(b.files.get("big5.bin")?.sum).toBe(want.get("big5.bin"));
      expect(readFileSync(join(a.root, "big5.bin")).length).toBe(9 << 20);
    }
  });

  it("with the store of context files, a file had before is linked, not written: same content and sum, one inode", async () => {
    const store = new BlobStore(join(tmp(), "blobs"));
    const src = tmp();
    const big = randomBytes(3 << 20);
    writeFileSync(join(src, "big.bin"), big);
    writeFileSync(join(src, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    const tar = spawnSync("tar", ["-cf", "-", "-C", src, "."], { maxBuffer: 1 << 26 }).stdout;
    const a = await receiveContext(chunks(tar), join(tmp(), "a"), "Dockerfile", store);
    const b = await receiveContext(chunks(tar), join(tmp(), "b"), "Dockerfile", store);
    expect(b.files.get("big.bin")?.sum).toBe(createHash("sha256").update(big).digest("hex"));
    expect(readFileSync(join(b.root, "big.bin")).equals(big)).toBe(true);
    expect(lstatSync(join(b.root, "big.bin")).ino).toBe(lstatSync(join(a.root, "big.bin")).ino);
    expect(lstatSync(join(b.root, "run.sh")).mode & 0o777).toBe(0o755);
    // The same content under another mode is another file.
    chmodSync(join(src, "run.sh"), 0o644);
    const tar2 = spawnSync("tar", ["-cf", "-", "-C", src, "."], { maxBuffer: 1 << 26 }).stdout;
    const c = await receiveContext(chunks(tar2), join(tmp(), "c"), "Dockerfile", store);
    expect(lstatSync(join(c.root, "run.sh")).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(a.root, "run.sh")).mode & 0o777).toBe(0o755);
    // A file that is made a private copy (a read-write bind) leaves the stored one as it was.
    unshare(join(c.root, "big.bin"));
    writeFileSync(join(c.root, "big.bin"), "changed");
    expect(readFileSync(join(a.root, "big.bin")).equals(big)).toBe(true);
    expect(store.clear()).toBe(0);
  });

  it("takes a bare Dockerfile as the body", async () => {
    const dest = join(tmp(), "ctx");
    const ctx = await receiveContext(chunks(Buffer.from("FROM busybox\nRUN true\n")), dest, "Dockerfile");
    expect(ctx.bareDockerfile).toBe(true);
    expect(readFileSync(join(dest, "Dockerfile"), "utf8")).toBe("FROM busybox\nRUN true\n");
  });

  it("refuses entries that climb out and writes nothing through a link the context made", async () => {
    const src = tmp();
    writeFileSync(join(src, "f"), "x");
    const evil = spawnSync("tar", ["-cf", "-", "-C", src, "--transform", "s,^f$,../../escape,", "f"]).stdout;
    await expect(receiveContext(chunks(evil), join(tmp(), "ctx"), "Dockerfile")).rejects.toThrow(/points outside the context/);
    const outside = tmp();
    const s2 = tmp();
    symlinkSync(outside, join(s2, "link"));
    mkdirSync(join(s2, "real"));
    writeFileSync(join(s2, "real/f"), "x");
    const viaLink = spawnSync("tar", ["-cf", "-", "-C", s2, "link", "--transform", "s,^real,link,", "real/f"]).stdout;
    await expect(receiveContext(chunks(viaLink), join(tmp(), "ctx"), "Dockerfile")).rejects.toThrow(/symlink/);
    expect(existsSync(join(outside, "f"))).toBe(false);
  });

  it("resolves COPY sources in scope: links to / or .. stay in the context", () => {
    const root = tmp();
    mkdirSync(join(root, "d"));
    writeFileSync(join(root, "d/file"), "in");
    symlinkSync("/etc", join(root, "abs"));
    symlinkSync("../../../../etc/passwd", join(root, "up"));
    expect(resolveInRoot(root, "abs/passwd")).toBe("etc/passwd");
    expect(resolveInRoot(root, "up")).toBe("etc/passwd");
    expect(() => matchSources(root, ["up"], "COPY")).toThrow(/file not found in build context/);
    const plan = matchSources(root, ["d/*"], "COPY");
    expect(plan.matched).toEqual(["d/file"]);
    expect(sourcesDigest(root, plan)).toMatch(/^file:[0-9a-f]{64}$/);
    expect(lstatSync(join(root, "abs")).isSymbolicLink()).toBe(true);
  });
});
