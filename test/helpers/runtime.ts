// A runtime for e2e tests on its own exec root and cgroup parent, containers on fresh
// busybox rootfs directories, and the leak checks every test ends with: no live
// process, no cgroup, no mount under the temp dir; at the end, no monitor either.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime } from "../../src/runtime/runtime.ts";
import type { ContainerSpec, ExitStatus } from "../../src/runtime/types.ts";
import { requireBinary, wharfBin } from "./daemon.ts";
import { extractBusybox, mountsUnder } from "./busybox.ts";

export interface RuntimeFixture {
  readonly dir: string;
  readonly parent: string;
  readonly rt: ReturnType<typeof createRuntime>;
  newSpec(args: string[], extra?: Partial<ContainerSpec>, rootfs?: string): ContainerSpec;
  logOf(spec: ContainerSpec, stream?: "stdout" | "stderr"): string;
  run(args: string[], extra?: Partial<ContainerSpec>): Promise<{ status: ExitStatus; out: string; err: string; spec: ContainerSpec }>;
  startFailure(args: string[], extra?: Partial<ContainerSpec>): Promise<{ message: string; exitCode: number }>;
}

export function useRuntime(): RuntimeFixture {
  const parent = `wharf-test-rt-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  let dir = "";
  let rt!: ReturnType<typeof createRuntime>;
  let tracked: ContainerSpec[] = [];
  let n = 0;

  beforeAll(() => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), "wharf-rt-"));
    rt = createRuntime({ execRoot: join(dir, "exec"), cgroupParent: parent, binary: wharfBin });
  });

  afterEach(async () => {
    for (const spec of tracked) {
      const pidFile = join(spec.stateDir, "runtime-pid.json");
      const pid = existsSync(pidFile) ? JSON.parse(readFileSync(pidFile, "utf8")).pid : 0;
      if (rt.alive(spec.stateDir)) {
        rt.signal(spec.stateDir, 9);
        await rt.wait(spec.id, spec.stateDir);
      }
      await rt.cleanup(spec.id, spec.stateDir);
      expect(rt.cgroups.exists(spec.id)).toBe(false);
      if (pid) expect(existsSync(`/proc/${pid}`)).toBe(false);
    }
    tracked = [];
    expect(mountsUnder(dir)).toEqual([]);
  });

  afterAll(async () => {
    try {
      expect(await rt.monitor.exitIfIdle()).toBe(true);
      rt.cgroups.removeParent();
      for (const c of ["memory", "cpu", "pids", "freezer", "cpuset", "devices"]) expect(existsSync(`/sys/fs/cgroup/${c}/${parent}`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const fx: RuntimeFixture = {
    get dir() {
      return dir;
    },
    parent,
    get rt() {
      return rt;
    },
    newSpec(args, extra = {}, rootfs) {
      const id = `c${++n}`;
      const stateDir = join(dir, id);
      const spec: ContainerSpec = {
        id,
        rootfs: rootfs ?? extractBusybox(join(stateDir, "rootfs")),
        stateDir,
        logPath: join(stateDir, `${id}-json.log`),
        args,
        env: [],
        hostname: `host-${id}`,
        network: { mode: "none" },
        ...extra,
      };
      tracked.push(spec);
      return spec;
    },
    logOf(spec, stream) {
      if (!existsSync(spec.logPath)) return "";
      return readFileSync(spec.logPath, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((e) => !stream || e.stream === stream)
        .map((e) => e.log)
        .join("");
    },
    async run(args, extra = {}) {
      const spec = fx.newSpec(args, extra);
      await rt.start(spec);
      const status = await rt.wait(spec.id, spec.stateDir);
      return { status, out: fx.logOf(spec, "stdout"), err: fx.logOf(spec, "stderr"), spec };
    },
    async startFailure(args, extra = {}) {
      const spec = fx.newSpec(args, extra);
      try {
        await rt.start(spec);
      } catch (err) {
        expect(rt.cgroups.exists(spec.id)).toBe(false); // a failed start leaves no cgroup
        return { message: (err as Error).message, exitCode: (err as { exitCode: number }).exitCode };
      }
      throw new Error(`${args.join(" ")} started, but should have failed`);
    },
  };
  return fx;
}
