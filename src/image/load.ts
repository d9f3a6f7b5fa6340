// POST /images/load: spool the upload, read its plans, apply the layers, then store the
// configs and tags. Until the last step nothing is visible; on any failure every layer
// reference taken is released and every config written is removed, so the store is as
// it was.
import { invalidParameter, WharfError } from "../errors.ts";
import type { Digest, Layer, StagedLayer } from "../storage/types.ts";
import { dockerArchivePlans, legacyPlans, ociPlans, type LoadPlan } from "./archive.ts";
import { familiarString } from "./reference.ts";
import { chainIds, type ImageService } from "./service.ts";
import { readFile, Spool, type SpooledFile } from "./spool.ts";

const wrapLayerError = (plan: LoadPlan, i: number) => (err: unknown): never => {
  if (err instanceof WharfError && err.kind === "invalidParameter") {
    throw invalidParameter(`invalid archive: layer ${plan.layerNames[i]}: ${err.message}`);
  }
  throw err;
};

/** The store checked the diff id; a store that did not is caught here. */
function checkLayer(layer: Layer, plan: LoadPlan, i: number): void {
  const want = plan.config.rootfs!.diff_ids[i];
  if (layer.diffId !== want) throw invalidParameter(`invalid archive: layer ${i + 1} has diff id ${layer.diffId}, but the image config expects ${want}`);
}

/** Drivers whose layer dirs start as a copy of the parent: one layer after another. */
async function applyInOrder(svc: ImageService, plans: LoadPlan[], taken: Digest[]): Promise<(Digest | null)[]> {
  const tops: (Digest | null)[] = [];
  for (const plan of plans) {
    const diffIds = plan.config.rootfs!.diff_ids;
    let parent: Digest | null = null;
    for (const [i, f] of plan.layers.entries()) {
      const layer: Layer = await svc.layers.register(readFile(f.path), parent, diffIds[i]).catch(wrapLayerError(plan, i));
      taken.push(layer.chainId);
      checkLayer(layer, plan, i);
      parent = layer.chainId;
    }
    tops.push(parent);
  }
  return tops;
}

// Layers unpack at once, a few at a time: each is independent until it is chained.
const parallelLayers = 3;

/**
 * Drivers with empty layer dirs (overlay2): every missing layer of every plan is staged
 * in parallel, then chained in order. Layers already stored are still read and checked
 * against their diff id (as dockerd, which hashes every layer it is given). Any failure
 * drops every staged layer, so the store is left as it was.
 */
async function applyParallel(svc: ImageService, plans: LoadPlan[], taken: Digest[]): Promise<(Digest | null)[]> {
  const store = svc.layers;
  // copyOf: the same staged tar at a second place in a chain; copied from the first once that is chained.
  type Job = { plan: LoadPlan; i: number; chainId: Digest; present: boolean; staged?: StagedLayer; copyOf?: Job };
  const jobs: Job[] = [];
  const byChain = new Map<Digest, Job>();
  const uses: Job[][] = [];
  for (const plan of plans) {
    const chain = chainIds(plan.config.rootfs!.diff_ids);
    const mine: Job[] = [];
    for (const [i, chainId] of chain.entries()) {
      let j = byChain.get(chainId);
      if (!j) {
        j = { plan, i, chainId, present: !!store.get(chainId) };
        byChain.set(chainId, j);
        jobs.push(j);
      }
      mine.push(j);
    }
    uses.push(mine);
  }
  const claimed = new Map<SpooledFile, Job>();
  const verify = async (j: Job) => {
    const diffId = j.plan.config.rootfs!.diff_ids[j.i]!;
    const f = j.plan.layers[j.i]!;
    const fail = wrapLayerError(j.plan, j.i);
    if (!f.path) {
      // Applied while the archive streamed in: only its diff id is left to check.
      if (f.stageError) fail(f.stageError);
      const got = f.staged?.diffId ?? f.digest;
      if (got !== diffId) fail(invalidParameter(`layer diff id mismatch: expected ${diffId}, got ${got}`));
      if (j.present) {
        store.retain(j.chainId);
        taken.push(j.chainId);
      } else if (f.staged && !claimed.has(f)) {
        claimed.set(f, j);
        j.staged = f.staged;
        f.staged = undefined;
      } else j.copyOf = claimed.get(f);
      return;
    }
    if (j.present) {
      // Verified and retained now (the layer and its parents exist), released at the end.
      const parent = j.i ? chainIds(j.plan.config.rootfs!.diff_ids)[j.i - 1]! : null;
      const layer = await store.register(readFile(f.path), parent, diffId).catch(fail);
      taken.push(layer.chainId);
      checkLayer(layer, j.plan, j.i);
    } else {
      j.staged = await store.stage!(readFile(f.path), diffId).catch(fail);
    }
  };
  // After a failure no new layer starts; the error reported is that of the first
  // failing layer in archive order, as a load one layer at a time would report.
  const errors = new Map<number, unknown>();
  let next = 0;
  const worker = async () => {
    while (!errors.size && next < jobs.length) {
      const k = next++;
      await verify(jobs[k]!).catch((e) => void errors.set(k, e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelLayers, jobs.length) }, worker));
  try {
    if (errors.size) throw errors.get(Math.min(...errors.keys()));
    const tops: (Digest | null)[] = [];
    for (const [p, mine] of uses.entries()) {
      let parent: Digest | null = null;
      for (const [i, j] of mine.entries()) {
        const own = j.plan === plans[p] && j.i === i;
        if (own && j.copyOf) j.staged = await store.stage!(store.tarStream(j.copyOf.chainId), j.plan.config.rootfs!.diff_ids[j.i]);
        if (own && j.staged) {
          const s = j.staged;
          j.staged = undefined;
          const layer = await store.commitStaged!(s, parent);
          taken.push(layer.chainId);
          checkLayer(layer, j.plan, j.i);
        } else if (!own) {
          // A layer this load chained for an earlier image: one more reference, as register gives.
          store.retain(j.chainId);
          taken.push(j.chainId);
        }
        parent = j.chainId;
      }
      tops.push(parent);
    }
    return tops;
  } finally {
    for (const j of jobs) if (j.staged) store.discardStaged?.(j.staged);
  }
}

