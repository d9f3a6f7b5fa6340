// docker push: for each layer (top first, as dockerd lists them), a blob the registry
// already has is skipped after a HEAD, one another repository of the same registry has
// is mounted, and only the rest is compressed and uploaded (one PATCH streaming the gzip
// while it is hashed, then PUT ?digest=; in Content-Range chunks for a registry that
// asks for them with OCI-Chunk-Min-Length). Then the config and a schema 2 manifest, whose
// digest becomes a RepoDigest.
import { notFound, WharfError } from "../errors.ts";
import { familiarString, fullName, parseNormalized, type Reference } from "../image/reference.ts";
import type { ImageRecord } from "../image/store.ts";
import type { Digest } from "../storage/types.ts";
import type { AuthConfig } from "./auth.ts";
import { RegistrySession, type Scope } from "./client.ts";
import { gzip } from "./compress.ts";
import { registryError, uploadRetryable } from "./errors.ts";
import { Semaphore } from "./limit.ts";
import { MediaType } from "./manifest.ts";
import { bytes, shortId, status, throttle, type ProgressOut } from "./progress.ts";
import { sessionFor, type DistributionContext } from "./pull.ts";

export interface PreparedPush {
  run(out: ProgressOut, signal?: AbortSignal): Promise<void>;
}

interface PushedLayer {
  mediaType: string;
  size: number;
  digest: Digest;
}

/** The images to push: the one tag asked for, or every tag of the repository. */
function selectTags(ctx: DistributionContext, repo: Reference, tag: string | undefined): { ref: Reference; rec: ImageRecord }[] {
  const { svc } = ctx;
  if (tag) {
    const ref = { ...repo, tag };
    const id = svc.tags.get(ref);
    const rec = id && svc.images.get(id);
    if (!rec) throw notFound(`An image does not exist locally with the tag: ${familiarString(ref)}`);
    return [{ ref, rec }];
  }
  const out: { ref: Reference; rec: ImageRecord }[] = [];
  for (const [ref, id] of svc.tags.entries()) {
    if (ref.digest || ref.domain !== repo.domain || ref.path !== repo.path) continue;
    const rec = svc.images.get(id);
    if (rec) out.push({ ref, rec });
  }
  if (!out.length) throw notFound(`An image does not exist locally with the tag: ${familiarString(repo)}`);
  return out.sort((a, b) => (a.ref.tag ?? "").localeCompare(b.ref.tag ?? ""));
}

export async function preparePush(ctx: DistributionContext, name: string, tag: string | undefined, auth: AuthConfig): Promise<PreparedPush> {
  const parsed = parseNormalized(name);
  const repo: Reference = { domain: parsed.domain, path: parsed.path };
  const targets = selectTags(ctx, repo, tag ?? parsed.tag);
  return {
    run: async (out, signal) => {
      out(status(`The push refers to repository [${fullName(repo)}]`));
      const session = sessionFor(ctx, repo.domain, auth);
      try {
        for (const t of targets) await pushOne(ctx, session, t.ref, t.rec, out, signal);
      } catch (e) {
        // dockerd's push reports the cause without the request that met it.
        if (e instanceof WharfError) throw new WharfError(e.kind, e.message.replace(/^[A-Z][a-z]+ "[^"]*": /, ""));
        throw e;
      }
    },
  };
}

async function pushOne(ctx: DistributionContext, s: RegistrySession, ref: Reference, rec: ImageRecord, out: ProgressOut, signal?: AbortSignal): Promise<void> {
  const { svc } = ctx;
  const repoName = fullName(ref);
  const scope: Scope = { repo: ref.path, actions: ["pull", "push"] };
  const diffIds = rec.config.rootfs?.diff_ids ?? [];
  const chain = svc.chain(rec);
  const order = diffIds.map((_, i) => i).reverse();
  for (const i of order) out(status("Preparing", shortId(diffIds[i]!)));
  const sem = new Semaphore(Math.max(1, ctx.options.maxConcurrentUploads));
  const pushed: PushedLayer[] = new Array(diffIds.length);
  // Two layers with the same diff id (rare, but legal) are pushed once.
  const byDiff = new Map<Digest, Promise<PushedLayer>>();
  const jobs = order.map((i) => {
    const diffId = diffIds[i]!;
    let p = byDiff.get(diffId);
    if (!p) {
      p = sem.run(() => withRetries(() => pushLayer(ctx, s, scope, repoName, ref, diffId, chain[i]!, out, signal), shortId(diffId), out, signal));
      byDiff.set(diffId, p);
    }
    return p.then((l) => void (pushed[i] = l));
  });
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((x) => x.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;

  await ensureBlob(s, scope, rec.id, rec.raw);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, size: rec.raw.length, digest: rec.id },
    layers: pushed.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  // dockerd's encoding (json.MarshalIndent with three spaces), so the digest is the one Docker would make.
  const body = Buffer.from(JSON.stringify(manifest, null, 3));
  const tag = ref.tag ?? "latest";
  const res = await s.request(`/v2/${ref.path}/manifests/${tag}`, scope, {
    method: "PUT",
    headers: { "Content-Type": MediaType.dockerManifest },
    body,
    signal,
  });
  if (res.status !== 201 && res.status !== 200) throw await registryError(res);
  await res.body?.cancel().catch(() => {});
  const digest: Digest = `sha256:${new Bun.CryptoHasher("sha256").update(body).digest("hex")}`;
  await svc.serialize(() => {
    if (svc.images.get(rec.id)) svc.tags.set({ domain: ref.domain, path: ref.path, digest }, rec.id);
  });
  out(status(`${tag}: digest: ${digest} size: ${body.length}`));
  out({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: body.length } });
  svc.publish("push", familiarString(ref), familiarString(ref));
}

