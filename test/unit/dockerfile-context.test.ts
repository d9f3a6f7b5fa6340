import { afterEach, describe, expect, it } from "vitest";
import { lstatSync, mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ignored, parseDockerignore } from "../../src/builder/dockerignore.ts";
import { receiveContext } from "../../src/builder/context.ts";
import { applyDockerignore } from "../../src/builder/service.ts";
import { resolveInRoot } from "../../src/builder/scope.ts";
import { matchSources, sourcesDigest } from "../../src/builder/copy.ts";
import { createHash } from "node:crypto";

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
