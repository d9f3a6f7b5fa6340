// The distribution jobs the daemon registers with the engine (daemon/backends.ts makes the
// registry routes' backend of them), and the requests they take.
import { invalidParameter, WharfError } from "../errors.ts";
import { parseNormalized, parseRepoTag, withDefaultTag, type Reference } from "../image/reference.ts";
import type { ImageService } from "../image/service.ts";
import { decodeRegistryAuth, type AuthConfig } from "./auth.ts";
import { fetchSmallBlob, sweepDiscarded } from "./blob.ts";
import { RegistrySession } from "./client.ts";
import { registryError } from "./errors.ts";
import { endpointsFor, type RegistryOptions } from "./endpoint.ts";
import { login } from "./login.ts";
import { DistributionMetadata } from "./metadata.ts";
import { hostPlatform } from "./platform.ts";
import { encodeMessage } from "./progress.ts";
import { partialDirOf, sessionFor, type DistributionContext } from "./pull.ts";
import { preparePullAnywhere } from "./mirrors.ts";
import { sweepStalePartials } from "./partial.ts";
import { preparePullAll } from "./pullall.ts";
import { preparePush } from "./push.ts";
import { resolveManifest } from "./resolve.ts";
import { parseImageConfig } from "../image/store.ts";

/** A long job whose progress is Docker's JSON lines; failures before `run` are HTTP errors. */
export interface ProgressJob {
  run(write: (line: string) => void, signal: AbortSignal): Promise<void>;
}

