// Registry transport side by side: wharf and a real dockerd pull the same ~200 MB,
// 8-layer image from one Debian docker-registry on loopback, then push it back. Rows:
// cold pull (image and layers absent; incl. sync), pull of an image already present,
// push whose layers all exist, fresh push to an empty registry, wharf's daemon RSS
// growth during the cold pull, and the cold pull against the floor of
// `igzip -dc | tar -x` (gzip where igzip is absent) of the same blobs one after another.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { docker, median, timeIt } from "./lib.ts";
import { row, startEngines, type Engine } from "./engines.ts";
import { report, type EngineName } from "./report.ts";
import { blobPath, busyboxLayerTar, makeBigImage, startRegistry } from "../test/helpers/registry.ts";
import { openLayerStore } from "../src/storage/index.ts";
import { nativeDecompressGrowing } from "../src/distribution/decompress.ts";
import { blobFile } from "../src/distribution/blob.ts";
import { markTopDir } from "../src/sys/libc.ts";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const syncEach = process.env.BENCH_SYNC !== "0";
// The unpack row is the worst of seven layers' ratios, so a few runs more per layer keep
// one noisy median from deciding it (a layer takes about a tenth of a second).
const unpackRuns = Math.max(runs, 7);
const podmanWhy = "its pulls from a plain-http registry need a registries.conf entry; not part of this bench";