/** dockerd's upload manager tries a layer five times, counting down 5, 10, … seconds between. */
const maxUploadAttempts = 5;

async function withRetries<T>(fn: () => Promise<T>, id: string, out: ProgressOut, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (signal?.aborted || attempt >= maxUploadAttempts || !uploadRetryable(e)) throw e;
      for (let delay = attempt * 5; delay > 0; delay--) {
        out(status(`Retrying in ${delay} second${delay === 1 ? "" : "s"}`, id));
        await Bun.sleep(1000);
        if (signal?.aborted) throw e;
      }
    }
  }
}

async function blobExists(s: RegistrySession, scope: Scope, digest: Digest): Promise<number | undefined> {
  const res = await s.request(`/v2/${scope.repo}/blobs/${digest}`, scope, { method: "HEAD" });
  await res.body?.cancel().catch(() => {});
  if (res.status === 200) return Number(res.headers.get("content-length") ?? 0);
  if (res.status === 404) return undefined;
  throw await registryError(res);
}

/** A small blob (the config), uploaded in one monolithic POST + PUT unless present. */
async function ensureBlob(s: RegistrySession, scope: Scope, digest: Digest, raw: Buffer): Promise<void> {
  if ((await blobExists(s, scope, digest)) !== undefined) return;
  const loc = await startUpload(s, scope);
  const res = await s.request(withDigest(loc, digest), scope, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: new Uint8Array(raw) });
  if (res.status !== 201) throw await registryError(res);
  await res.body?.cancel().catch(() => {});
}

function withDigest(location: string, digest: Digest): string {
  return `${location}${location.includes("?") ? "&" : "?"}digest=${encodeURIComponent(digest)}`;
}

function absolute(s: RegistrySession, location: string | null): string {
  if (!location) throw new WharfError("system", "the registry answered an upload without a Location");
  return new URL(location, s.url("/")).toString();
}

async function startUpload(s: RegistrySession, scope: Scope, query = ""): Promise<string> {
  return (await openUpload(s, scope, query)).location;
}

interface Upload {
  location: string;
  /** OCI-Chunk-Min-Length: the registry takes the blob only in PATCHes of at least this many bytes. */
  minChunk: number;
}

async function openUpload(s: RegistrySession, scope: Scope, query = ""): Promise<Upload> {
  const res = await s.request(`/v2/${scope.repo}/blobs/uploads/${query}`, scope, { method: "POST", redirect: "manual" });
  if (res.status !== 202) throw await registryError(res);
  await res.body?.cancel().catch(() => {});
  return uploadOf(s, res);
}

function uploadOf(s: RegistrySession, res: Response): Upload {
  return { location: absolute(s, res.headers.get("location")), minChunk: Number(res.headers.get("oci-chunk-min-length") ?? 0) || 0 };
}

/** Chunks at least this big (an S3 multipart part's minimum), or the registry's minimum if larger. */
const chunkFloor = 5 << 20;

/**
 * The chunked upload of the distribution spec: PATCHes with `Content-Range: start-end`,
 * each at the Location the last one answered. Returns where to PUT ?digest=.
 */
