// POST /images/load: spool the upload, read its plans, apply the layers, then store the
// configs and tags. Until the last step nothing is visible; on any failure every layer
// reference taken is released and every config written is removed, so the store is as
// it was.
import { invalidParameter, WharfError } from "../errors.ts";
import type { Digest, Layer } from "../storage/types.ts";
import { dockerArchivePlans, legacyPlans, ociPlans, type LoadPlan } from "./archive.ts";
import { familiarString } from "./reference.ts";
import type { ImageService } from "./service.ts";
import { readFile, Spool } from "./spool.ts";

/** Loads an archive; returns docker's lines (`Loaded image: busybox:latest`). */
export async function loadImages(svc: ImageService, body: AsyncIterable<Uint8Array>): Promise<string[]> {
  const spool = await Spool.fromStream(svc.tmpDir, body);
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
    const tops: (Digest | null)[] = [];
    for (const plan of plans) {
      const diffIds = plan.config.rootfs!.diff_ids;
      let parent: Digest | null = null;
      for (const [i, f] of plan.layers.entries()) {
        const layer: Layer = await svc.layers.register(readFile(f.path), parent, diffIds[i]).catch((err): never => {
          if (err instanceof WharfError && err.kind === "invalidParameter") {
            throw invalidParameter(`invalid archive: layer ${plan.layerNames[i]}: ${err.message}`);
          }
          throw err;
        });
        taken.push(layer.chainId);
        // The store checked the diff id; a store that did not is caught here.
        if (layer.diffId !== diffIds[i]) {
          throw invalidParameter(`invalid archive: layer ${i + 1} has diff id ${layer.diffId}, but the image config expects ${diffIds[i]}`);
        }
        parent = layer.chainId;
      }
      tops.push(parent);
    }
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
