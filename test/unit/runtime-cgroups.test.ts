// Cgroup drivers against a directory laid out like the kernel's files (this host has
// no v2 controllers to test on for real; v1 runs for real in test/e2e/runtime.test.ts),
// plus the json-file writer and the Docker-style limit arithmetic.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cgroupDriver, cpuQuota, memorySwap } from "../../src/runtime/cgroups.ts";
import { JsonLogWriter } from "../../src/runtime/jsonlog.ts";
import { nowNano } from "../../src/time.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "wharf-cg-unit-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A fake v2 tree: mkdir does not make the interface files, so the test makes them. */
function fakeV2Cgroup(path: string): void {
  mkdirSync(path, { recursive: true });
  for (const f of ["cgroup.procs", "memory.max", "memory.low", "memory.swap.max", "cpu.max", "cpu.weight", "cpuset.cpus", "pids.max", "cgroup.freeze"]) {
    writeFileSync(join(path, f), "");
  }
  writeFileSync(join(path, "cgroup.controllers"), "cpuset cpu io memory pids\n");
  writeFileSync(join(path, "cgroup.subtree_control"), "");
  writeFileSync(join(path, "memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
}

describe("limits as Docker computes them", () => {
  test("--cpus to a CFS quota, explicit quota kept", () => {
    expect(cpuQuota({ nanoCpus: 1_500_000_000 })).toEqual({ quota: 150_000, period: 100_000 });
    expect(cpuQuota({ cpuQuota: 20_000, cpuPeriod: 50_000 })).toEqual({ quota: 20_000, period: 50_000 });
    expect(cpuQuota({})).toBeUndefined();
  });
  test("memory-swap defaults to twice the memory; -1 is unlimited", () => {
    expect(memorySwap({ memory: 100 })).toBe(200);
    expect(memorySwap({ memory: 100, memorySwap: -1 })).toBe(-1);
    expect(memorySwap({ memory: 100, memorySwap: 300 })).toBe(300);
    expect(memorySwap({})).toBeUndefined();
  });
});

describe("cgroup v2 driver", () => {
  test("a v2 root is detected; limits land in the v2 files; OOM from memory.events", () => {
    fakeV2Cgroup(root);
    fakeV2Cgroup(join(root, "wharf-unit"));
    fakeV2Cgroup(join(root, "wharf-unit", "c1"));
    const cg = cgroupDriver({ root, parent: "wharf-unit" });
    expect(cg.version).toBe(2);
    const procs = cg.create("c1", { memory: 64 << 20, memorySwap: 96 << 20, nanoCpus: 500_000_000, cpuShares: 512, pidsLimit: 10, cpusetCpus: "0" });
    expect(procs).toEqual([join(root, "wharf-unit", "c1", "cgroup.procs")]);
    const read = (f: string) => readFileSync(join(root, "wharf-unit", "c1", f), "utf8");
    expect(read("memory.max")).toBe(String(64 << 20));
    expect(read("memory.swap.max")).toBe(String(32 << 20));
    expect(read("cpu.max")).toBe("50000 100000");
    expect(read("cpu.weight")).toBe(String(1 + Math.floor(((512 - 2) * 9999) / 262142)));
    expect(read("pids.max")).toBe("10");
    expect(read("cpuset.cpus")).toBe("0");
    expect(readFileSync(join(root, "cgroup.subtree_control"), "utf8")).toBe("+cpuset +cpu +io +memory +pids");
    expect(cg.oomKilled("c1")).toBe(true);
    cg.update("c1", { pidsLimit: 0 });
    expect(read("pids.max")).toBe("max");
  });

  test("a bad parent name is refused with the name in the message", () => {
    expect(() => cgroupDriver({ root, parent: "../escape" })).toThrow('invalid cgroup parent "../escape"');
    expect(() => cgroupDriver({ root, parent: "/abs" })).toThrow("invalid cgroup parent");
  });
});

describe("json-file writer", () => {
  test("lines cut at newlines, a partial last line kept, streams tagged, times in RFC 3339 nanoseconds", async () => {
    const path = join(root, "c-json.log");
    const w = new JsonLogWriter(path);
    const src = (chunks: string[]) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (const x of chunks) c.enqueue(new TextEncoder().encode(x));
          c.close();
        },
      });
    await w.pump(src(["hel", "lo\nwor", "ld\n", "tail"]), "stdout");
    await w.pump(src(["oops\n"]), "stderr");
    w.close();
    const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.log, l.stream])).toEqual([
      ["hello\n", "stdout"],
      ["world\n", "stdout"],
      ["tail", "stdout"],
      ["oops\n", "stderr"],
    ]);
    for (const l of lines) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(Math.abs(Date.parse(nowNano()) - Date.now())).toBeLessThan(1000);
  });

  test("a line longer than 16 KiB is split as Docker does", async () => {
    const path = join(root, "long-json.log");
    const w = new JsonLogWriter(path);
    const long = "x".repeat(40_000) + "\n";
    await w.pump(new Blob([long]).stream(), "stdout");
    w.close();
    const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l).log as string);
    expect(lines.map((l) => l.length)).toEqual([16384, 16384, 40_001 - 32768]);
    expect(lines.join("")).toBe(long);
    expect(existsSync(path)).toBe(true);
  });
});
