// Device access on the unified (cgroup2) tree: wharf's BPF_PROG_TYPE_CGROUP_DEVICE
// program, first against the kernel directly (a shell in a cgroup2 directory with the
// program attached), then on real containers, with --device and --device-cgroup-rule.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { attachDeviceFilter, attachedDeviceFilters, defaultDeviceRules } from "../../src/runtime/devicefilter.ts";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

/** Where cgroup2 is mounted: /sys/fs/cgroup itself, or unified/ beside v1. */
function cgroup2Root(): string {
  const m = readFileSync("/proc/self/mounts", "utf8").split("\n").map((l) => l.split(" ")).find((f) => f[2] === "cgroup2");
  if (!m) throw new Error("no cgroup2 mount on this host (expected /sys/fs/cgroup/unified or /sys/fs/cgroup)");
  return m[1]!;
}

/** The host's first disk, as /proc/partitions has it. */
function hostDisk(): { name: string; major: number; minor: number } {
  const line = readFileSync("/proc/partitions", "utf8").split("\n").map((l) => l.trim().split(/\s+/)).find((f) => /^\d+$/.test(f[0] ?? "") && !/^(loop|ram)/.test(f[3] ?? ""));
  if (!line) throw new Error("no disk in /proc/partitions");
  return { name: line[3]!, major: Number(line[0]), minor: Number(line[1]) };
}

describe("the device program against the kernel", () => {
  const dir = join(cgroup2Root(), `wharf-devtest-${process.pid}`);
  const work = `/tmp/wharf-devtest-${process.pid}`;
  beforeAll(() => {
    mkdirSync(dir);
    mkdirSync(work, { recursive: true });
    attachDeviceFilter(dir, defaultDeviceRules);
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    if (existsSync(dir)) rmdirSync(dir);
  });

  const inCgroup = (script: string) => spawnSync("sh", ["-c", `echo $$ > ${dir}/cgroup.procs && ${script}`], { encoding: "utf8" });

  test("it is attached to the directory", () => {
    expect(attachedDeviceFilters(dir)).toBe(1);
  });

  test("mknod of the host's disk succeeds, opening it fails; /dev/null and /dev/zero work", () => {
    const disk = hostDisk();
    const node = join(work, disk.name);
    const r = inCgroup(`mknod ${node} b ${disk.major} ${disk.minor} && echo made; head -c1 ${node} >/dev/null 2>&1 && echo opened || echo refused; head -c1 /dev/zero | wc -c; echo > /dev/null && echo null`);
    expect(r.stdout.split("\n")).toEqual(["made", "refused", "1", "null", ""]);
  });

  test("a block device the host itself can open (loop0) is refused only inside the cgroup", () => {
    const node = join(work, "loop0");
    expect(spawnSync("mknod", [node, "b", "7", "0"]).status).toBe(0);
    const outside = spawnSync("sh", ["-c", `head -c0 ${node} && echo opened`], { encoding: "utf8" });
    expect(outside.stdout.trim()).toBe("opened");
    const inside = inCgroup(`head -c0 ${node} && echo opened || echo refused`);
    expect(inside.stdout.trim()).toBe("refused");
  });
});

describe("the device program with a --device rule, against the kernel alone", () => {
  // Only the BPF program decides here (a cgroup2 directory, no v1 devices controller).
  const dir = join(cgroup2Root(), `wharf-devtest-extra-${process.pid}`);
  const work = `/tmp/wharf-devtest-extra-${process.pid}`;
  beforeAll(() => {
    mkdirSync(dir);
    mkdirSync(work, { recursive: true });
    attachDeviceFilter(dir, [...defaultDeviceRules, { type: "b", major: 7, minor: 0, access: "r" }]);
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    if (existsSync(dir)) rmdirSync(dir);
  });

  test("b 7:0 r: loop0 opens for reading, not for writing; loop1 does not open", () => {
    for (const [n, minor] of [["l0", 0], ["l1", 1]] as const) expect(spawnSync("mknod", [join(work, n), "b", "7", String(minor)]).status).toBe(0);
    const r = spawnSync("sh", ["-c", `echo $$ > ${dir}/cgroup.procs && { head -c0 ${work}/l0 && echo read; (: > ${work}/l0) 2>/dev/null && echo written || echo write-refused; head -c0 ${work}/l1 2>/dev/null && echo l1-read || echo l1-refused; }`], { encoding: "utf8" });
    expect(r.stdout.split("\n").filter(Boolean)).toEqual(["read", "write-refused", "l1-refused"]);
  });
});

