// The local driver's files: crash-safe create and remove, copy-up fidelity.
import { afterEach, describe, expect, it } from "vitest";
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync, chownSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VolumeStore, validateOptions } from "../../src/volume/store.ts";
import { copyUp, isEmptyDir } from "../../src/volume/copyup.ts";
import { parseMountOptions } from "../../src/volume/devmount.ts";
import { lgetxattr, lsetxattr } from "../../src/sys/libc.ts";

// vfs_cap_data revision 2 with CAP_NET_RAW (13) permitted, as setcap cap_net_raw+p writes.
const capNetRaw = Buffer.from([0, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "wharf-vol-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("VolumeStore", () => {
  it("creates in Docker's layout and reloads what it wrote", () => {
    const root = join(tmp(), "volumes");
    const s = new VolumeStore(root);
    const v = s.create("data", { a: "b" }, { type: "tmpfs", device: "tmpfs" });
    expect(v.Mountpoint).toBe(join(root, "data/_data"));
    expect(existsSync(join(root, "data/opts.json"))).toBe(true);
    const again = new VolumeStore(root);
    expect(again.lookup("data")).toMatchObject({ Name: "data", Labels: { a: "b" }, Options: { type: "tmpfs", device: "tmpfs" }, CreatedAt: v.CreatedAt });
  });

  it("ignores half-made volumes and trash left by a crash; never looks up invalid names", () => {
    const root = join(tmp(), "volumes");
    mkdirSync(join(root, "half"), { recursive: true });
    mkdirSync(join(root, ".trash-old-1234/_data"), { recursive: true });
    writeFileSync(join(root, ".trash-old-1234/_data/f"), "x");
    const s = new VolumeStore(root);
    expect(s.all()).toEqual([]);
    expect(existsSync(join(root, ".trash-old-1234"))).toBe(false);
    expect(s.get("../volumes")).toBeUndefined();
    expect(() => s.lookup("../x")).toThrow("get ../x: no such volume");
    expect(() => s.create("../x", null, null)).toThrow("invalid volume name");
    // A crashed create of the same name is simply made again.
    expect(s.create("half", null, null).Name).toBe("half");
  });

  it("removes a volume's files but not what its symlinks point at", () => {
    const base = tmp();
    const outside = join(base, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep"), "k");
    const s = new VolumeStore(join(base, "volumes"));
    const v = s.create("vol", null, null);
    symlinkSync(outside, join(v.Mountpoint, "link"));
    s.remove(v);
    expect(s.get("vol")).toBeUndefined();
    expect(readdirSync(join(base, "volumes"))).toEqual([]);
    expect(readdirSync(outside)).toEqual(["keep"]);
  });

  it("checks driver options as the local driver does", () => {
    expect(() => validateOptions({ foo: "x" })).toThrow('invalid option: "foo"');
    expect(() => validateOptions({ type: "tmpfs" })).toThrow('missing required option: "device"');
    expect(() => validateOptions({ device: "/x" })).toThrow('missing required option: "type"');
    expect(() => validateOptions({ device: "/x", o: "bind" })).not.toThrow();
    expect(parseMountOptions("rbind,ro,size=1m")).toEqual({ flags: 4096 | 16384 | 1, data: "size=1m" });
  });
});

describe("copy-up", () => {
  it("keeps owners, modes with setuid, symlinks, hard links and times", () => {
    const base = tmp();
    const src = join(base, "src");
    mkdirSync(join(src, "sub"), { recursive: true });
    writeFileSync(join(src, "suid"), "one");
    chownSync(join(src, "suid"), 1000, 1000);
    chmodSync(join(src, "suid"), 0o4755);
    symlinkSync("/etc/passwd", join(src, "abs-link"));
    linkSync(join(src, "suid"), join(src, "hard"));
    writeFileSync(join(src, "sub/f"), "f");
    chownSync(join(src, "sub"), 7, 8);
    chmodSync(join(src, "sub"), 0o750);
    chmodSync(src, 0o1777);
    lsetxattr(join(src, "suid"), "user.note", Buffer.from("kept"));
    lsetxattr(join(src, "suid"), "security.capability", capNetRaw);
    const dst = join(base, "dst");
    mkdirSync(dst);
    expect(isEmptyDir(dst)).toBe(true);
    copyUp(src, dst);
    const st = lstatSync(join(dst, "suid"));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1000, 1000, 0o4755]);
    expect(readlinkSync(join(dst, "abs-link"))).toBe("/etc/passwd");
    expect(lstatSync(join(dst, "hard")).ino).toBe(st.ino);
    const sub = lstatSync(join(dst, "sub"));
    expect([sub.uid, sub.gid, sub.mode & 0o7777]).toEqual([7, 8, 0o750]);
    expect(lstatSync(dst).mode & 0o7777).toBe(0o1777);
    expect(lgetxattr(join(dst, "suid"), "user.note")?.toString()).toBe("kept");
    expect(lgetxattr(join(dst, "suid"), "security.capability")).toEqual(capNetRaw);
    expect(Math.floor(lstatSync(join(dst, "sub/f")).mtimeMs)).toBe(Math.floor(lstatSync(join(src, "sub/f")).mtimeMs));
  });

  it("copies nothing for a missing path or a file", () => {
    const base = tmp();
    mkdirSync(join(base, "dst"));
    writeFileSync(join(base, "file"), "x");
    copyUp(join(base, "missing"), join(base, "dst"));
    copyUp(join(base, "file"), join(base, "dst"));
    expect(readdirSync(join(base, "dst"))).toEqual([]);
  });
});
