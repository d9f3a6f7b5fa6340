// Path resolution in a container's root, the tar writer and extractor, changes, top's
// ps parsing, the stats CLI's arithmetic and log configuration.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { utimesSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, linkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { containerAbsPath, goFileMode, resolveInScope, resolvePath } from "../../src/archive/scope.ts";
import { archive, treeEntries } from "../../src/archive/tarwriter.ts";
import { extractInto } from "../../src/archive/extract.ts";
import { changesTar, compareChanges, overlayChanges } from "../../src/archive/changes.ts";
import { parsePs } from "../../src/daemon/containers/top.ts";
import { statsRow, bytesSize } from "../../src/cli/commands/stats.ts";
import { splitCpArg } from "../../src/cli/commands/cp.ts";
import { portLines, splitRepoTag } from "../../src/cli/commands/container-io.ts";
import { validateLogConfig, fromHumanSize } from "../../src/logs/config.ts";
import { mknod } from "../../src/sys/libc.ts";
import { parseBlkioV1, parseIoStatV2 } from "../../src/runtime/cgroups.ts";

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function* once(b: Buffer) {
  yield new Uint8Array(b);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wharf-archive-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("paths in a container's root", () => {
  it("symlinks to /, ../.. and absolute targets resolve inside the root", () => {
    const root = join(dir, "root");
    mkdirSync(join(root, "etc"), { recursive: true });
    symlinkSync("/", join(root, "rootlink"));
    symlinkSync("../../../../..", join(root, "up"));
    symlinkSync("/etc", join(root, "etclink"));
    symlinkSync("loop2", join(root, "loop1"));
    symlinkSync("loop1", join(root, "loop2"));
    expect(resolveInScope(root, "/rootlink/etc")).toBe(`${root}/etc`);
    expect(resolveInScope(root, "/up/up/etc/passwd")).toBe(`${root}/etc/passwd`);
    expect(resolveInScope(root, "/etclink/../..")).toBe(root);
    expect(resolveInScope(root, "/../../..")).toBe(root);
    expect(() => resolveInScope(root, "/loop1")).toThrow(/too many links/);
  });

  it("keeps the last element unresolved unless the path ends in / or /.", () => {
    const root = join(dir, "root");
    mkdirSync(join(root, "d"), { recursive: true });
    symlinkSync("/d", join(root, "l"));
    expect(resolvePath(root, "l").resolved).toBe(`${root}/l`);
    expect(resolvePath(root, "/l/").resolved).toBe(`${root}/d/`);
    expect(resolvePath(root, "/l/.").resolved).toBe(`${root}/d/.`);
    expect(containerAbsPath("a/../b/./")).toBe("/b/");
    expect(containerAbsPath("/x/.")).toBe("/x/.");
    expect(containerAbsPath("/")).toBe("/");
  });

  it("stat modes carry Go's FileMode bits", () => {
    writeFileSync(join(dir, "f"), "x", { mode: 0o644 });
    symlinkSync("f", join(dir, "l"));
    expect(goFileMode(lstatSync(dir)) >>> 0).toBe((2 ** 31 + (lstatSync(dir).mode & 0o777)) >>> 0);
    expect(goFileMode(lstatSync(join(dir, "f")))).toBe(0o644);
    expect(goFileMode(lstatSync(join(dir, "l")))).toBe(2 ** 27 + 0o777);
  });
});

describe("tar writer and extractor", () => {
  it("writes what GNU tar reads back: long names, symlinks, hard links, devices", async () => {
    const src = join(dir, "src");
    const long = "n".repeat(120);
    mkdirSync(join(src, long, "deep"), { recursive: true });
    writeFileSync(join(src, long, "deep", "file"), "content\n");
    writeFileSync(join(src, "a"), "A");
    linkSync(join(src, "a"), join(src, "b"));
    symlinkSync("a".repeat(150), join(src, "longlink"));
    mknod(join(src, "null"), 0o020000 | 0o666, 1, 3);
    const tar = await collect(archive(treeEntries(src, "src")));
    const out = join(dir, "out");
    mkdirSync(out);
    const r = spawnSync("tar", ["-x", "-C", out], { input: tar });
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(readFileSync(join(out, "src", long, "deep", "file"), "utf8")).toBe("content\n");
    expect(lstatSync(join(out, "src/a")).ino).toBe(lstatSync(join(out, "src/b")).ino);
    expect(readlinkSync(join(out, "src/longlink"))).toBe("a".repeat(150));
    const st = lstatSync(join(out, "src/null"));
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(lstatSync("/dev/null").rdev);
  });

  it("extracts PAX archives: long names, long link targets, big ids", async () => {
    const src = join(dir, "pax");
    const long = "p".repeat(130);
    mkdirSync(join(src, long), { recursive: true });
    writeFileSync(join(src, long, "f"), "pax\n");
    symlinkSync("t".repeat(140), join(src, "ln"));
    const tar = spawnSync("tar", ["-c", "--format=pax", "--owner=3000000", "--group=3000001", "--numeric-owner", "-C", src, long, "ln"]).stdout;
    const dest = join(dir, "pdest");
    mkdirSync(dest);
    await extractInto(dest, once(tar), { noOverwriteDirNonDir: true });
    expect(readFileSync(join(dest, long, "f"), "utf8")).toBe("pax\n");
    expect(lstatSync(join(dest, long, "f")).uid).toBe(3_000_000);
    expect(readlinkSync(join(dest, "ln"))).toBe("t".repeat(140));
  });

  it("extracts into the destination and refuses entries that climb out or go through a symlink", async () => {
    const dest = join(dir, "dest");
    mkdirSync(dest);
    writeFileSync(join(dir, "payload"), "p");
    const good = spawnSync("tar", ["-c", "-C", dir, "payload"]).stdout;
    await extractInto(dest, once(good), { noOverwriteDirNonDir: true });
    expect(readFileSync(join(dest, "payload"), "utf8")).toBe("p");
    const evil = spawnSync("tar", ["-c", "-P", "--transform", "s,^,../,", "-C", dir, "payload"]).stdout;
    await expect(extractInto(join(dest), once(evil), { noOverwriteDirNonDir: true })).rejects.toThrow(/outside/);
    symlinkSync("/", join(dest, "out"));
    const through = spawnSync("tar", ["-c", "--transform", "s,^,out/tmp/,", "-C", dir, "payload"]).stdout;
    await expect(extractInto(dest, once(through), { noOverwriteDirNonDir: true })).rejects.toThrow(/symlink/);
    mkdirSync(join(dest, "payload-dir"));
    const clash = spawnSync("tar", ["-c", "--transform", "s,^payload$,payload-dir,", "-C", dir, "payload"]).stdout;
    await expect(extractInto(dest, once(clash), { noOverwriteDirNonDir: true })).rejects.toThrow(/cannot overwrite directory/);
  });
});

describe("changes", () => {
  it("overlay: whiteouts are deletions, lower paths are changes, the rest additions; the tar has .wh. files", async () => {
    const lower = join(dir, "lower");
    const upper = join(dir, "upper");
    mkdirSync(join(lower, "etc"), { recursive: true });
    writeFileSync(join(lower, "etc/passwd"), "x");
    writeFileSync(join(lower, "etc/group"), "x");
    mkdirSync(join(upper, "etc"), { recursive: true });
    writeFileSync(join(upper, "etc/passwd"), "y");
    mknod(join(upper, "etc/group"), 0o020000, 0, 0);
    mkdirSync(join(upper, "new/in"), { recursive: true });
    const ch = overlayChanges(upper, [lower]);
    expect(ch).toEqual([
      { Path: "/etc", Kind: 0 },
      { Path: "/etc/group", Kind: 2 },
      { Path: "/etc/passwd", Kind: 0 },
      { Path: "/new", Kind: 1 },
      { Path: "/new/in", Kind: 1 },
    ]);
    const tar = await collect(archive(changesTar(upper, ch)));
    const names = spawnSync("tar", ["-t"], { input: tar }).stdout.toString().trim().split("\n");
    expect(names).toEqual(["etc/", "etc/.wh.group", "etc/passwd", "new/", "new/in/"]);
  });

  it("vfs: comparing with the image root finds A, C and D, with changed parents", () => {
    const base = join(dir, "base");
    const rw = join(dir, "rw");
    for (const r of [base, rw]) {
      mkdirSync(join(r, "etc"), { recursive: true });
      writeFileSync(join(r, "etc/hosts"), "same");
      utimesSync(join(r, "etc/hosts"), 1_600_000_000, 1_600_000_000);
    }
    writeFileSync(join(base, "gone"), "x");
    writeFileSync(join(rw, "etc/new"), "n");
    expect(compareChanges(rw, base)).toEqual([
      { Path: "/etc", Kind: 0 },
      { Path: "/etc/new", Kind: 1 },
      { Path: "/gone", Kind: 2 },
    ]);
  });
});

describe("top, stats and cp client helpers", () => {
  it("parses ps output like Docker: rows of our pids, the last column joined", () => {
    const out = "UID PID PPID C STIME TTY TIME CMD\nroot 10 1 0 10:00 ? 00:00:00 sleep 300\nroot 11 1 0 10:00 ? 00:00:00 other thing\n";
    expect(parsePs(out, [10])).toEqual({ Titles: ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], Processes: [["root", "10", "1", "0", "10:00", "?", "00:00:00", "sleep 300"]] });
    expect(() => parsePs("USER COMMAND\nroot x\n", [1])).toThrow("Couldn't find PID field in ps output");
  });

  it("computes CPU %, memory without inactive cache, and sizes as the docker CLI", () => {
    const s = {
      read: "2026-01-01T00:00:01Z", id: "a".repeat(64), name: "/web",
      cpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000 },
      memory_stats: { usage: 10 * 1024 * 1024, limit: 64 * 1024 * 1024, stats: { total_inactive_file: 2 * 1024 * 1024 } },
      networks: { eth0: { rx_bytes: 1500, tx_bytes: 0 } },
      pids_stats: { current: 3 },
    };
    expect(statsRow(s, "web", false)).toEqual({
      ID: "aaaaaaaaaaaa", Container: "web", Name: "web", CPUPerc: "20.00%", MemUsage: "8MiB / 64MiB", MemPerc: "12.50%",
      NetIO: "1.5kB / 0B", BlockIO: "0B / 0B", PIDs: "3",
    });
    expect(bytesSize(1536)).toBe("1.5KiB");
    expect(splitCpArg("c:/x")).toEqual({ container: "c", path: "/x" });
    expect(splitCpArg("./c:x")).toEqual({ path: "./c:x" });
    expect(splitCpArg("-")).toEqual({ path: "-" });
  });

  it("port prints each binding as docker port does, IPv6 in brackets", () => {
    expect(portLines({ "8080/tcp": [{ HostIp: "0.0.0.0", HostPort: "18080" }, { HostIp: "::", HostPort: "18080" }], "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }], "9/tcp": null })).toEqual([
      "53/udp -> 127.0.0.1:5353\n",
      "8080/tcp -> 0.0.0.0:18080\n",
      "8080/tcp -> [::]:18080\n",
    ]);
    expect(splitRepoTag("localhost:5000/img:v1")).toEqual({ repo: "localhost:5000/img", tag: "v1" });
    expect(splitRepoTag("localhost:5000/img")).toEqual({ repo: "localhost:5000/img" });
  });

  it("block I/O counters parse from cgroup v1 and v2 files", () => {
    expect(parseBlkioV1("8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n")).toEqual([
      { major: 8, minor: 0, op: "Read", value: 4096 },
      { major: 8, minor: 0, op: "Write", value: 512 },
      { major: 8, minor: 0, op: "Total", value: 4608 },
    ]);
    const v2 = parseIoStatV2("259:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");
    expect(v2.serviceBytes).toEqual([{ major: 259, minor: 0, op: "read", value: 100 }, { major: 259, minor: 0, op: "write", value: 200 }]);
    expect(v2.serviced[1]).toEqual({ major: 259, minor: 0, op: "write", value: 2 });
    const row = statsRow({ read: "2026-01-01T00:00:00Z", id: "b".repeat(64), name: "/x", blkio_stats: { io_service_bytes_recursive: [{ op: "Read", value: 2_000_000 }, { op: "Write", value: 1000 }] } }, "x", true);
    expect(row.BlockIO).toBe("2MB / 1kB");
  });

  it("log config: Docker's messages for unknown drivers and options", () => {
    expect(() => validateLogConfig({ Type: "syslogx" })).toThrow("logger: no log driver named 'syslogx' is registered");
    expect(() => validateLogConfig({ Type: "json-file", Config: { "max-sise": "1m" } })).toThrow("unknown log opt 'max-sise' for json-file log driver");
    expect(() => validateLogConfig({ Type: "json-file", Config: { "max-file": "0" } })).toThrow("max-file cannot be less than 1");
    expect(() => validateLogConfig({ Type: "json-file", Config: { "max-file": "3", compress: "true" } })).toThrow("compress cannot be true when max-file is less than 2 or max-size is not set");
    expect(() => validateLogConfig({ Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } })).not.toThrow();
    expect(fromHumanSize("10k")).toBe(10_000);
    expect(fromHumanSize("1.5m")).toBe(1_500_000);
    expect(existsSync(dir)).toBe(true);
  });
});
