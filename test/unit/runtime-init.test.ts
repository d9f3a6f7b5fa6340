// dockerinit's pure parts: capability sets, --user resolution, PATH lookup and the
// environment, --tmpfs options, sysctl and ulimit names.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capabilityMask, capNumber } from "../../src/init/caps.ts";
import { resolveUser } from "../../src/init/user.ts";
import { buildEnv, lookPath } from "../../src/init/exec.ts";
import { tmpfsOptions } from "../../src/init/rootfs.ts";
import { rlimitNumber, sysctlAllowed } from "../../src/init/limits.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wharf-init-unit-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("capabilities", () => {
  test("Docker's default set is a80425fb", () => {
    expect(capabilityMask({}, 40).toString(16)).toBe("a80425fb");
  });
  test("cap-drop ALL then cap-add, cap-drop of one, privileged", () => {
    expect(capabilityMask({ capDrop: ["ALL"], capAdd: ["NET_RAW"] }, 40)).toBe(1n << 13n);
    expect(capabilityMask({ capDrop: ["CAP_NET_RAW"] }, 40)).toBe(0xa80425fbn & ~(1n << 13n));
    expect(capabilityMask({ capAdd: ["ALL"] }, 40)).toBe((1n << 41n) - 1n);
    expect(capabilityMask({ privileged: true, capDrop: ["ALL"] }, 37)).toBe((1n << 38n) - 1n);
  });
  test("an unknown capability is an invalid parameter naming it", () => {
    expect(() => capNumber("FLY")).toThrow("invalid capability: FLY");
  });
});

describe("--user", () => {
  beforeEach(() => {
    writeFileSync(join(dir, "passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
    writeFileSync(join(dir, "group"), "root:x:0:\nwheel:x:10:root\napp:x:1000:\naudio:x:29:app\nvideo:x:44:\n");
  });
  test("empty means root with root's supplementary groups", () => {
    expect(resolveUser(undefined, [], dir)).toEqual({ uid: 0, gid: 0, groups: [0, 10], home: "/root" });
  });
  test("a name, with its groups from /etc/group and --group-add", () => {
    expect(resolveUser("app", ["video", "123"], dir)).toEqual({ uid: 1000, gid: 1000, groups: [1000, 29, 44, 123], home: "/home/app" });
  });
  test("uid:gid not in the files, and name:group", () => {
    expect(resolveUser("4242:4343", [], dir)).toEqual({ uid: 4242, gid: 4343, groups: [4343], home: "/" });
    expect(resolveUser("app:video", [], dir)).toEqual({ uid: 1000, gid: 44, groups: [44], home: "/home/app" });
  });
  test("unknown names fail with Docker's words", () => {
    expect(() => resolveUser("ghost", [], dir)).toThrow("unable to find user ghost: no matching entries in passwd file");
    expect(() => resolveUser("app:ghosts", [], dir)).toThrow("unable to find group ghosts: no matching entries in group file");
  });
});

describe("exec lookup and environment", () => {
  test("PATH search finds executables, reports 126 and 127 as Docker does", () => {
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin/tool"), "#!/bin/sh\n");
    chmodSync(join(dir, "bin/tool"), 0o755);
    writeFileSync(join(dir, "bin/data"), "x");
    chmodSync(join(dir, "bin/data"), 0o644);
    expect(lookPath("tool", `/nonexistent:${dir}/bin`)).toBe(`${dir}/bin/tool`);
    expect(() => lookPath("data", `${dir}/bin`)).toThrow(expect.objectContaining({ exitCode: 126 }));
    expect(() => lookPath("nosuchcmd", `${dir}/bin`)).toThrow('exec: "nosuchcmd": executable file not found in $PATH');
    expect(() => lookPath(`${dir}/bin/missing`, "")).toThrow(expect.objectContaining({ exitCode: 127 }));
  });
  test("PATH, HOSTNAME and HOME are added only when missing", () => {
    expect(buildEnv(["A=1"], "h1", "/root", "/bin")).toEqual(["PATH=/bin", "A=1", "HOSTNAME=h1", "HOME=/root"]);
    expect(buildEnv(["PATH=/x", "HOME=/y", "HOSTNAME=z"], "h1", "/root", "/bin")).toEqual(["PATH=/x", "HOME=/y", "HOSTNAME=z"]);
  });
});

describe("limits and mounts", () => {
  test("--tmpfs options become flags and data", () => {
    expect(tmpfsOptions("rw,exec,size=64m,mode=1777")).toEqual({ flags: 2 | 4, data: "size=64m,mode=1777" });
    expect(tmpfsOptions("")).toEqual({ flags: 2 | 4 | 8, data: "" });
    expect(tmpfsOptions("ro").flags & 1).toBe(1);
  });
  test("only namespaced sysctls; net.* not with the host's network", () => {
    expect(sysctlAllowed("kernel.shmmax", false)).toBe(true);
    expect(sysctlAllowed("fs.mqueue.msg_max", false)).toBe(true);
    expect(sysctlAllowed("net.ipv4.ip_forward", false)).toBe(true);
    expect(sysctlAllowed("net.ipv4.ip_forward", true)).toBe(false);
    expect(sysctlAllowed("kernel.panic", false)).toBe(false);
  });
  test("ulimit names", () => {
    expect(rlimitNumber("nofile")).toBe(7);
    expect(() => rlimitNumber("bogus")).toThrow("invalid ulimit type: bogus");
  });
});

describe("paths inside the rootfs", () => {
  test("symlinks resolve inside the rootfs, never out of it", async () => {
    const { inRoot } = await import("../../src/init/rootfs.ts");
    const { symlinkSync } = await import("node:fs");
    mkdirSync(join(dir, "etc"));
    mkdirSync(join(dir, "real"));
    symlinkSync("/real", join(dir, "etc/abs")); // absolute: relative to the rootfs
    symlinkSync("../../../../etc", join(dir, "up")); // climbs no higher than the top
    symlinkSync("loop", join(dir, "loop"));
    expect(inRoot(dir, "/etc/abs/x")).toBe(join(dir, "real/x"));
    expect(inRoot(dir, "/up/passwd")).toBe(join(dir, "etc/passwd"));
    expect(inRoot(dir, "/../../etc/hosts")).toBe(join(dir, "etc/hosts"));
    expect(inRoot(dir, "/new/dir")).toBe(join(dir, "new/dir"));
    expect(() => inRoot(dir, "/loop/x")).toThrow("too many levels of symbolic links");
  });
});
