// docker pull: resolve the manifest (failures become an HTTP status before any stream),
// then stream Docker's progress while layers download. Each missing layer streams once,
// socket → sha256 → partial file, and its unpack follows that file as it grows →
// decompress → tar apply, into a staging dir of its own, several at a time; only when
// every layer is verified are they chained into the store and the image and its tags
// written, so a failed or cancelled pull leaves no half image behind.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { invalidParameter, WharfError } from "../errors.ts";
import { KeyedLock } from "../keyedlock.ts";
import { familiarString, fullName, type Reference } from "../image/reference.ts";
import type { ImageService } from "../image/service.ts";
import { chainIds } from "../image/service.ts";
import { parseImageConfig } from "../image/store.ts";
import type { Digest, Layer, StagedLayer } from "../storage/types.ts";
import type { AuthConfig } from "./auth.ts";
import { fetchSmallBlob, LayerDownload } from "./blob.ts";
import { RegistrySession } from "./client.ts";
import { nativeDecompressGrowing } from "./decompress.ts";
import { Semaphore } from "./limit.ts";
import { endpointsFor, type Endpoint, type RegistryOptions } from "./endpoint.ts";
import type { Descriptor } from "./manifest.ts";
import type { DistributionMetadata } from "./metadata.ts";
import { parsePlatform } from "./platform.ts";
import { bytes, shortId, status, throttle, type ProgressOut } from "./progress.ts";
import { resolveManifest, type Resolved } from "./resolve.ts";

export interface DistributionContext {
  svc: ImageService;
  metadata: DistributionMetadata;
  options: RegistryOptions;
  /** Partial downloads, kept across daemon restarts for resume. */
  partialDir: string;
}

export interface PullParams {
  ref: Reference;
  platform?: string;
  auth: AuthConfig;
  /** The endpoint to pull from (default: the first for the name; mirrors.ts tries the others). */
  endpoint?: Endpoint;
  /** Aborted when the client goes away before the stream starts (while the manifest is fetched). */
  signal?: AbortSignal;
}

export interface PullResult {
  id: Digest;
  digest: Digest;
  /** Bytes that came over the network for layers, and bytes reused from partial files. */
  fetched: number;
  resumed: number;
}

export interface PreparedPull {
  resolved: Resolved;
  run(out: ProgressOut, signal?: AbortSignal): Promise<PullResult>;
}

/** One download of a blob at a time, so two pulls never write the same partial file. */
const blobLocks = new KeyedLock();

export function sessionFor(ctx: DistributionContext, domain: string, auth: AuthConfig): RegistrySession {
  return new RegistrySession(endpointsFor(domain, ctx.options)[0]!, auth);
}

export async function preparePull(ctx: DistributionContext, p: PullParams): Promise<PreparedPull> {
  const platform = parsePlatform(p.platform);
  const session = p.endpoint ? new RegistrySession(p.endpoint, p.auth) : sessionFor(ctx, p.ref.domain, p.auth);
  session.signal = p.signal;
  const resolved = await resolveManifest(session, p.ref, platform);
  return { resolved, run: (out, signal) => runPull(ctx, session, p.ref, resolved, out, signal) };
}

