// The builder's view of the daemon (src/builder/types.ts BuildHost): images from the
// image service, scratch rw layers from the layer store, RUN steps as ordinary
// containers of the container service, and image configs stored with their layers.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { BuildHost, BuildImage, BuildImageConfig, NewLayer, PullProgress, RunConfig, RunOutcome, RunSpec } from "../builder/types.ts";
import { decodeRegistryAuth, type AuthConfig } from "../distribution/auth.ts";
import { preparePull, type DistributionContext } from "../distribution/pull.ts";
import { BuildError } from "../builder/types.ts";
import { BuildService } from "../builder/service.ts";
import { archive } from "../archive/tarwriter.ts";
import { changesTar } from "../archive/changes.ts";
import type { ImageService } from "../image/service.ts";
import { imageDelete } from "../image/delete.ts";
import type { ImageConfigJson, ImageRecord } from "../image/store.ts";
import { familiarString, parseNormalized, withDefaultTag } from "../image/reference.ts";
import type { Digest, LayerStore } from "../storage/types.ts";
import { readLog } from "../logs/jsonfile.ts";
import { goArch } from "../sys/host.ts";
import { wharfVersion } from "../version.ts";
import type { Containers } from "./containers/open.ts";
import { emptyTarDigest, rwChanges } from "./containers/fsops.ts";
import type { HostConfig } from "../api/types/index.ts";

export function openBuilder(dataRoot: string, layers: LayerStore, images: ImageService, containers: Containers, dist: DistributionContext): BuildService {
  let svc!: BuildService;
  const host = new DaemonBuildHost(layers, images, containers, dist, (id) => svc.cacheMountDir(id));
  svc = new BuildService(join(dataRoot, "builder"), host);
  return svc;
}

/**
 * The credentials X-Registry-Config (base64url JSON, registry → auth config, as the
 * docker CLI sends every login it has) holds for `domain`, matched as dockerd's
 * ResolveAuthConfig does: by exact key, else by host name with scheme and path
 * dropped; Docker Hub under its index address. A header that does not decode is no
 * credentials, as dockerd ignores it.
 */
