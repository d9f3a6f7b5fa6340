// Device access on the unified (cgroup2) tree: wharf's BPF_PROG_TYPE_CGROUP_DEVICE
// program, first against the kernel directly (a shell in a cgroup2 directory with the
// program attached), then on real containers.
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

  test("a privileged container gets no device program", () => {
    expect(docker(d, ["run", "-d", "--privileged", "--name", "dev-priv", "busybox", "sleep", "300"]).code).toBe(0);
    expect(attachedDeviceFilters(unifiedDirOf("dev-priv"))).toBe(0);
    docker(d, ["rm", "-f", "dev-priv"]);
  });
});
