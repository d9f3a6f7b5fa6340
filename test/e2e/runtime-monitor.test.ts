// The runtime's monitor for real: containers outlive whoever started them, exits are
// recorded for a later daemon, stdin, teardown when the exec root goes, and the start
// latency and memory numbers.
import { describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRuntime } from "../../src/runtime/runtime.ts";
import { wharfBin } from "../helpers/daemon.ts";
import { extractBusybox } from "../helpers/busybox.ts";
import { useRuntime } from "../helpers/runtime.ts";

const fx = useRuntime();
const { newSpec, logOf, run } = fx;

describe("monitor", () => {
  test("a container outlives a SIGKILL of the process that started it; a new runtime learns its exit code", async () => {
    // Its own exec root, so the starter (not this test) spawns the monitor.
    // Without the pre-booted init, so the cold start path runs too.
    const opts = { execRoot: join(fx.dir, "exec2"), cgroupParent: fx.parent, binary: wharfBin, prewarm: false };
    const spec = newSpec(["sh", "-c", "sleep 1; echo done; exit 7"]);
    const starter = spawn(process.execPath, [join(import.meta.dirname, "../helpers/start-container.ts"), JSON.stringify({ opts, spec })], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const rt2 = createRuntime(opts);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        starter.stdout!.on("data", (c) => {
          out += c;
          if (out.includes("\n")) resolve(out);
        });
        starter.on("exit", (code) => reject(new Error(`starter exited with ${code} before starting the container`)));
      });
      const { pid } = JSON.parse(line);
      starter.kill("SIGKILL");
      await new Promise((r) => starter.once("exit", r));
      expect(rt2.alive(spec.stateDir)).toBe(true);
      expect(existsSync(`/proc/${pid}`)).toBe(true);
      const s = await rt2.wait(spec.id, spec.stateDir);
      expect(s.exitCode).toBe(7);
      expect(logOf(spec)).toBe("done\n");
      expect(rt2.exitStatus(spec.stateDir)?.exitCode).toBe(7);
    } finally {
      starter.kill("SIGKILL");
      await rt2.cleanup(spec.id, spec.stateDir);
      expect(await rt2.monitor.exitIfIdle()).toBe(true);
    }
  });

  test("openStdin: bytes written to the stdin fifo reach the container; closeStdin gives it EOF", async () => {
    const spec = newSpec(["sh", "-c", "read line; echo got:$line; cat; echo eof"], { openStdin: true });
    await fx.rt.start(spec);
    writeFileSync(fx.rt.stdinPath(spec.stateDir), "hello\n");
    writeFileSync(fx.rt.stdinPath(spec.stateDir), "second attach\n"); // a writer closing is no EOF
    await Bun.sleep(200);
    expect(fx.rt.alive(spec.stateDir)).toBe(true);
    await fx.rt.closeStdin(spec.id);
    expect((await fx.rt.wait(spec.id, spec.stateDir)).exitCode).toBe(0);
    expect(logOf(spec)).toBe("got:hello\nsecond attach\neof\n");
  });

  test("the monitor is shielded from the OOM killer, its containers are not", async () => {
    const r = await run(["cat", "/proc/self/oom_score_adj"]);
    expect(r.out).toBe("0\n");
    const monitorPid = (await fx.rt.monitor.ping())!.pid;
    // Lowering it takes CAP_SYS_RESOURCE, which some sandboxes (this one) keep from root.
    const capEff = BigInt("0x" + /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync("/proc/self/status", "utf8"))![1]);
    const canLower = (capEff & (1n << 24n)) !== 0n;
    const ours = readFileSync("/proc/self/oom_score_adj", "utf8").trim();
    expect(readFileSync(`/proc/${monitorPid}/oom_score_adj`, "utf8").trim()).toBe(canLower ? "-999" : ours);
  });

  test("the same container starts again after an exit, with or without a cleanup in between", async () => {
    const spec = newSpec(["sh", "-c", "echo run"]);
    for (let i = 0; i < 3; i++) {
      await fx.rt.start(spec);
      expect((await fx.rt.wait(spec.id, spec.stateDir)).exitCode).toBe(0);
      if (i === 1) await fx.rt.cleanup(spec.id, spec.stateDir);
    }
    expect(logOf(spec)).toBe("run\nrun\nrun\n");
  });

  test("a monitor whose exec root is removed ends its containers, their cgroups, and itself", async () => {
    const execRoot = join(fx.dir, "exec3");
    const rt3 = createRuntime({ execRoot, cgroupParent: fx.parent, binary: wharfBin });
    const spec = newSpec(["sleep", "60"]);
    const { pid } = await rt3.start(spec);
    const monitorPid = (await rt3.monitor.ping())!.pid;
    rmSync(execRoot, { recursive: true, force: true });
    const end = Date.now() + 5000;
    while (Date.now() < end && (existsSync(`/proc/${monitorPid}`) || existsSync(`/proc/${pid}`))) await Bun.sleep(50);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(existsSync(`/proc/${monitorPid}`)).toBe(false);
    expect(rt3.cgroups.exists(spec.id)).toBe(false);
  });

  test("20 starts of `true` each exit 0 (latency logged), and the monitor's memory per idle container stays under 3.5 MiB", async () => {
    const rootfs = extractBusybox(join(fx.dir, "shared-rootfs"));
    await fx.rt.monitor.send({ op: "ping" }); // a warm monitor, as a running daemon has
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const spec = newSpec(["true"], {}, rootfs);
      const t0 = performance.now();
      await fx.rt.start(spec);
      const s = await fx.rt.wait(spec.id, spec.stateDir);
      times.push(performance.now() - t0);
      expect(s.exitCode).toBe(0);
      await fx.rt.cleanup(spec.id, spec.stateDir);
    }
    times.sort((a, b) => a - b);
    const median = (times[9]! + times[10]!) / 2;

    const monitorPid = (await fx.rt.monitor.ping())!.pid;
    const pss = () => Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${monitorPid}/smaps_rollup`, "utf8"))![1]);
    // The monitor's cost per container: its PSS with 10 idle containers and with 20,
    // each after a full GC in the monitor, so heap noise does not pass for a cost.
    const settle = async () => (await fx.rt.monitor.ping(true), await Bun.sleep(300), pss());
    for (let i = 0; i < 10; i++) await fx.rt.start(newSpec(["sleep", "60"], {}, rootfs));
    const with10 = await settle();
    for (let i = 0; i < 10; i++) await fx.rt.start(newSpec(["sleep", "60"], {}, rootfs));
    const with20 = await settle();
    const perContainer = (with20 - with10) / 10;
    // The pre-booted init waiting for the next start: a fixed cost like the monitor's.
    const warm = readFileSync(`/proc/${monitorPid}/task/${monitorPid}/children`, "utf8").trim().split(/\s+/).map(Number)
      .filter((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("dockerinit")); // the containers run sleep
    const warmPss = warm.map((p) => Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"))![1]));
    console.log(
      `runtime: start->exit of true: median ${median.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times[19]!.toFixed(1)}); ` +
        `monitor PSS ${with10} kB with 10 idle containers, ${with20} kB with 20: ${perContainer.toFixed(0)} kB per container; ` +
        `waiting pre-booted init PSS ${warmPss.join(", ")} kB`,
    );
    // Speed is bench/'s to measure (bench/runtime-start.ts), never a test's to assert.
    expect(perContainer).toBeLessThan(3.5 * 1024);
  });
});