function authFor(header: string | undefined, domain: string): AuthConfig {
  if (!header) return {};
  let all: unknown;
  try {
    all = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
  } catch {
    return {};
  }
  if (!all || typeof all !== "object") return {};
  const entries = Object.entries(all as { [registry: string]: unknown });
  const key = domain === "docker.io" ? "https://index.docker.io/v1/" : domain;
  const host = (k: string) => k.replace(/^https?:\/\//, "").split("/")[0]!;
  const hit = entries.find(([k]) => k === key) ?? entries.find(([k]) => host(k) === host(key));
  if (!hit || !hit[1] || typeof hit[1] !== "object") return {};
  return decodeRegistryAuth(Buffer.from(JSON.stringify(hit[1])).toString("base64"));
}

const asBuildImage = (rec: ImageRecord): BuildImage => ({ id: rec.id, config: rec.config as unknown as BuildImageConfig });

class DaemonBuildHost implements BuildHost {
  constructor(
    private readonly layers: LayerStore,
    private readonly images: ImageService,
    private readonly containers: Containers,
    private readonly dist: DistributionContext,
    readonly cacheMountDir: (id: string) => string,
  ) {}

  async pull(ref: string, o: { platform?: string; registryConfig?: string }, out: (m: PullProgress) => void, signal: AbortSignal): Promise<BuildImage> {
    const r = withDefaultTag(parseNormalized(ref));
    const prepared = await preparePull(this.dist, { ref: r, platform: o.platform, auth: authFor(o.registryConfig, r.domain) });
    const result = await prepared.run(out, signal);
    const img = this.findImage(result.id);
    if (!img) throw new BuildError(`pulled ${ref} but its image ${result.id} is not in the store`);
    return img;
  }

  findImage(ref: string): BuildImage | undefined {
    try {
      const rec = this.images.tryResolve(ref);
      return rec && asBuildImage(rec);
    } catch {
      return undefined;
    }
  }

  private top(image: BuildImage | null): Digest | null {
    if (!image) return null;
    const rec = this.images.images.get(image.id as Digest);
    return rec ? this.images.topLayer(rec) : null;
  }

  async editLayer(parent: BuildImage | null, edit: (root: string) => Promise<void>): Promise<NewLayer | null> {
    const id = `build-${randomBytes(16).toString("hex")}`;
    const parentTop = this.top(parent);
    await this.layers.createRW(id, parentTop);
    try {
      const root = await this.layers.mountRW(id);
      try {
        await edit(root);
      } finally {
        await this.layers.unmountRW(id);
      }
      return await this.layerOf(id, parentTop);
    } finally {
      await this.layers.removeRW(id).catch(() => {});
    }
  }

  async withImageRoot<T>(image: BuildImage | null, fn: (root: string) => Promise<T>): Promise<T> {
    const id = `build-${randomBytes(16).toString("hex")}`;
    await this.layers.createRW(id, this.top(image));
    try {
      const root = await this.layers.mountRW(id);
      try {
        return await fn(root);
      } finally {
        await this.layers.unmountRW(id);
      }
    } finally {
      await this.layers.removeRW(id).catch(() => {});
    }
  }

  /** The rw layer's changes registered as a layer; null (and nothing kept) when there are none. */
  private async layerOf(rwId: string, parentTop: Digest | null): Promise<NewLayer | null> {
    const upper = this.layers.rwDiffPath(rwId);
    const changes = rwChanges(this.layers, rwId);
    if (!changes.length) return null;
    const layer = await this.layers.register(archive(changesTar(upper, changes)), parentTop);
    if (layer.diffId === emptyTarDigest) {
      await this.layers.release(layer.chainId);
      return null;
    }
    return { diffId: layer.diffId, chainId: layer.chainId };
  }

  async run(spec: RunSpec, hooks: { started(id: string): void; out(text: string): void; signal: AbortSignal }): Promise<RunOutcome> {
    if (!spec.image) throw new BuildError("cannot RUN in a stage FROM scratch with no files: there is no shell to run");
    const svc = this.containers.service;
    const hostConfig: HostConfig = {
      NetworkMode: spec.networkMode,
      Binds: spec.binds.length ? spec.binds : null,
      ...(Object.keys(spec.tmpfs).length ? { Tmpfs: spec.tmpfs } : {}),
      ...(spec.extraHosts.length ? { ExtraHosts: spec.extraHosts } : {}),
      ...(spec.shmSize ? { ShmSize: spec.shmSize } : {}),
      ...(spec.memory ? { Memory: spec.memory } : {}),
      ...(spec.memorySwap ? { MemorySwap: spec.memorySwap } : {}),
      ...(spec.cpuShares ? { CpuShares: spec.cpuShares } : {}),
      ...(spec.cpusetCpus ? { CpusetCpus: spec.cpusetCpus } : {}),
      ...(spec.ulimits?.length ? { Ulimits: spec.ulimits } : {}),
    };
    const { Id } = await svc.containerCreate({
      body: { ...spec.config, Image: spec.image.id, AttachStdout: true, AttachStderr: true, HostConfig: hostConfig },
    });
    hooks.started(Id);
    const c = this.containers.ctx.store.lookup(Id);
    const exited = c.state.wait("next-exit");
    const kill = () => void svc.containerKill(Id, "KILL").catch(() => {});
    hooks.signal.addEventListener("abort", kill);
    try {
      await svc.containerStart(Id);
      const logs = (async () => {
        for await (const e of readLog(c.paths.logPath, { follow: true, stop: exited })) hooks.out(e.log);
      })();
      const status = await exited;
      await logs;
      return { id: Id, exitCode: status.StatusCode };
    } catch (err) {
      // The command never ran (setup failed): the build reports why, as Docker does.
      const code = (err as { exitCode?: number }).exitCode;
      if (code !== undefined) return { id: Id, exitCode: code, startError: (err as Error).message };
      throw err;
    } finally {
      hooks.signal.removeEventListener("abort", kill);
    }
  }

  async createContainer(image: BuildImage, config: RunConfig): Promise<string> {
    // Never started: no network, and no anonymous volumes made for it.
    const { Id } = await this.containers.service.containerCreate({ body: { ...config, Volumes: null, Image: image.id, HostConfig: { NetworkMode: "none" } } });
    return Id;
  }

  async editContainer(id: string, parent: BuildImage, edit: (root: string) => Promise<void>): Promise<NewLayer | null> {
    const root = await this.layers.mountRW(id);
    try {
      await edit(root);
    } finally {
      await this.layers.unmountRW(id);
    }
    return this.layerOf(id, this.top(parent));
  }

  async commitContainer(id: string, parent: BuildImage | null): Promise<NewLayer | null> {
    return this.layerOf(id, this.top(parent));
  }

  async removeContainer(id: string): Promise<void> {
    await this.containers.service.containerRemove(id, { force: true, volumes: true, link: false });
  }

  retainLayer(chainId: string): boolean {
    if (!this.layers.get(chainId as Digest)) return false;
    this.layers.retain(chainId as Digest);
    return true;
  }

  createImage(parent: BuildImage | null, config: BuildImageConfig, layer: NewLayer | null): Promise<BuildImage> {
    return this.images.serialize(async () => {
      const raw = Buffer.from(JSON.stringify(config));
      const { rec, created } = this.images.images.put(raw, config as unknown as ImageConfigJson);
      const parentTop = this.top(parent);
      if (layer) {
        if (!created) await this.layers.release(layer.chainId as Digest);
      } else if (created && parentTop) this.layers.retain(parentTop);
      if (created && parent) this.images.images.setParent(rec.id, parent.id as Digest);
      return asBuildImage(rec);
    });
  }

  tag(ref: string, imageId: string): Promise<string> {
    return this.images.serialize(() => {
      const r = withDefaultTag(parseNormalized(ref));
      this.images.addTag(r, imageId as Digest);
      const name = familiarString(r);
      this.images.publish("tag", imageId, name);
      return name;
    });
  }

  cacheUsage(imageId: string): { size: number; shared: boolean } | undefined {
    const svc = this.images;
    const rec = svc.images.get(imageId as Digest);
    if (!rec) return undefined;
    const held = (id: Digest) => svc.tags.refsOf(id).length > 0 || !!svc.usedBy(id);
    return { size: this.ownLayerSize(rec), shared: held(rec.id) || svc.images.descendants(rec.id).some(held) };
  }

  removeCacheImage(imageId: string): Promise<number | undefined> {
    const svc = this.images;
    const rec = svc.images.get(imageId as Digest);
    if (!rec) return Promise.resolve(0);
    if (svc.tags.refsOf(rec.id).length || svc.usedBy(rec.id) || svc.images.children(rec.id).length) return Promise.resolve(undefined);
    const size = this.ownLayerSize(rec);
    return imageDelete(svc, rec.id, { force: false, noprune: true }).then(
      (items) => (items.some((i) => "Deleted" in i) ? size : undefined),
      () => undefined,
    );
  }

  /** The layer a build step added (its history's last line made one), or 0. */
  private ownLayerSize(rec: ImageRecord): number {
    const hist = rec.config.history ?? [];
    if (!hist.length || hist[hist.length - 1]!.empty_layer) return 0;
    const top = this.images.topLayer(rec);
    return top ? (this.layers.get(top)?.size ?? 0) : 0;
  }

  arch(): string {
    return goArch();
  }

  version(): string {
    return wharfVersion;
  }
}
