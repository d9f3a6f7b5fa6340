// GET /images/get: a docker-archive as Docker 25+ writes it, which is also an OCI image
// layout: layer tars, configs and OCI manifests under blobs/sha256/<hex>, plus
// manifest.json, repositories, index.json and oci-layout. Names are resolved before the
// first byte is sent, so an unknown name is a clean 404.
import { notFound } from "../errors.ts";
import type { Digest } from "../storage/types.ts";
import { familiarName, familiarString, looksLikeId, parseNormalized, referenceString, type Reference } from "./reference.ts";
import type { ImageService } from "./service.ts";
import type { ImageRecord } from "./store.ts";
import { sha256 } from "./store.ts";
import { tarEnd, tarHeader, tarPadding } from "./tar.ts";

interface Selected {
  rec: ImageRecord;
  tags: Reference[];
}

/** Which images, and which of their tags, the names ask for (docker save's rules). */
export function selectImages(svc: ImageService, names: string[]): Selected[] {
  const byId = new Map<Digest, Selected>();
  const add = (rec: ImageRecord, tags: Reference[]) => {
    const s = byId.get(rec.id) ?? { rec, tags: [] };
    for (const t of tags) if (!s.tags.some((x) => referenceString(x) === referenceString(t))) s.tags.push(t);
    byId.set(rec.id, s);
  };
  for (const name of names) {
    let ref: Reference | undefined;
    try {
      ref = parseNormalized(name);
    } catch {}
    const named = ref && svc.tags.get(ref.tag || ref.digest ? ref : { ...ref, tag: "latest" });
    if (!named && looksLikeId(name)) {
      const rec = svc.tryResolve(name);
      if (rec) {
        add(rec, []);
        continue;
      }
    }
    if (!ref) throw notFound(`No such image: ${name}`);
    if (ref.tag === undefined && ref.digest === undefined) {
      // A bare repository name saves every tag of that repository.
      const all = svc.tags.entries().filter(([r]) => !r.digest && r.domain === ref!.domain && r.path === ref!.path);
      if (!all.length) throw notFound(`No such image: ${name}`);
      for (const [r, id] of all) add(svc.images.get(id)!, [r]);
      continue;
    }
    const rec = svc.tryResolve(name);
    if (!rec) throw notFound(`No such image: ${name}`);
    add(rec, ref.tag !== undefined ? [ref] : []);
  }
  return [...byId.values()];
}

const enc = (v: unknown) => Buffer.from(JSON.stringify(v));

function* fileEntry(name: string, data: Uint8Array): Generator<Uint8Array> {
  yield tarHeader({ name, size: data.length, mtime: 0 });
  yield data;
  yield tarPadding(data.length);
}

async function tarSize(svc: ImageService, chainId: Digest): Promise<number> {
  let n = 0;
  for await (const c of svc.layers.tarStream(chainId)) n += c.length;
  return n;
}

/**
 * The archive of the selected images. Their top layers are retained from the call until
 * the archive is finished or abandoned, so an rmi meanwhile cannot pull layers out from
 * under it.
 */
export function saveImages(svc: ImageService, selected: Selected[]): AsyncGenerator<Uint8Array> {
  const held = selected.map((s) => svc.topLayer(s.rec)).filter((t): t is Digest => t !== null);
  for (const t of held) svc.layers.retain(t);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    for (const t of held) await svc.layers.release(t).catch(() => {});
  };
  const inner = writeArchive(svc, selected);
  return (async function* () {
    try {
      yield* inner;
    } finally {
      await release();
    }
  })();
}

async function* writeArchive(svc: ImageService, selected: Selected[]): AsyncGenerator<Uint8Array> {
  const written = new Set<string>();
  const manifest: unknown[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const index: unknown[] = [];
  yield tarHeader({ name: "blobs/", size: 0, type: "dir", mtime: 0 });
  yield tarHeader({ name: "blobs/sha256/", size: 0, type: "dir", mtime: 0 });
  for (const { rec, tags } of selected) {
    const diffIds = rec.config.rootfs?.diff_ids ?? [];
    const chain = svc.chain(rec);
    const layerDescs: { mediaType: string; digest: Digest; size: number }[] = [];
    for (const [i, diffId] of diffIds.entries()) {
      const blob = `blobs/sha256/${diffId.slice(7)}`;
      const size = await tarSize(svc, chain[i]!);
      layerDescs.push({ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: diffId, size });
      if (written.has(blob)) continue;
      written.add(blob);
      yield tarHeader({ name: blob, size, mtime: 0 });
      let n = 0;
      for await (const c of svc.layers.tarStream(chain[i]!)) {
        n += c.length;
        yield c;
      }
      if (n !== size) throw new Error(`layer ${chain[i]} changed while it was being saved`);
      yield tarPadding(size);
    }
    const cfgName = `blobs/sha256/${rec.id.slice(7)}`;
    if (!written.has(cfgName)) {
      written.add(cfgName);
      yield* fileEntry(cfgName, rec.raw);
    }
    const ociManifest = enc({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: rec.id, size: rec.raw.length },
      layers: layerDescs,
    });
    const mDigest = sha256(ociManifest);
    const mName = `blobs/sha256/${mDigest.slice(7)}`;
    if (!written.has(mName)) {
      written.add(mName);
      yield* fileEntry(mName, ociManifest);
    }
    manifest.push({ Config: cfgName, RepoTags: tags.length ? tags.map(familiarString) : null, Layers: diffIds.map((d) => `blobs/sha256/${d.slice(7)}`) });
    const desc = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: mDigest, size: ociManifest.length };
    if (!tags.length) index.push(desc);
    for (const t of tags) {
      index.push({ ...desc, annotations: { "io.containerd.image.name": referenceString(t), "org.opencontainers.image.ref.name": t.tag } });
      if (diffIds.length) (repositories[familiarName(t)] ??= {})[t.tag!] = diffIds[diffIds.length - 1]!.slice(7);
    }
  }
  yield* fileEntry("index.json", enc({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: index }));
  yield* fileEntry("manifest.json", enc(manifest));
  yield* fileEntry("oci-layout", enc({ imageLayoutVersion: "1.0.0" }));
  yield* fileEntry("repositories", enc(repositories));
  yield tarEnd();
}
