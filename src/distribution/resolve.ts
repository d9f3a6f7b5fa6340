// From a reference to the image manifest to pull: fetch what the tag or digest names,
// check its digest, and pick the platform's entry out of a manifest list or OCI index.
// Failures carry dockerd's sentences (distribution/errors.go).
import { invalidParameter, WharfError } from "../errors.ts";
import { familiarName, familiarString, type Reference } from "../image/reference.ts";
import type { Digest } from "../storage/types.ts";
import type { RegistrySession } from "./client.ts";
import { describeItem, RegistryError, registryError } from "./errors.ts";
import { acceptManifests, parseManifest, type Descriptor, type ImageManifest, type Manifest } from "./manifest.ts";
import { formatPlatform, matches, normalize, type Platform } from "./platform.ts";

export interface Resolved {
  /** The digest the tag points to (a list's digest for multi-platform images): RepoDigests and `Digest:`. */
  digest: Digest;
  manifest: ImageManifest;
  /** The chosen image manifest's own digest. */
  manifestDigest: Digest;
}

const sha = (b: Uint8Array): Digest => `sha256:${new Bun.CryptoHasher("sha256").update(b).digest("hex")}`;

/** dockerd's translatePullError: the codes that mean "not there" become 404s with its words. */
export function translatePullError(e: unknown, ref: Reference): unknown {
  if (!(e instanceof RegistryError) || !e.items.length) return e;
  const first = e.items[0]!;
  const cause = describeItem(first);
  switch (first.code) {
    case "DENIED":
    case "UNAUTHORIZED":
      return new WharfError("notFound", `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${cause}`);
    case "MANIFEST_UNKNOWN":
      return new WharfError("notFound", `manifest for ${familiarString(ref)} not found: ${cause}`);
    case "NAME_UNKNOWN":
      return new WharfError("notFound", `repository ${familiarName(ref)} not found: ${cause}`);
  }
  return e;
}

async function fetchManifest(s: RegistrySession, repo: string, reference: string, expect?: Digest): Promise<{ raw: Buffer; manifest: Manifest; digest: Digest }> {
  const path = `/v2/${repo}/manifests/${reference}`;
  // dockerd HEADs a tag first, and its errors name that request.
  await s.authorization({ repo, actions: ["pull"] }, expect ? "GET" : "HEAD", s.url(path));
  const res = await s.request(path, { repo, actions: ["pull"] }, { headers: { Accept: acceptManifests } });
  if (!res.ok) throw await registryError(res);
  const raw = Buffer.from(await res.arrayBuffer());
  const digest = sha(raw);
  if (expect && digest !== expect) throw invalidParameter(`manifest verification failed for digest ${expect}`);
  return { raw, manifest: parseManifest(raw, res.headers.get("content-type") ?? ""), digest };
}

export function choosePlatform(entries: Descriptor[], want: Platform): Descriptor {
  const hit = entries.find((d) => d.platform && d.platform.os && d.platform.architecture && matches(want, d.platform as Platform));
  if (!hit) throw new WharfError("notFound", `no matching manifest for ${formatPlatform(normalize(want))} in the manifest list entries`);
  return hit;
}

export async function resolveManifest(s: RegistrySession, ref: Reference, platform: Platform): Promise<Resolved> {
  try {
    const top = await fetchManifest(s, ref.path, ref.digest ?? ref.tag ?? "latest", ref.digest as Digest | undefined);
    if (top.manifest.kind === "manifest") return { digest: top.digest, manifest: top.manifest, manifestDigest: top.digest };
    const entry = choosePlatform(top.manifest.manifests, platform);
    const child = await fetchManifest(s, ref.path, entry.digest, entry.digest);
    if (child.manifest.kind !== "manifest") throw invalidParameter(`manifest ${entry.digest} in the list is itself a list`);
    return { digest: top.digest, manifest: child.manifest, manifestDigest: child.digest };
  } catch (e) {
    throw translatePullError(e, ref);
  }
}