/** Loads an archive; returns docker's lines (`Loaded image: busybox:latest`). */
export async function loadImages(svc: ImageService, body: AsyncIterable<Uint8Array>): Promise<string[]> {
  const store = svc.layers;
  const stager = store.canStage && store.stage && store.discardStaged
    ? { stage: (tar: AsyncIterable<Uint8Array>) => store.stage!(tar), discard: (st: StagedLayer) => store.discardStaged!(st) }
    : undefined;
  const spool = await Spool.fromStream(svc.tmpDir, body, stager);
  try {
    let plans: LoadPlan[];
    if (spool.has("manifest.json")) plans = await dockerArchivePlans(spool);
    else if (spool.has("index.json")) plans = await ociPlans(spool);
    else if (spool.has("repositories")) plans = await legacyPlans(spool);
    else throw invalidParameter("invalid archive: it holds neither manifest.json (docker save) nor index.json (OCI layout) nor repositories (docker save before 1.10)");
    return await svc.serialize(() => commitPlans(svc, plans));
  } finally {
    spool.remove();
  }
}

async function commitPlans(svc: ImageService, plans: LoadPlan[]): Promise<string[]> {
  const taken: Digest[] = [];
  const createdImages: Digest[] = [];
  try {
    const tops = svc.layers.canStage && svc.layers.stage ? await applyParallel(svc, plans, taken) : await applyInOrder(svc, plans, taken);
    const keep = new Map<Digest, number>();
    const lines: string[] = [];
    for (const [i, plan] of plans.entries()) {
      const { rec, created } = svc.images.put(plan.raw, plan.config);
      if (plan.parent) svc.images.setParent(rec.id, plan.parent);
      if (created) {
        createdImages.push(rec.id);
        // The new image holds one reference, on its top layer (which holds its parents).
        if (tops[i]) keep.set(tops[i]!, (keep.get(tops[i]!) ?? 0) + 1);
      }
    }
    for (const plan of plans) {
      for (const t of plan.tags) {
        const old = svc.tags.get(t);
        if (old && old !== plan.id) lines.push(`The image ${familiarString(t)} already exists, renaming the old one with ID ${old} to empty string`);
        svc.addTag(t, plan.id);
        lines.push(`Loaded image: ${familiarString(t)}`);
      }
      if (!plan.tags.length && !plan.quiet) lines.push(`Loaded image ID: ${plan.id}`);
      svc.publish("load", plan.id, plan.tags.length ? familiarString(plan.tags[0]!) : plan.id);
    }
    // Drop every reference taken except one per new image.
    const release = [...taken].reverse();
    taken.length = 0;
    for (const id of release) {
      const k = keep.get(id) ?? 0;
      if (k > 0) keep.set(id, k - 1);
      else await svc.layers.release(id);
    }
    return lines;
  } catch (err) {
    for (const id of createdImages) svc.images.remove(id);
    for (const id of taken.reverse()) await svc.layers.release(id).catch(() => {});
    throw err;
  }
}
