// Manifests of the Distribution and OCI specs: Docker v2 schema 2 and its manifest list,
// OCI image manifest and index. Parsing checks what pull relies on, nothing more.
import { invalidParameter } from "../errors.ts";
import { isDigest } from "../storage/digest.ts";
import type { Digest } from "../storage/types.ts";
import type { Platform } from "./platform.ts";

export const MediaType = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerForeignLayer: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
} as const;

/** What pull asks for, in Docker's order of preference. */
export const acceptManifests = [MediaType.dockerManifest, MediaType.dockerList, MediaType.ociManifest, MediaType.ociIndex].join(", ");

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  platform?: Platform & { "os.version"?: string; "os.features"?: string[] };
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: "manifest";
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ManifestIndex {
  kind: "index";
  mediaType: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ManifestIndex;

const bad = (msg: string) => invalidParameter(`invalid manifest: ${msg}`);

function descriptor(d: unknown, where: string): Descriptor {
  if (!d || typeof d !== "object") throw bad(`${where} is not an object`);
  const o = d as { mediaType?: unknown; digest?: unknown; size?: unknown; urls?: unknown; platform?: unknown; annotations?: unknown };
  if (typeof o.digest !== "string" || !isDigest(o.digest)) throw bad(`${where} has an unsupported digest ${JSON.stringify(o.digest)}`);
  if (typeof o.size !== "number" || !Number.isSafeInteger(o.size) || o.size < 0) throw bad(`${where} has an invalid size`);
  return {
    mediaType: typeof o.mediaType === "string" ? o.mediaType : "",
    digest: o.digest,
    size: o.size,
    urls: Array.isArray(o.urls) ? o.urls.filter((u): u is string => typeof u === "string") : undefined,
    platform: o.platform && typeof o.platform === "object" ? (o.platform as Descriptor["platform"]) : undefined,
    annotations: o.annotations && typeof o.annotations === "object" ? (o.annotations as Record<string, string>) : undefined,
  };
}

/** `contentType` is the registry's Content-Type; the body's own mediaType wins when present. */
export function parseManifest(raw: Uint8Array, contentType: string): Manifest {
  let j: { mediaType?: unknown; schemaVersion?: unknown; config?: unknown; layers?: unknown; manifests?: unknown };
  try {
    j = JSON.parse(Buffer.from(raw).toString("utf8"));
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (!j || typeof j !== "object") throw bad("not a JSON object");
  const mediaType = typeof j.mediaType === "string" && j.mediaType ? j.mediaType : contentType.split(";")[0]!.trim();
  if (j.schemaVersion === 1 || mediaType.startsWith("application/vnd.docker.distribution.manifest.v1")) {
    throw invalidParameter("[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support is disabled by default and will be removed in an upcoming release. Suggest the author of the image to upgrade the image to image manifest version 2, schema 2.");
  }
  if (Array.isArray(j.manifests) && (mediaType === MediaType.dockerList || mediaType === MediaType.ociIndex || !j.config)) {
    return { kind: "index", mediaType: mediaType || MediaType.ociIndex, manifests: j.manifests.map((m, i) => descriptor(m, `manifests[${i}]`)) };
  }
  if (!j.config || !Array.isArray(j.layers)) throw bad(`unsupported manifest media type ${mediaType || "(none)"}`);
  return {
    kind: "manifest",
    mediaType: mediaType || MediaType.ociManifest,
    config: descriptor(j.config, "config"),
    layers: j.layers.map((l, i) => descriptor(l, `layers[${i}]`)),
  };
}

export type Compression = "gzip" | "zstd" | "none";

export function layerCompression(mediaType: string): Compression {
  if (mediaType.endsWith("+zstd") || mediaType.endsWith(".zstd")) return "zstd";
  if (mediaType === MediaType.ociLayer || mediaType.endsWith(".tar")) return "none";
  return "gzip";
}
