// `load` and `save` of a ~210 MB, 4-layer docker-archive on wharf, Docker and Podman
// in this run, each load also as a multiple of plain `tar -x` of the same layer tars
// on the same disk (the floor: what any engine must write). The image is removed
// between runs so every load applies every layer again; timings include a final sync.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { docker, timeIt } from "./lib.ts";
import { row, startEngines } from "./engines.ts";
import { report, type EngineName } from "./report.ts";

const runs = Number(process.env.BENCH_RUNS ?? 3);
// BENCH_SYNC=0 times without the final sync (page cache only, noisier: writeback of one
// run lands in the next).
const syncEach = process.env.BENCH_SYNC !== "0";
const layersN = 4;
const filesPerLayer = 200;
const fileSize = 256 * 1024; // 4 × 200 × 256 KiB ≈ 210 MB

function run(argv: string[]): string {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

const work = mkdtempSync(join(process.env.BENCH_DIR ?? "/tmp", "wharf-bench-load-"));
const set = await startEngines();
try {
  // Layers: directories of random files, tarred by GNU tar (what a real image holds).
  const layerTars: string[] = [];
  const diffIds: string[] = [];
  for (let l = 0; l < layersN; l++) {
    const src = join(work, `src${l}`);
    mkdirSync(join(src, `layer${l}`, "data"), { recursive: true });
    for (let f = 0; f < filesPerLayer; f++) writeFileSync(join(src, `layer${l}`, "data", `f${f}.bin`), randomBytes(fileSize));
    const tar = join(work, `layer${l}.tar`);
    run(["tar", "-cf", tar, "-C", src, "."]);
    rmSync(src, { recursive: true, force: true });
    layerTars.push(tar);
    diffIds.push(`sha256:${createHash("sha256").update(await Bun.file(tar).bytes()).digest("hex")}`);
  }
  const config = JSON.stringify({
    architecture: "amd64",
    os: "linux",
    created: new Date().toISOString(),
    config: { Cmd: ["sh"] },
    rootfs: { type: "layers", diff_ids: diffIds },
    history: diffIds.map(() => ({ created_by: "bench" })),
  });
  const cfgHex = createHash("sha256").update(config).digest("hex");
  const arch = join(work, "archive");
  mkdirSync(join(arch, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(arch, "blobs", "sha256", cfgHex), config);
  for (const [i, t] of layerTars.entries()) run(["cp", t, join(arch, "blobs", "sha256", diffIds[i]!.slice(7))]);
  writeFileSync(
    join(arch, "manifest.json"),
    JSON.stringify([{ Config: `blobs/sha256/${cfgHex}`, RepoTags: ["bench/load:1"], Layers: diffIds.map((x) => `blobs/sha256/${x.slice(7)}`) }]),
  );
  const archive = join(work, "image.tar");
  run(["tar", "-cf", archive, "-C", arch, "."]);
  rmSync(arch, { recursive: true, force: true });
  const mb = statSync(archive).size / 1e6;

  const tarX = () => {
    const dirs = layerTars.map((_, l) => join(work, `x${l}`));
    run(["sync"]);
    const ms = timeItSync(() => {
      for (const [l, tar] of layerTars.entries()) {
        mkdirSync(dirs[l]!);
        run(["tar", "-xf", tar, "-C", dirs[l]!]);
      }
      if (syncEach) run(["sync"]);
    });
    for (const x of dirs) rmSync(x, { recursive: true, force: true });
    return ms;
  };
  // Each run: every engine loads (then saves, then removes the image), and tar -x runs
  // once beside them, so a slow moment of the disk hits all of them alike.
  const loads = new Map<EngineName, number[]>(set.engines.map((e) => [e.name, []]));
  const saves = new Map<EngineName, number[]>(set.engines.map((e) => [e.name, []]));
  const overTar = new Map<EngineName, number[]>(set.engines.map((e) => [e.name, []]));
  const tars: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = tarX();
    tars.push(t);
    for (const e of i % 2 ? [...set.engines].reverse() : set.engines) {
      run(["sync"]);
      const ms = await timeIt(() => {
        const r = docker(e.host, ["load", "-q", "-i", archive]);
        if (r.code !== 0 || !r.stdout.includes("bench/load:1")) throw new Error(`${e.label}: load failed: ${r.stdout} ${r.stderr}`);
        if (syncEach) run(["sync"]);
      });
      loads.get(e.name)!.push(ms);
      overTar.get(e.name)!.push(ms / t);
      const saved = join(work, `saved-${e.name}.tar`);
      saves.get(e.name)!.push(await timeIt(() => {
        const r = docker(e.host, ["save", "-o", saved, "bench/load:1"]);
        if (r.code !== 0) throw new Error(`${e.label}: save failed: ${r.stderr}`);
      }));
      rmSync(saved, { force: true });
      docker(e.host, ["rmi", "bench/load:1"]);
    }
  }
  const note = syncEach ? "incl. sync" : "page cache only";
  report(row(set, { bench: "image", name: `docker load of ${mb.toFixed(0)} MB, ${layersN} layers (${note})`, unit: "ms", better: "lower" }, loads));
  report(row(set, { bench: "image", name: `load ÷ tar -x of the same layers (tar -x median ${tars.sort((a, b) => a - b)[Math.floor(tars.length / 2)]!.toFixed(0)} ms)`, unit: "×", better: "lower", target: "≤ 1.2× tar -x", goal: { max: 1.2 } }, overTar));
  report(row(set, { bench: "image", name: `docker save of the ${mb.toFixed(0)} MB image`, unit: "ms", better: "lower" }, saves));
} finally {
  await set.stop();
  rmSync(work, { recursive: true, force: true });
}

function timeItSync(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}