async function patchChunks(s: RegistrySession, scope: Scope, up: Upload, body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<string> {
  const size = Math.max(up.minChunk, chunkFloor);
  let location = up.location;
  let offset = 0;
  let parts: Uint8Array[] = [];
  let held = 0;
  const flush = async () => {
    const data = Buffer.concat(parts, held);
    parts = [];
    held = 0;
    const res = await s.request(location, scope, {
      method: "PATCH",
      headers: { "Content-Type": "application/octet-stream", "Content-Range": `${offset}-${offset + data.length - 1}`, "Content-Length": String(data.length) },
      body: data,
      signal,
      redirect: "manual",
    });
    if (res.status !== 202) throw await registryError(res);
    await res.body?.cancel().catch(() => {});
    offset += data.length;
    // The registry says how much it holds: a chunk it did not take whole is an error, not a gap.
    const range = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get("range") ?? "");
    if (range && Number(range[1]) + 1 !== offset) throw new WharfError("system", `the registry holds ${Number(range[1]) + 1} bytes of the upload, ${offset} were sent`);
    location = absolute(s, res.headers.get("location") ?? location);
  };
  for await (const c of body) {
    parts.push(c);
    held += c.length;
    if (held >= size) await flush();
  }
  if (held) await flush();
  return location;
}

async function pushLayer(
  ctx: DistributionContext,
  s: RegistrySession,
  scope: Scope,
  repoName: string,
  ref: Reference,
  diffId: Digest,
  chainId: Digest,
  out: ProgressOut,
  signal?: AbortSignal,
): Promise<PushedLayer> {
  const id = shortId(diffId);
  const known = ctx.metadata.get(diffId).filter((r) => parseNormalized(r.repository).domain === ref.domain);
  // Blobs this repository already has: a HEAD each.
  for (const r of known.filter((r) => r.repository === repoName)) {
    const size = await blobExists(s, scope, r.digest);
    if (size !== undefined) {
      out(status("Layer already exists", id));
      return { mediaType: r.mediaType ?? MediaType.dockerLayer, size, digest: r.digest };
    }
  }
  // Blobs another repository of this registry has: mount them.
  let upload: Upload | undefined;
  for (const r of known.filter((r) => r.repository !== repoName)) {
    const from = parseNormalized(r.repository).path;
    const res = await s.request(`/v2/${scope.repo}/blobs/uploads/?mount=${encodeURIComponent(r.digest)}&from=${encodeURIComponent(from)}`, scope, {
      method: "POST",
      redirect: "manual",
    });
    await res.body?.cancel().catch(() => {});
    if (res.status === 201) {
      out(status(`Mounted from ${from}`, id));
      ctx.metadata.add(diffId, { digest: r.digest, repository: repoName, mediaType: r.mediaType });
      const size = (await blobExists(s, scope, r.digest)) ?? 0;
      return { mediaType: r.mediaType ?? MediaType.dockerLayer, size, digest: r.digest };
    }
    if (res.status === 202) {
      upload = uploadOf(s, res);
      break;
    }
  }
  upload ??= await openUpload(s, scope);
  const total = ctx.svc.layers.get(chainId)?.size ?? 0;
  const tick = throttle(100);
  let read = 0;
  let sent = 0;
  const hasher = new Bun.CryptoHasher("sha256");
  const tar = ctx.svc.layers.tarStream(chainId);
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const c of tar) {
      read += c.length;
      if (tick()) out(bytes("Pushing", id, read, total));
      yield c;
    }
  }
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const c of gzip(counted())) {
      hasher.update(c);
      sent += c.length;
      yield c;
    }
  }
  let committed: string;
  if (upload.minChunk > 0) {
    committed = await patchChunks(s, scope, upload, hashed(), signal);
  } else {
    committed = await patchStream(s, scope, upload.location, hashed(), signal);
  }
  const digest: Digest = `sha256:${hasher.digest("hex")}`;
  const put = await s.request(withDigest(committed, digest), scope, { method: "PUT", signal });
  if (put.status !== 201) throw await registryError(put);
  await put.body?.cancel().catch(() => {});
  out(bytes("Pushing", id, read, total));
  out(status("Pushed", id));
  ctx.metadata.add(diffId, { digest, repository: repoName, mediaType: MediaType.dockerLayer });
  return { mediaType: MediaType.dockerLayer, size: sent, digest };
}

/** As dockerd: the whole blob streamed in one PATCH. Returns where to PUT ?digest=. */
async function patchStream(s: RegistrySession, scope: Scope, upload: string, chunks: AsyncGenerator<Uint8Array>, signal?: AbortSignal): Promise<string> {
  const it = chunks;
  const body = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      const r = await it.next();
      if (r.done) ctl.close();
      else ctl.enqueue(r.value);
    },
    async cancel() {
      await it.return(undefined);
    },
  });
  const patch = await s.request(upload, scope, { method: "PATCH", headers: { "Content-Type": "application/octet-stream" }, body, signal, redirect: "manual" });
  if (patch.status !== 202) throw await registryError(patch);
  await patch.body?.cancel().catch(() => {});
  return absolute(s, patch.headers.get("location") ?? upload);
}
