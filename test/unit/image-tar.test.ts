// The streaming tar reader against archives GNU tar writes (ustar, GNU long names, PAX)
// and against broken input; and the header writer against GNU tar.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { readTar } from "../../src/image/tar.ts";
import { chunked, makeTar } from "../helpers/archives.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wharf-tar-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function entries(b: Uint8Array, chunk = 1000) {
  const out: { name: string; type: string; linkname: string; data: string }[] = [];
  for await (const e of readTar(chunked(b, chunk))) {
    let data = "";
    if (e.name.endsWith("big.bin")) {
      let n = 0;
      for await (const c of e.body()) n += c.length;
      data = `${n} bytes`;
    } else if (!e.name.endsWith("skip.txt")) for await (const c of e.body()) data += Buffer.from(c).toString();
    out.push({ name: e.name, type: e.type, linkname: e.linkname, data });
  }
  return out;
}

function gnuTar(format: string): Buffer {
  const src = join(dir, "src");
  const long = "d".repeat(120);
  mkdirSync(join(src, long), { recursive: true });
  writeFileSync(join(src, long, "f.txt"), "long name\n");
  writeFileSync(join(src, "skip.txt"), "x".repeat(3000));
  writeFileSync(join(src, "big.bin"), Buffer.alloc(70_000, 7));
  symlinkSync(`${long}/f.txt`, join(src, "link"));
  const out = join(dir, `${format}.tar`);
  const r = spawnSync("tar", [`--format=${format}`, "--sort=name", "-cf", out, "-C", src, "."]);
  expect(r.status).toBe(0);
  return readFileSync(out);
}

describe("tar reader", () => {
  it.each(["gnu", "pax"])("reads GNU tar's %s format with long names, links, skipped and big bodies", async (format) => {
    const got = await entries(gnuTar(format), 777);
    const long = "d".repeat(120);
    expect(got.map((e) => [e.name, e.type])).toEqual([
      ["./", "dir"], ["./big.bin", "file"], [`./${long}/`, "dir"], [`./${long}/f.txt`, "file"], ["./link", "symlink"], ["./skip.txt", "file"],
    ]);
    expect(got[1]!.data).toBe("70000 bytes");
    expect(got[3]!.data).toBe("long name\n");
    expect(got[4]!.linkname).toBe(`${long}/f.txt`);
  });

  it("what the writer makes, GNU tar reads", async () => {
    const file = join(dir, "w.tar");
    writeFileSync(file, makeTar([{ name: "a/", dir: true }, { name: "a/b.txt", data: "bee" }, { name: "l", symlink: "a/b.txt" }]));
    const r = spawnSync("tar", ["-tvf", file], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/a\/b\.txt/);
    expect(r.stdout).toMatch(/l -> a\/b\.txt/);
    expect(await entries(readFileSync(file), 5)).toEqual([
      { name: "a/", type: "dir", linkname: "", data: "" },
      { name: "a/b.txt", type: "file", linkname: "", data: "bee" },
      { name: "l", type: "symlink", linkname: "a/b.txt", data: "" },
    ]);
  });

  it("truncated, corrupt and empty input are refused with what is wrong", async () => {
    const t = makeTar([{ name: "a.txt", data: "x".repeat(2000) }]);
    await expect(entries(t.subarray(0, 1024))).rejects.toThrow("invalid archive: unexpected end of data (the archive is truncated)");
    await expect(entries(t.subarray(0, 100))).rejects.toThrow("invalid archive: not a tar archive (shorter than one tar header)");
    const bad = Buffer.from(t);
    bad[10] = 0x41;
    await expect(entries(bad)).rejects.toThrow("invalid archive: a tar header has a bad checksum (not a tar file, or corrupt)");
    // Ending without the two zero blocks is accepted, as GNU tar does, when the last entry is whole.
    expect((await entries(t.subarray(0, 512 + 2048))).map((e) => e.name)).toEqual(["a.txt"]);
  });
});
