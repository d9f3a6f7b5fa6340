// Times the runtime alone (no daemon, no API): start → exit of `true` on a busybox
// rootfs, N runs back to back, and the monitor's PSS per idle container.
//   bun bench/runtime-start.ts [--runs 20] [--binary dist/wharf] [--cold] [--gap-ms 0]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createRuntime } from "../src/runtime/runtime.ts";
import type { ContainerSpec } from "../src/runtime/types.ts";
import { extractBusybox } from "../test/helpers/busybox.ts";
import { measured, report } from "./report.ts";

const internal = { skipped: "no runtime to drive without its daemon; see the run rows" };

const { values: opt } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    binary: { type: "string", default: resolve(import.meta.dirname, "../dist/wharf") },
    cold: { type: "boolean", default: false },
    "gap-ms": { type: "string", default: "0" },
    idle: { type: "string", default: "10" },
  },
});
const dir = mkdtempSync(join(tmpdir(), "wharf-bench-rt-"));
const parent = `wharf-bench-${process.pid}`;
const rt = createRuntime({ execRoot: join(dir, "exec"), cgroupParent: parent, binary: opt.binary, prewarm: !opt.cold });
const rootfs = extractBusybox(join(dir, "rootfs"));
let n = 0;
const spec = (args: string[]): ContainerSpec => {
  const id = `b${++n}`;
  return { id, rootfs, stateDir: join(dir, id), logPath: "", args, env: [], hostname: id, network: { mode: "none" } };
};
const pss = (pid: number) => Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))![1]);

const started: ContainerSpec[] = [];
try {
  await rt.monitor.send({ op: "ping" });
  await Bun.sleep(500);
  const times: number[] = [];
  for (let i = 0; i < Number(opt.runs); i++) {
    const s = spec(["true"]);
    const t0 = performance.now();
    await rt.start(s);
    await rt.wait(s.id, s.stateDir);
    times.push(performance.now() - t0);
    await rt.cleanup(s.id, s.stateDir);
    await Bun.sleep(Number(opt["gap-ms"]));
  }
  report({
    bench: "runtime",
    name: `runtime alone: start → exit of true${opt.cold ? " (cold)" : ""} (no daemon, no API)`,
    unit: "ms",
    better: "lower",
    cells: { wharf: measured(times), docker: internal, podman: internal },
  });

  const monitorPid = (await rt.monitor.ping())!.pid;
  const idle = Number(opt.idle);
  const settle = async () => (await rt.monitor.ping(true), await Bun.sleep(300), pss(monitorPid));
  for (let i = 0; i < idle; i++) started.push(spec(["sleep", "300"])), await rt.start(started.at(-1)!);
  const a = await settle();
  for (let i = 0; i < idle; i++) started.push(spec(["sleep", "300"])), await rt.start(started.at(-1)!);
  const b = await settle();
  report({
    bench: "runtime",
    name: `monitor PSS per idle container (${idle} → ${2 * idle} containers)`,
    unit: "kB",
    better: "lower",
    cells: { wharf: measured([(b - a) / idle]), docker: internal, podman: internal },
  });
} finally {
  for (const s of started) {
    if (rt.alive(s.stateDir)) rt.signal(s.stateDir, 9);
    await rt.wait(s.id, s.stateDir);
    await rt.cleanup(s.id, s.stateDir);
  }
  await rt.monitor.exitIfIdle();
  rt.cgroups.removeParent();
  rmSync(dir, { recursive: true, force: true });
}
