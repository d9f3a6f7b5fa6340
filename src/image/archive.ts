// Reads the two archive formats `docker load` accepts out of a spool, into load plans:
// a docker-archive (`manifest.json`, `repositories`, `<id>/layer.tar` or `blobs/sha256/…`)
// and an OCI image layout (`oci-layout`, `index.json`, blobs, nested indexes). Every
// name, digest and count is checked here, before anything touches the stores.
import { invalidParameter } from "../errors.ts";
import type { Digest } from "../storage/types.ts";
import { parseImageConfig, sha256, type ImageConfigJson } from "./store.ts";
import { parseNormalized, withDefaultTag, type Reference } from "./reference.ts";
import { fileDigest, type Spool, type SpooledFile } from "./spool.ts";
import { goArch } from "../sys/host.ts";

export interface LoadPlan {
  raw: Buffer;
  config: ImageConfigJson;
  id: Digest;
  layers: SpooledFile[];
  /** The archive names of the layers, for messages. */
  layerNames: string[];
  tags: Reference[];
  /** An untagged parent of a legacy archive: loaded, but not reported (as dockerd). */
  quiet?: boolean;
  /** A legacy archive's parent image, recorded as dockerd's SetParent does. */
  parent?: Digest;
}

const bad = (msg: string) => invalidParameter(`invalid archive: ${msg}`);

/** The archive's JSON files as parsed: every field is checked before it is used. */
function parseJson(raw: Buffer, name: string): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw bad(`${name} is not valid JSON: ${(err as Error).message}`);
  }
}

/** A config named like a blob (`…/sha256/<hex>`) must hash to that name. */
function checkBlobName(name: string, raw: Buffer): void {
  const m = /(?:^|\/)sha256\/([a-f0-9]{64})$/.exec(name);
  if (m && sha256(raw) !== `sha256:${m[1]}`) throw bad(`${name} does not match its digest (its content is ${sha256(raw)})`);
}

function parseTag(s: unknown, where: string): Reference {
  if (typeof s !== "string") throw bad(`${where} has a tag that is not a string`);
  try {
    return withDefaultTag(parseNormalized(s));
  } catch (err) {
    throw bad(`${where} has an invalid tag ${JSON.stringify(s)}: ${(err as Error).message}`);
  }
}

export async function dockerArchivePlans(spool: Spool): Promise<LoadPlan[]> {
  const manifest = parseJson(await spool.read("manifest.json", "the archive"), "manifest.json");
  if (!Array.isArray(manifest)) throw bad("manifest.json is not a list of images");
  const plans: LoadPlan[] = [];
  for (const [i, m] of (manifest as ({ Config?: unknown; Layers?: unknown; RepoTags?: unknown } | null)[]).entries()) {
    const where = `manifest.json entry ${i}`;
    if (!m || typeof m.Config !== "string" || !Array.isArray(m.Layers ?? [])) throw bad(`${where} needs Config (a file name) and Layers (a list)`);
    const cfgFile = spool.lookup(m.Config);
    if (!cfgFile) throw bad(`manifest.json names ${m.Config}, which is not in the archive`);
    const raw = await spool.read(m.Config, "manifest.json");
    checkBlobName(m.Config, raw);
    const config = parseImageConfig(raw, m.Config);
    const diffIds = config.rootfs!.diff_ids;
    const names = (m.Layers ?? []) as unknown[];
    if (diffIds.length !== names.length) {
      throw bad(`${m.Config} lists ${diffIds.length} layer diff ids but manifest.json lists ${names.length} layers`);
    }
    const layers: SpooledFile[] = [];
    for (const [j, name] of names.entries()) {
      if (typeof name !== "string") throw bad(`${where} has a layer name that is not a string`);
      const f = spool.lookup(name);
      if (!f) throw bad(`manifest.json names ${name}, which is not in the archive`);
      // Its content is checked against the config's diff id as the layer store applies it.
      layers.push(f);
    }
    const tags = ((m.RepoTags ?? []) as unknown[]).map((t) => parseTag(t, where));
    plans.push({ raw, config, id: sha256(raw), layers, layerNames: names as string[], tags });
  }
  return plans;
}

const indexTypes = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
const manifestTypes = ["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"];

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

function checkDescriptor(raw: unknown, where: string): Descriptor {
  const d = raw as { digest?: unknown } | null;
  if (!d || typeof d.digest !== "string" || !/^sha256:[a-f0-9]{64}$/.test(d.digest)) {
    throw bad(`${where} has a descriptor without a valid sha256 digest`);
  }
  return d as Descriptor;
}