async function runPull(
  ctx: DistributionContext,
  session: RegistrySession,
  ref: Reference,
  resolved: Resolved,
  out: ProgressOut,
  signal?: AbortSignal,
): Promise<PullResult> {
  const { svc } = ctx;
  const repo = ref.path;
  const m = resolved.manifest;
  out({ status: `Pulling from ${repo}`, id: ref.digest ?? ref.tag ?? "latest" });
  const result: PullResult = { id: m.config.digest, digest: resolved.digest, fetched: 0, resumed: 0 };
  const known = svc.images.get(m.config.digest);
  let configRaw: Buffer | undefined;
  let staged: (StagedLayer | null)[] = [];
  const registered: Layer[] = [];
  const blobs: LayerDownload[] = [];
  try {
    if (!known) {
      configRaw = await fetchSmallBlob(session, repo, m.config);
      const config = parseImageConfig(configRaw, m.config.digest);
      const diffIds = config.rootfs!.diff_ids;
      if (diffIds.length !== m.layers.length) {
        throw invalidParameter(`invalid image: its config lists ${diffIds.length} layers, its manifest ${m.layers.length}`);
      }
      const chain = chainIds(diffIds);
      let present = 0;
      while (present < chain.length && svc.layers.get(chain[present]!)) present++;
      for (const [i, d] of m.layers.entries()) out(status(i < present ? "Already exists" : "Pulling fs layer", shortId(d.digest)));
      const missing = m.layers.slice(present).map((d, j) => ({ d, i: present + j }));
      const limit = Math.max(1, ctx.options.maxConcurrentDownloads);
      for (const [j, x] of missing.entries()) if (j >= limit) out(status("Waiting", shortId(x.d.digest)));
      // Downloads run at the network's pace, `limit` at a time; each layer's unpack follows
      // its partial file as it grows, so a slot frees as soon as a blob is in and the
      // unpacks (CPU-bound) keep every core busy to the end instead of the last layer
      // running alone. Unpacks are capped too, at a little above the core count.
      const unpackLimit = Math.max(limit, availableParallelism() + 2);
      const downloads = new Semaphore(limit);
      const unpacks = new Semaphore(unpackLimit);
      const fetchOne = (d: Descriptor, apply: (tar: AsyncIterable<Uint8Array>) => Promise<void>) =>
        blobLocks.run(d.digest, async () => {
          const id = shortId(d.digest);
          const tick = throttle(100);
          const blob = new LayerDownload(session, repo, d, ctx.partialDir, (n) => tick(n === d.size) && out(bytes("Downloading", id, n, d.size)), signal);
          blobs.push(blob);
          // Extracting progress (compressed bytes the decompressor has taken, as Docker
          // counts it) once the download is reported complete; it is also the stream's
          // heartbeat while a big layer unpacks after its bytes are in.
          let inHand = false;
          const xtick = throttle(100);
          const onInput = (n: number) => inHand && xtick() && out(bytes("Extracting", id, n, d.size));
          const downloaded = downloads.run(() => blob.run()).then(() => {
            out(status("Verifying Checksum", id));
            out(status("Download complete", id));
            inHand = true;
          });
          downloaded.catch(() => {}); // awaited below
          try {
            await unpacks.run(() => apply(nativeDecompressGrowing(blob, onInput)));
            await downloaded;
          } catch (e) {
            // A download cut off keeps its bytes for resume (a blob that failed its digest
            // is gone already); bytes that would not unpack are bad, also when the
            // download is still running (it is stopped here, which does not make it cut off).
            const cutOff = blob.failed;
            blob.cancel();
            await downloaded.catch(() => {});
            if (!cutOff && !signal?.aborted) blob.discard();
            throw e;
          }
          result.fetched += blob.progress.fetched;
          result.resumed += blob.progress.resumedFrom;
          out(bytes("Extracting", id, d.size, d.size));
          out(status("Pull complete", id));
        });
      if (svc.layers.canStage && svc.layers.stage) {
        const stage = svc.layers.stage.bind(svc.layers);
        staged = missing.map(() => null);
        const jobs = missing.map(({ d, i }, j) =>
          fetchOne(d, async (tar) => {
            staged[j] = await stage(tar, diffIds[i]);
          }),
        );
        // Every job settles before the first failure is reported, so no staging dir is left.
        const settled = await Promise.allSettled(jobs);
        const failed = settled.find((s) => s.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
      } else {
        // Drivers whose layer dirs start as a copy of the parent apply in order.
        let parent = present ? chain[present - 1]! : null;
        for (const { d, i } of missing) {
          await fetchOne(d, async (tar) => {
            const l = await svc.layers.register(tar, parent, diffIds[i]);
            registered.push(l);
            parent = l.chainId;
          });
        }
      }
      if (signal?.aborted) throw new WharfError("system", "context canceled");
    }
    const upToDate = await svc.serialize(async () => commit(ctx, ref, resolved, configRaw, staged, registered));
    for (const b of blobs) b.discard();
    for (const [i, d] of m.layers.entries()) {
      const diffId = svc.images.get(m.config.digest)?.config.rootfs?.diff_ids[i];
      if (diffId) ctx.metadata.add(diffId, { digest: d.digest, repository: fullName(ref), mediaType: d.mediaType || undefined });
    }
    out(status(`Digest: ${resolved.digest}`));
    out(status(`Status: ${upToDate ? "Image is up to date" : "Downloaded newer image"} for ${familiarString(ref)}`));
    svc.publish("pull", familiarString(ref), familiarString(ref));
    return result;
  } catch (e) {
    for (const s of staged) if (s) svc.layers.discardStaged?.(s);
    for (const l of registered.reverse()) await svc.layers.release(l.chainId).catch(() => {});
    throw e;
  }
}

/** Chains the staged layers, stores the config and the references. Returns whether nothing changed. */
async function commit(
  ctx: DistributionContext,
  ref: Reference,
  resolved: Resolved,
  configRaw: Buffer | undefined,
  staged: (StagedLayer | null)[],
  registered: Layer[],
): Promise<boolean> {
  const { svc } = ctx;
  const id = resolved.manifest.config.digest;
  const taken: Digest[] = registered.map((l) => l.chainId);
  registered.length = 0;
  let createdImage = false;
  try {
    let rec = svc.images.get(id);
    if (!rec) {
      const raw = configRaw!;
      const config = parseImageConfig(raw, id);
      const chain = chainIds(config.rootfs!.diff_ids);
      let parent: Digest | null = chain.length - staged.length > 0 ? chain[chain.length - staged.length - 1]! : null;
      for (const s of staged) {
        const l = await svc.layers.commitStaged!(s!, parent);
        taken.push(l.chainId);
        parent = l.chainId;
      }
      staged.length = 0;
      const put = svc.images.put(raw, config);
      rec = put.rec;
      createdImage = put.created;
      const top = chain.length ? chain[chain.length - 1]! : null;
      if (createdImage && top) {
        // The new image holds one reference on its top layer (which holds its parents).
        const i = taken.lastIndexOf(top);
        if (i >= 0) taken.splice(i, 1);
        else svc.layers.retain(top);
      }
    }
    const digestRef: Reference = { domain: ref.domain, path: ref.path, digest: resolved.digest };
    let changed = createdImage;
    for (const r of ref.digest ? [digestRef] : [ref, digestRef]) {
      if (svc.tags.get(r) !== id) {
        changed = true;
        svc.addTag(r, id);
      }
    }
    for (const t of taken.reverse()) await svc.layers.release(t);
    taken.length = 0;
    return !changed;
  } catch (e) {
    if (createdImage) svc.images.remove(id);
    for (const t of taken.reverse()) await svc.layers.release(t).catch(() => {});
    throw e;
  }
}

export const partialDirOf = (root: string) => join(root, "distribution", "partial");