function sh(argv: string[]): void {
  const r = Bun.spawnSync(argv, { stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

/** docker CLI asynchronously (so RSS can be sampled meanwhile); fails loudly. */
async function dockerAsync(e: Engine, args: string[]): Promise<string> {
  const p = Bun.spawn(["docker", ...args], { env: { ...process.env, DOCKER_HOST: e.host }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`${e.label}: docker ${args.join(" ")}: ${err}${out}`);
  return out;
}

const work = mkdtempSync(join(process.env.BENCH_DIR ?? "/tmp", "wharf-bench-pull-"));
// The floor's dirs get the block-group spreading wharf's layer store asks of ext4 (see
// spreadNewLayers), each under a new name as the store's are (ext4 starts its search
// from a hash of the name), so neither side pays for inodes an earlier round freed.
markTopDir(work);
const reg = await startRegistry();
const set = await startEngines({ only: ["wharf", "docker"] });
try {
  const img = await makeBigImage(reg, "bench/pull", "1", { base: busyboxLayerTar(), layers: 7, filesPerLayer: 143 });
  const mb = img.compressedBytes / 1e6;
  const nLayers = img.manifest.layers.length;
  const ref = `${reg.host}/bench/pull:1`;

  // The floor: every blob inflated and untarred by the native tools, one after another.
  const inflate = Bun.which("igzip") ? "igzip -dc" : "gzip -dc";
  const floor = (): number => {
    const dirs: string[] = [];
    sh(["sync"]);
    const t0 = performance.now();
    for (const [i, l] of img.manifest.layers.entries()) {
      dirs[i] = mkdtempSync(join(work, `floor${i}-`));
      sh(["sh", "-c", `${inflate} < '${blobPath(reg, l.digest)}' | tar -x -C '${dirs[i]}'`]);
    }
    if (syncEach) sh(["sync"]);
    const ms = performance.now() - t0;
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    return ms;
  };

  // Each layer's unpack alone: what a pull does to a blob once its bytes are here (native
  // inflate, then the layer store's applier into a staged layer: hash, apply, tar-split
  // record) against `igzip -dc | tar -x` of the same blob, one layer at a time,
  // interleaved; the row is the worst layer's ratio of medians (target: ≥ 85% of the
  // native pair's speed, i.e. ≤ 1.18×).
  const unpack = async (): Promise<number> => {
    const store = await openLayerStore({ dataRoot: join(work, "unpack-root"), driver: "overlay2" });
    try {
      const ratios: number[] = [];
      // The daemon's code is warm after its first pull; this process's is not.
      for (const l of img.manifest.layers) for (let w = 0; w < 2; w++) store.discardStaged(await store.stage(nativeDecompressGrowing(blobFile(blobPath(reg, l.digest)))));
      for (const l of img.manifest.layers.filter((x) => x.size > 1 << 20)) {
        const ours: number[] = [];
        const theirs: number[] = [];
        for (let r = 0; r < unpackRuns; r++) {
          const dir = mkdtempSync(join(work, "unpack-floor-"));
          sh(["sync"]);
          theirs.push(await timeIt(() => sh(["sh", "-c", `${inflate} < '${blobPath(reg, l.digest)}' | tar -x -C '${dir}'`])));
          rmSync(dir, { recursive: true, force: true });
          sh(["sync"]);
          let staged: Awaited<ReturnType<NonNullable<typeof store.stage>>> | undefined;
          ours.push(await timeIt(async () => void (staged = await store.stage(nativeDecompressGrowing(blobFile(blobPath(reg, l.digest)))))));
          store.discardStaged(staged!);
        }
        ratios.push(median(ours) / median(theirs));
      }
      return Math.max(...ratios);
    } finally {
      await store.close();
    }
  };

  const series = () => new Map<EngineName, number[]>(set.engines.map((e) => [e.name, []]));
  const cold = series();
  const present = series();
  const pushExist = series();
  const pushFresh = series();
  const rss = series();
  const overFloor = series();
  const floors: number[] = [];
  for (let r = 0; r < runs; r++) {
    const f = floor();
    floors.push(f);
    for (const e of r % 2 ? [...set.engines].reverse() : set.engines) {
      docker(e.host, ["rmi", "-f", ref]);
      docker(e.host, ["image", "prune", "-f"]);
      sh(["sync"]);
      const idle = e.name === "wharf" ? rssKb(e.daemon.pid) : 0;
      let peak = idle;
      let sampling = e.name === "wharf";
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, rssKb(e.daemon.pid));
          await Bun.sleep(10);
        }
      })();
      const ms = await timeIt(async () => {
        await dockerAsync(e, ["pull", "-q", ref]);
        if (syncEach) sh(["sync"]);
      });
      sampling = false;
      await sampler;
      cold.get(e.name)!.push(ms);
      overFloor.get(e.name)!.push(ms / f);
      if (e.name === "wharf") rss.get(e.name)!.push((peak - idle) / 1024);
      present.get(e.name)!.push(await timeIt(() => dockerAsync(e, ["pull", "-q", ref])));
      pushExist.get(e.name)!.push(await timeIt(() => dockerAsync(e, ["push", "-q", ref])));
      const fresh = await startRegistry();
      try {
        const target = `${fresh.host}/bench/fresh:1`;
        docker(e.host, ["tag", ref, target]);
        pushFresh.get(e.name)!.push(await timeIt(() => dockerAsync(e, ["push", "-q", target])));
        docker(e.host, ["rmi", target]);
      } finally {
        await fresh.stop();
      }
    }
  }
  const unpackRatio = await unpack();
  const note = syncEach ? "incl. sync" : "page cache only";
  const na = { podman: podmanWhy };
  report(row(set, { bench: "registry", name: `cold pull of ${mb.toFixed(0)} MB, ${nLayers} layers (${note})`, unit: "ms", better: "lower", target: "≤ 0.5× Docker", goal: { max: 0.5, ratioTo: "docker" } }, cold, na));
  report(row(set, { bench: "registry", name: `cold pull ÷ ${inflate} | tar -x of the same blobs in turn (floor median ${median(floors).toFixed(0)} ms)`, unit: "×", better: "lower", target: "≤ 1/0.85 = 1.18×", goal: { max: 1 / 0.85 } }, overFloor, na));
  report(row(set, { bench: "registry", name: `each layer's unpack (native inflate + layer store apply) ÷ ${inflate} | tar -x of the same blob, worst layer`, unit: "×", better: "lower", target: "≤ 1/0.85 = 1.18×", goal: { max: 1 / 0.85 } }, new Map([["wharf", [unpackRatio]]]), { ...na, docker: "dockerd unpacks inside containerd; not separable" }));
  report(row(set, { bench: "registry", name: "pull of an image already present", unit: "ms", better: "lower", target: "≤ 150 ms", goal: { max: 150 } }, present, na));
  report(row(set, { bench: "registry", name: `push, all ${nLayers} layers already in the registry`, unit: "ms", better: "lower", target: "≤ 300 ms", goal: { max: 300 } }, pushExist, na));
  report(row(set, { bench: "registry", name: `fresh push of the ${mb.toFixed(0)} MB image to an empty registry`, unit: "ms", better: "lower", target: "≤ 0.4× Docker", goal: { max: 0.4, ratioTo: "docker" } }, pushFresh, na));
  report(row(set, { bench: "registry", name: "daemon RSS growth during the cold pull", unit: "MB", better: "lower", target: "≤ 64 MiB", goal: { max: 64 } }, rss, { ...na, docker: "dockerd's work is spread over containerd too; not comparable" }));
} finally {
  await set.stop();
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
}
