// Applying layer tars with the layer store (register: hash, apply, tar-split record)
// against plain `tar -x` of the same tars into a directory on the same disk.
// ~200 MB in two layers: a few big files, and a few thousand small ones, random data,
// tarred by GNU tar. Median of BENCH_RUNS (default 3) runs each, interleaved; every run
// starts from an empty data root / target dir. Timings include a final sync (data on
// disk) unless BENCH_SYNC=0. Target: register ≤ 1.2× tar -x.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, statSync, createReadStream } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { median, timeIt } from "./lib.ts";
import { measured, report, type Row } from "./report.ts";
import { openLayerStore } from "../src/storage/index.ts";
import type { Digest } from "../src/storage/types.ts";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const syncEach = process.env.BENCH_SYNC !== "0";
const drivers = (process.env.BENCH_DRIVERS ?? "overlay2,vfs").split(",");

function run(argv: string[]): void {
  const r = Bun.spawnSync(argv, { stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
}

const work = mkdtempSync(join(process.env.BENCH_DIR ?? "/tmp", "wharf-bench-apply-"));
try {
  // Layer 1: 4 big files (35 MB each); layer 2: 3000 small files (1–40 KB) in 30 dirs.
  const big = join(work, "src-big");
  const small = join(work, "src-small");
  mkdirSync(big);
  for (let i = 0; i < 4; i++) writeFileSync(join(big, `blob-${i}.bin`), randomBytes(35 * 1024 * 1024));
  for (let d = 0; d < 30; d++) {
    mkdirSync(join(small, `dir-${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(small, `dir-${d}`, `file-${f}.dat`), randomBytes(1024 + Math.floor(Math.random() * 40 * 1024)));
  }
  const tars = [join(work, "big.tar"), join(work, "small.tar")];
  run(["tar", "-cf", tars[0]!, "-C", big, "."]);
  run(["tar", "-cf", tars[1]!, "-C", small, "."]);
  rmSync(big, { recursive: true });
  rmSync(small, { recursive: true });
  const total = tars.reduce((n, t) => n + statSync(t).size, 0);
  console.log(`layer tars: ${(total / 1e6).toFixed(1)} MB (4 big files; 3000 small files in 30 dirs)`);

  const finish = () => syncEach && run(["sync"]);
  const tarTimes: number[] = [];
  const storeTimes: Record<string, number[]> = Object.fromEntries(drivers.map((d) => [d, []]));
  for (let r = 0; r < runs; r++) {
    const dest = join(work, `tar-x-${r}`);
    mkdirSync(dest);
    tarTimes.push(
      await timeIt(() => {
        for (const t of tars) run(["tar", "-xf", t, "-C", dest]);
        finish();
      }),
    );
    rmSync(dest, { recursive: true });
    for (const driver of drivers) {
      const dataRoot = join(work, `store-${driver}-${r}`);
      const store = await openLayerStore({ dataRoot, driver });
      storeTimes[driver]!.push(
        await timeIt(async () => {
          let parent: Digest | null = null;
          for (const t of tars) parent = (await store.register(createReadStream(t, { highWaterMark: 1 << 20 }), parent)).chainId;
          finish();
        }),
      );
      await store.close();
      rmSync(dataRoot, { recursive: true });
    }
  }
  const tarMed = median(tarTimes);
  // Another engine's layer store cannot be driven alone; the load rows compare engines end to end.
  const internal = { docker: { skipped: "no way to drive its layer store alone; see the load rows" }, podman: { skipped: "no way to drive its layer store alone; see the load rows" } };
  const note = syncEach ? "incl. sync" : "page cache only";
  const base = { bench: "layer apply", unit: "ms", better: "lower" } as const;
  report({ ...base, name: `tar -x of 2 layer tars, ${(total / 1e6).toFixed(0)} MB (the floor, ${note})`, cells: { wharf: measured(tarTimes), ...internal } } satisfies Row);
  for (const d of drivers) {
    report({ ...base, name: `layer store register (${d}) of the same tars (${note})`, cells: { wharf: measured(storeTimes[d]!), ...internal } } satisfies Row);
    report({
      ...base,
      unit: "×",
      name: `register (${d}) ÷ tar -x (tar -x median ${tarMed.toFixed(0)} ms)`,
      cells: { wharf: measured(storeTimes[d]!.map((x, i) => x / tarTimes[i]!)), ...internal },
      target: "≤ 1.2× tar -x",
      goal: { max: 1.2 },
    } satisfies Row);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