/** An OCI index or image manifest as read, before its descriptors are checked. */
interface IndexOrManifest {
  mediaType?: string;
  manifests?: unknown;
  config?: unknown;
  layers?: unknown;
}

/**
 * A blob of the layout, checked against its descriptor's size and, unless it is a layer
 * (whose uncompressed content the layer store checks against the config's diff id), digest.
 */
async function blob(spool: Spool, d: Descriptor, what: string, opts: { hash: boolean }): Promise<SpooledFile> {
  const name = `blobs/sha256/${d.digest.slice(7)}`;
  const f = spool.lookup(name);
  if (!f) throw bad(`${what} names blob ${d.digest}, which is not in the archive`);
  if (typeof d.size === "number" && d.size !== f.size) throw bad(`blob ${d.digest} has ${f.size} bytes, its descriptor says ${d.size}`);
  if (opts.hash) {
    if (!f.path) throw bad(`${what} names blob ${d.digest} as a JSON document, but it is a layer`);
    const got = await fileDigest(f);
    if (got !== d.digest) throw bad(`blob ${d.digest} does not match its digest (its content is ${got})`);
  }
  return f;
}

/** The name an OCI index gives an image: containerd's annotation, or a full ref.name. */
function ociName(d: Descriptor): Reference[] {
  const a = d.annotations ?? {};
  const name = a["io.containerd.image.name"] ?? a["org.opencontainers.image.ref.name"];
  // A bare ref.name (`1.0`) is only a tag within the layout, not an image name.
  if (!name || !/[/:]/.test(name)) return [];
  return [parseTag(name, "index.json annotation")];
}

export async function ociPlans(spool: Spool): Promise<LoadPlan[]> {
  if (!spool.has("oci-layout")) throw bad("index.json without oci-layout: not an OCI image layout");
  const layout = parseJson(await spool.read("oci-layout", "the OCI layout"), "oci-layout") as { imageLayoutVersion?: unknown } | null;
  if (layout?.imageLayoutVersion !== "1.0.0") throw bad(`unsupported OCI layout version ${JSON.stringify(layout?.imageLayoutVersion)}`);
  const index = parseJson(await spool.read("index.json", "the OCI layout"), "index.json");
  const plans: LoadPlan[] = [];
  await walkIndex(spool, index, "index.json", [], plans, 0);
  if (!plans.length) throw bad(`index.json holds no image for linux/${goArch()}`);
  return plans;
}

async function walkIndex(spool: Spool, index: unknown, where: string, names: Reference[], plans: LoadPlan[], depth: number): Promise<void> {
  if (depth > 8) throw bad("indexes nested too deeply");
  const manifests = (index as IndexOrManifest | null)?.manifests;
  if (!Array.isArray(manifests)) throw bad(`${where} has no manifests list`);
  for (const raw of manifests) {
    const d = checkDescriptor(raw, where);
    const p = d.platform;
    if (p && ((p.os && p.os !== "linux") || (p.architecture && p.architecture !== goArch()))) continue;
    const own = ociName(d);
    const tags = own.length ? own : names;
    const f = await blob(spool, d, where, { hash: true });
    const body = (parseJson(Buffer.from(await Bun.file(f.path).arrayBuffer()), d.digest)) as IndexOrManifest;
    const type = d.mediaType ?? body.mediaType;
    if (indexTypes.includes(type!) || (!type && Array.isArray(body.manifests))) {
      await walkIndex(spool, body, `index ${d.digest}`, tags, plans, depth + 1);
    } else if (manifestTypes.includes(type!) || (!type && body.config)) {
      plans.push(await manifestPlan(spool, body, d.digest, tags));
    }
  }
}

async function manifestPlan(spool: Spool, m: IndexOrManifest, digest: string, tags: Reference[]): Promise<LoadPlan> {
  const where = `manifest ${digest}`;
  const cd = checkDescriptor(m.config, where);
  const cfgFile = await blob(spool, cd, where, { hash: true });
  const raw = Buffer.from(await Bun.file(cfgFile.path).arrayBuffer());
  const config = parseImageConfig(raw, cd.digest);
  const layerDescs: Descriptor[] = (Array.isArray(m.layers) ? m.layers : []).map((l: unknown) => checkDescriptor(l, where));
  const diffIds = config.rootfs!.diff_ids;
  if (diffIds.length !== layerDescs.length) {
    throw bad(`config ${cd.digest} lists ${diffIds.length} layer diff ids but ${where} lists ${layerDescs.length} layers`);
  }
  const layers: SpooledFile[] = [];
  for (const l of layerDescs) layers.push(await blob(spool, l, where, { hash: false }));
  return { raw, config, id: sha256(raw), layers, layerNames: layerDescs.map((l) => `blobs/sha256/${l.digest.slice(7)}`), tags };
}

