// Loading a ~200 MB docker-archive into wharf (POST /images/load through the API, as
// `docker load` does) against plain `tar -x` of the same layer tars on the same disk.
// Median of 3 runs each; the image is removed between runs so every load applies every
// layer again; both timings include a final sync (data on disk). Target: wharf ≤ 1.5× tar.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, statSync } from "node:fs";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { median, startWharf, timeIt } from "./lib.ts";

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
const d = await startWharf();
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
  console.log(`archive: ${mb.toFixed(0)} MB, ${layersN} layers of ${filesPerLayer} files`);

  // Runs alternate (wharf, tar, wharf, tar, …) and each time includes a final `sync`, so
  // neither side is timed against page cache the other one filled and left to flush.
  const wharfTimes: number[] = [];
  const tarTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    run(["sync"]);
    wharfTimes.push(
      await timeIt(() => {
        const out = run(["curl", "-sf", "--unix-socket", d.sock, "-X", "POST", "-H", "Content-Type: application/x-tar", "-T", archive, "http://x/v1.45/images/load"]);
        if (!out.includes("Loaded image: bench/load:1")) throw new Error(`load failed: ${out}`);
        if (syncEach) run(["sync"]);
      }),
    );
    run(["curl", "-sf", "--unix-socket", d.sock, "-X", "DELETE", "http://x/v1.45/images/bench/load:1"]);
    run(["sync"]);
    const dirs = layerTars.map((_, l) => join(work, `x${i}-${l}`));
    tarTimes.push(
      await timeIt(() => {
        for (const [l, tar] of layerTars.entries()) {
          mkdirSync(dirs[l]!);
          run(["tar", "-xf", tar, "-C", dirs[l]!]);
        }
        if (syncEach) run(["sync"]);
      }),
    );
    for (const x of dirs) rmSync(x, { recursive: true, force: true });
  }

  const w = median(wharfTimes);
  const t = median(tarTimes);
  console.log(`wharf load (API): median ${w.toFixed(0)} ms  runs ${wharfTimes.map((x) => x.toFixed(0)).join(", ")}`);
  console.log(`tar -x of layers: median ${t.toFixed(0)} ms  runs ${tarTimes.map((x) => x.toFixed(0)).join(", ")}`);
  console.log(`ratio wharf/tar: ${(w / t).toFixed(2)}x (target ≤ 1.5x)${syncEach ? ", both including sync" : ", page cache only"}`);
} finally {
  await d.stop();
  rmSync(work, { recursive: true, force: true });
}
