// `docker build` through the classic builder API (DOCKER_BUILDKIT=0) on wharf and on a
// real dockerd in the same run: a 10-step Dockerfile with a 100 MB context, cold
// (--no-cache) and as a no-op rebuild (all cache), and the cost of one RUN step next to
// wharf's own `run --rm true`. Builds use --network none (the bench dockerd has no bridge).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { timeIt } from "./lib.ts";
import { interleaved, row, startEngines, type Engine } from "./engines.ts";
import { runRm } from "./api.ts";
import { report, measured } from "./report.ts";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const runSteps = 10;
const bench = "build";

function build(e: Engine, dir: string, extra: string[]): void {
  const r = Bun.spawnSync(["docker", "build", "--network", "none", ...extra, dir], {
    env: { ...process.env, DOCKER_HOST: e.host, DOCKER_BUILDKIT: "0" },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`${e.label}: docker build ${extra.join(" ")}: ${r.stderr.toString()}${r.stdout.toString()}`);
}

const work = mkdtempSync(join(process.env.BENCH_DIR ?? "/tmp", "wharf-bench-build-"));
const set = await startEngines({ only: ["wharf", "docker"] });
try {
  // The 100 MB context: 100 files of 1 MiB of random bytes (nothing compresses or dedups).
  const big = join(work, "big");
  mkdirSync(join(big, "data"), { recursive: true });
  for (let i = 0; i < 100; i++) writeFileSync(join(big, "data", `f${i}.bin`), randomBytes(1 << 20));
  writeFileSync(join(big, "small.txt"), "small\n");
  writeFileSync(
    join(big, "Dockerfile"),
    ["FROM busybox", "ENV A=1", "WORKDIR /app", "COPY data/ /app/data/", "RUN echo 1 > /r1", "RUN echo 2 > /r2", "RUN echo 3 > /r3", "COPY small.txt /app/", "LABEL bench=build", 'CMD ["sh"]'].join("\n") + "\n",
  );
  const runs10 = join(work, "runs");
  mkdirSync(runs10);
  writeFileSync(join(runs10, "Dockerfile"), ["FROM busybox", ...Array.from({ length: runSteps }, (_, i) => `RUN echo ${i} > /s${i}`)].join("\n") + "\n");
  const none = join(work, "none");
  mkdirSync(none);
  writeFileSync(join(none, "Dockerfile"), "FROM busybox\nENV NOTHING=1\n");

  const cold = await interleaved(set, runs, (e) => timeIt(() => build(e, big, ["--no-cache", "-t", "bench/build:1"])));
  report(row(set, { bench, name: "cold build, 10 steps (3 RUN, 2 COPY), 100 MB context, --no-cache", unit: "ms", better: "lower", target: "≤ 0.6× Docker", goal: { max: 0.6, ratioTo: "docker" } }, cold));
  const noop = await interleaved(set, runs, (e) => timeIt(() => build(e, big, ["-t", "bench/build:1"])));
  report(row(set, { bench, name: "no-op rebuild of the same (all cache), 100 MB context", unit: "ms", better: "lower", target: "≤ 0.5× Docker", goal: { max: 0.5, ratioTo: "docker" } }, noop));

  // One RUN step: a build of 10 RUNs minus a build of none, over 10.
  const perRun = await interleaved(set, runs, async (e) => {
    const with10 = await timeIt(() => build(e, runs10, ["--no-cache"]));
    const without = await timeIt(() => build(e, none, ["--no-cache"]));
    return (with10 - without) / runSteps;
  });
  const wharf = set.engines.find((e) => e.name === "wharf")!;
  const runLatency: number[] = [];
  for (let i = 0; i < 10; i++) runLatency.push(await timeIt(() => runRm(wharf, ["true"])));
  const own = measured(runLatency.slice(2)).median;
  report(
    row(set, { bench, name: `per-RUN step overhead (wharf's own run --rm true: ${own.toFixed(1)} ms)`, unit: "ms", better: "lower", target: `≤ 2× wharf run --rm (${(2 * own).toFixed(1)} ms)`, goal: { max: 2 * own } }, perRun),
  );
} finally {
  await set.stop();
  rmSync(work, { recursive: true, force: true });
}