export interface PullRequestParams {
  fromImage: string;
  tag?: string;
  platform?: string;
  /** The X-Registry-Auth header as sent. */
  registryAuth?: string;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

export interface PushRequestParams {
  tag?: string;
  registryAuth?: string;
}

/** A platform as a registry's manifest list gives it (architecture, os, variant, …). */
type PlatformJson = Record<string, unknown>;

/** One result of a registry's v1 search API, as it sends it (any field may be missing). */
interface SearchResultJson {
  star_count?: number;
  is_official?: boolean;
  name?: string;
  is_automated?: boolean;
  description?: string;
}

export function distributionContext(svc: ImageService, options: RegistryOptions): DistributionContext {
  const partialDir = partialDirOf(svc.root);
  sweepStalePartials(partialDir);
  sweepDiscarded(partialDir);
  return { svc, options, metadata: new DistributionMetadata(svc.root), partialDir };
}

/** `fromImage` plus `tag`, where the tag may be a digest. */
export function pullReference(fromImage: string, tag?: string): Reference {
  if (!fromImage) throw invalidParameter("fromImage is required");
  if (tag && /^[A-Za-z][A-Za-z0-9]*:[0-9a-fA-F]{32,}$/.test(tag)) return parseNormalized(`${fromImage}@${tag}`);
  return tag ? parseRepoTag(fromImage, tag) : withDefaultTag(parseNormalized(fromImage));
}

/** A repository name with neither tag nor digest: dockerd pulls all its tags. */
function isNameOnly(fromImage: string): boolean {
  try {
    const r = parseNormalized(fromImage);
    return r.tag === undefined && r.digest === undefined;
  } catch {
    return false;
  }
}

/** The registry verbs, one per registry-router call; the daemon serves them as engine jobs (Engine.serve). */
export function distributionVerbs(ctx: DistributionContext) {
  const inspectAt = async (s: RegistrySession, ref: Reference) => {
    const r = await resolveManifest(s, ref, hostPlatform());
    const top = await s.request(`/v2/${ref.path}/manifests/${r.digest}`, { repo: ref.path, actions: ["pull"] }, {
      method: "HEAD",
      headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json" },
    });
    const mediaType = (top.headers.get("content-type") ?? r.manifest.mediaType).split(";")[0]!;
    const size = Number(top.headers.get("content-length") ?? 0);
    let platforms: PlatformJson[];
    if (r.digest !== r.manifestDigest) {
      const list = await s.request(`/v2/${ref.path}/manifests/${r.digest}`, { repo: ref.path, actions: ["pull"] }, { headers: { Accept: mediaType } });
      const j = (await list.json()) as { manifests?: { platform?: PlatformJson }[] };
      platforms = (j.manifests ?? []).map((m) => m.platform).filter((p): p is PlatformJson => !!p);
    } else {
      const cfg = parseImageConfig(await fetchSmallBlob(s, ref.path, r.manifest.config), r.manifest.config.digest);
      platforms = [{ architecture: cfg.architecture ?? "", os: cfg.os ?? "", ...(cfg.variant ? { variant: cfg.variant } : {}) }];
    }
    return { Descriptor: { mediaType, digest: r.digest, size }, Platforms: platforms };
  };
  return {
    imagePull: async (p: PullRequestParams): Promise<ProgressJob> => {
      if (!p.tag && isNameOnly(p.fromImage)) {
        const all = await preparePullAll(ctx, parseNormalized(p.fromImage), p.platform, decodeRegistryAuth(p.registryAuth));
        return { run: (write, signal) => all.run((m) => write(encodeMessage(m)), signal) };
      }
      const ref = pullReference(p.fromImage, p.tag);
      const prepared = await preparePullAnywhere(ctx, { ref, platform: p.platform, auth: decodeRegistryAuth(p.registryAuth), signal: p.signal });
      return { run: async (write, signal) => void (await prepared.run((m) => write(encodeMessage(m)), signal)) };
    },
    imagePush: async (name: string, p: PushRequestParams): Promise<ProgressJob> => {
      const prepared = await preparePush(ctx, name, p.tag, decodeRegistryAuth(p.registryAuth));
      return { run: async (write, signal) => void (await prepared.run((m) => write(encodeMessage(m)), signal)) };
    },
    auth: async (body: AuthConfig) => login(ctx.options, body),
    distributionInspect: async (name: string, registryAuth?: string) => {
      const ref = withDefaultTag(parseNormalized(name));
      // As a pull: a mirror that fails hands over to the next endpoint.
      const eps = endpointsFor(ref.domain, ctx.options);
      for (const [n, ep] of eps.entries()) {
        try {
          return await inspectAt(new RegistrySession(ep, decodeRegistryAuth(registryAuth)), ref);
        } catch (e) {
          if (!ep.mirror || n === eps.length - 1) throw e;
        }
      }
      throw new WharfError("system", `no endpoint for ${name}`);
    },
    imageSearch: async (fullTerm: string, limit?: number, _registryAuth?: string) => {
      const slash = fullTerm.indexOf("/");
      const first = slash > 0 ? fullTerm.slice(0, slash) : "";
      const remote = first.includes(".") || first.includes(":") || first === "localhost";
      const domain = remote ? first : "docker.io";
      const term = remote ? fullTerm.slice(slash + 1) : fullTerm;
      const ep = endpointsFor(domain, ctx.options).at(-1)!;
      const base = domain === "docker.io" ? "https://index.docker.io" : ep.base;
      const url = `${base}/v1/search?q=${encodeURIComponent(term)}&n=${limit ?? 25}`;
      let res: Response;
      try {
        res = await fetch(url);
      } catch (e) {
        throw new WharfError("system", `Get "${url}": ${(e as Error).message}`);
      }
      if (res.status !== 200) {
        if (res.status === 404) throw new WharfError("notFound", `Unexpected status code 404: the registry at ${domain} has no search API (GET /v1/search)`);
        throw await registryError(res);
      }
      const j = (await res.json()) as { results?: SearchResultJson[] };
      return (j.results ?? []).map((r) => ({
        star_count: r.star_count ?? 0,
        is_official: !!r.is_official,
        name: r.name ?? "",
        is_automated: !!r.is_automated,
        description: r.description ?? "",
      }));
    },
  };
}

export const distributionVerbNames = ["imagePull", "imagePush", "distributionInspect", "imageSearch", "auth"] as const;