describe("containers", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => removeAllAndCleanup(d));

  const unifiedDirOf = (name: string) => {
    const pid = docker(d, ["inspect", "-f", "{{.State.Pid}}", name]).stdout.trim();
    const line = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n").find((l) => l.startsWith("0::"))!;
    return join(cgroup2Root(), line.slice(3));
  };

  test("a default container's cgroup2 directory carries the program; mknod of the host disk works, open does not", () => {
    const disk = hostDisk();
    expect(docker(d, ["run", "-d", "--name", "dev-default", "busybox", "sleep", "300"]).code).toBe(0);
    const dir = unifiedDirOf("dev-default");
    expect(dir).toContain(docker(d, ["inspect", "-f", "{{.Id}}", "dev-default"]).stdout.trim());
    expect(attachedDeviceFilters(dir)).toBe(1);
    const r = docker(d, ["exec", "dev-default", "sh", "-c", `mknod /disk b ${disk.major} ${disk.minor} && echo made; head -c1 /disk >/dev/null 2>&1 && echo opened || echo refused`]);
    expect(r.stdout.split("\n")).toEqual(["made", "refused", ""]);
    docker(d, ["rm", "-f", "dev-default"]);
  });

  test("--device /dev/loop0 is openable at its container path; the next loop device, mknod'ed, is not; --device-cgroup-rule allows it", () => {
    // Opening a loop device with no file behind it works (reads give nothing): a device
    // a test can open freely, that no default rule allows.
    const open = (name: string, extra: string[], script: string) => {
      const r = docker(d, ["run", "--rm", "--name", name, ...extra, "busybox", "sh", "-c", script]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split("\n").filter(Boolean);
    };
    const probe = (p: string) => `head -c0 ${p} 2>/dev/null && echo ${p}:opened || echo ${p}:refused`;
    const both = `${probe("/dev/xloop")}; mknod /l1 b 7 1; ${probe("/l1")}; ls -l /dev/xloop | cut -c1`;
    expect(open("dev-map", ["--device", "/dev/loop0:/dev/xloop"], both)).toEqual(["/dev/xloop:opened", "/l1:refused", "b"]);
    expect(open("dev-rule", ["--device", "/dev/loop0:/dev/xloop", "--device-cgroup-rule", "b 7:1 r"], both)).toEqual(["/dev/xloop:opened", "/l1:opened", "b"]);
    // Without either, neither opens (the default rules only).
    expect(open("dev-none", [], `mknod /dev/xloop b 7 0; ${probe("/dev/xloop")}`)).toEqual(["/dev/xloop:refused"]);
    // Permissions narrower than rwm hold: read only refuses a write open.
    expect(open("dev-ro", ["--device", "/dev/loop0:/dev/xloop:r"], `${probe("/dev/xloop")}; (: > /dev/xloop) 2>/dev/null && echo written || echo write-refused`)).toEqual(["/dev/xloop:opened", "write-refused"]);
  });

  test("a --device that is not there, or not a device, is refused with dockerd's message and the container is not started", () => {
    const r = docker(d, ["run", "--rm", "--device", "/dev/nope-wharf", "busybox", "true"]);
    expect(r.code).toBe(127); // the CLI's code for any "no such file or directory", as with dockerd
    expect(r.stderr).toContain('error gathering device information while adding custom device "/dev/nope-wharf": no such file or directory');
    const f = docker(d, ["run", "--rm", "--device", "/etc/hostname", "busybox", "true"]);
    expect(f.code).toBe(125);
    expect(f.stderr).toContain('error gathering device information while adding custom device "/etc/hostname": not a device node');
    const rule = docker(d, ["run", "--rm", "--device-cgroup-rule", "x 1:2 rwm", "busybox", "true"]);
    expect(rule.code).not.toBe(0);
    expect(rule.stderr).toContain("x 1:2 rwm");
    expect(docker(d, ["ps", "-q"]).stdout.trim(), "nothing runs").toBe("");
  });

  test("a privileged container gets no device program", () => {
    expect(docker(d, ["run", "-d", "--privileged", "--name", "dev-priv", "busybox", "sleep", "300"]).code).toBe(0);
    expect(attachedDeviceFilters(unifiedDirOf("dev-priv"))).toBe(0);
    docker(d, ["rm", "-f", "dev-priv"]);
  });
});