/** The keys a v1 image JSON has that its image config does not (moby's MakeConfigFromV1Config). */
const v1Only = ["id", "parent", "Size", "parent_id", "layer_id", "throwaway"];

/** What the legacy loader reads of a v1 image JSON (the rest is carried over as it is). */
interface V1Json {
  os?: unknown;
  parent?: unknown;
  created?: string;
  author?: string;
  comment?: string;
  container_config?: { Cmd?: unknown } | null;
}

/**
 * The layout `docker save` wrote before 1.10: `repositories` ({name: {tag: v1 id}}) and a
 * directory per v1 image with its `json` (config and parent id) and `layer.tar`. Each
 * image is made as dockerd's legacy loader makes it: the v1 JSON without its v1 keys,
 * plus rootfs and history built down the parent chain. Parents come first.
 */
export async function legacyPlans(spool: Spool): Promise<LoadPlan[]> {
  const repos = parseJson(await spool.read("repositories", "the archive"), "repositories");
  if (!repos || typeof repos !== "object" || Array.isArray(repos)) throw bad("repositories is not an object of names to tags");
  const plans: LoadPlan[] = [];
  const byOldId = new Map<string, LoadPlan>();
  const load = async (oldId: string, depth: number): Promise<LoadPlan> => {
    const done = byOldId.get(oldId);
    if (done) return done;
    if (depth > 256 || !/^[a-f0-9]{64}$/.test(oldId)) throw bad(`invalid target ID: ${oldId}`);
    const jsonName = `${oldId}/json`;
    if (!spool.has(jsonName)) throw bad(`repositories names ${oldId}, but ${jsonName} is not in the archive`);
    const v1 = parseJson(await spool.read(jsonName, "repositories"), jsonName) as V1Json | null;
    if (!v1 || typeof v1 !== "object") throw bad(`${jsonName} is not an object`);
    if (v1.os && v1.os !== "linux") throw bad(`cannot load ${v1.os} image on linux`);
    const parent = typeof v1.parent === "string" && v1.parent ? await load(v1.parent, depth + 1) : undefined;
    const layerName = `${oldId}/layer.tar`;
    const layer = spool.lookup(layerName);
    if (!layer) throw bad(`${layerName} is not in the archive`);
    const diffIds = [...(parent?.config.rootfs?.diff_ids ?? []), await fileDigest(layer)];
    const cmd: unknown = v1.container_config?.Cmd;
    const history = [
      ...(parent?.config.history ?? []),
      {
        created: v1.created,
        ...(v1.author ? { author: v1.author } : {}),
        ...(Array.isArray(cmd) && cmd.length ? { created_by: cmd.join(" ") } : {}),
        ...(v1.comment ? { comment: v1.comment } : {}),
      },
    ];
    const cfg: Record<string, unknown> = { ...v1, rootfs: { type: "layers", diff_ids: diffIds }, history };
    for (const k of v1Only) delete cfg[k];
    // Go marshals the config map with its keys sorted: the same bytes, the same image ID.
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(cfg).sort()) sorted[k] = cfg[k];
    const raw = Buffer.from(JSON.stringify(sorted));
    const config = parseImageConfig(raw, jsonName);
    const plan: LoadPlan = {
      raw,
      config,
      id: sha256(raw),
      layers: [...(parent?.layers ?? []), layer],
      layerNames: [...(parent?.layerNames ?? []), layerName],
      tags: [],
      quiet: true,
      ...(parent ? { parent: parent.id } : {}),
    };
    byOldId.set(oldId, plan);
    plans.push(plan);
    return plan;
  };
  for (const [name, tagMap] of Object.entries(repos as Record<string, unknown>)) {
    if (!tagMap || typeof tagMap !== "object") throw bad(`repositories entry ${name} is not an object of tags`);
    for (const [tag, oldId] of Object.entries(tagMap as Record<string, unknown>)) {
      if (typeof oldId !== "string") throw bad(`repositories entry ${name}:${tag} is not an image ID`);
      const plan = await load(oldId, 0);
      plan.tags.push(parseTag(`${name}:${tag}`, "repositories"));
      plan.quiet = false;
    }
  }
  if (!plans.length) throw bad("repositories names no image");
  return plans;
}
