// The image service: the image store, the tag store and the layer store together.
// Name resolution, tagging and the views other parts of the daemon use; load, save,
// import, delete and prune live in their own modules and work through this class.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { invalidParameter, notFound } from "../errors.ts";
import type { Digest, LayerStore } from "../storage/types.ts";
import type { EventBus } from "../engine/events.ts";
import { logger } from "../log.ts";
import { ImageStore, sha256, type ImageRecord } from "./store.ts";
import { TagStore } from "./tags.ts";
import { familiarString, looksLikeId, parseNormalized, parseRepoTag, withDefaultTag, type Reference } from "./reference.ts";

const log = logger("image");

/** Which container (name or id) uses an image, if any; the container store provides it. */
export type ImageInUse = (imageId: Digest) => string | undefined;

export function chainIds(diffIds: Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) out.push(out.length ? sha256(`${out[out.length - 1]} ${d}`) : d);
  return out;
}

/**
 * Opens the image service under `<dataRoot>/image/<driver>` (images are only valid with
 * the layers of their driver): drops temp files a crash left, then has every image retain
 * its top layer again, since the layer store keeps references in memory only.
 */
export async function openImageService(dataRoot: string, layers: LayerStore, events?: EventBus): Promise<ImageService> {
  const svc = new ImageService(join(dataRoot, "image", layers.driverName), layers, events);
  rmSync(svc.tmpDir, { recursive: true, force: true });
  svc.retainLayers();
  // Layers no image holds any more (a crash between steps) go now; prune is not in the
  // LayerStore contract, so it is called only where the store has it.
  const prune = (layers as unknown as { prune?: () => Promise<unknown> }).prune;
  if (typeof prune === "function") await prune.call(layers);
  return svc;
}

export class ImageService {
  readonly images: ImageStore;
  readonly tags: TagStore;
  /** Temp space on the same disk as the layers (load spools, save counts). */
  readonly tmpDir: string;
  private inUse: ImageInUse = () => undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly root: string,
    readonly layers: LayerStore,
    readonly events?: EventBus,
  ) {
    this.images = new ImageStore(root);
    this.tags = new TagStore(join(root, "repositories.json"));
    this.tmpDir = join(root, "tmp");
  }

  /** Takes each stored image's reference on its top layer; an image whose layers are gone is dropped. */
  retainLayers(): void {
    for (const rec of this.images.list()) {
      const top = this.topLayer(rec);
      if (!top) continue;
      if (this.layers.get(top)) this.layers.retain(top);
      else {
        log.warn(`image ${rec.id} lost its layer ${top}: removing it`);
        for (const r of this.tags.refsOf(rec.id)) this.tags.delete(r);
        this.images.remove(rec.id);
      }
    }
  }

  setImageInUse(fn: ImageInUse): void {
    this.inUse = fn;
  }

  usedBy(id: Digest): string | undefined {
    return this.inUse(id);
  }

  /** Runs store mutations one at a time: a load, a delete and a tag never interleave. */
  serialize<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  publish(action: string, id: string, name: string): void {
    this.events?.publish("image", action, id, { name });
  }

  /** Full id, `sha256:` id, unique id prefix, or a reference (default tag `latest`). */
  resolve(ref: string): ImageRecord {
    const rec = this.tryResolve(ref);
    if (!rec) throw notFound(`No such image: ${shownRef(ref)}`);
    return rec;
  }

  tryResolve(ref: string): ImageRecord | undefined {
    if (looksLikeId(ref)) {
      const hex = ref.replace(/^sha256:/, "");
      const byId = this.images.get(`sha256:${hex}` as Digest);
      if (byId) return byId;
    }
    let parsed: Reference | undefined;
    try {
      parsed = withDefaultTag(parseNormalized(ref));
    } catch {}
    if (parsed) {
      const id = this.tags.get(parsed);
      if (id) return this.images.get(id);
    }
    // A short id prefix (docker accepts any unique prefix of the hex id).
    if (looksLikeId(ref)) {
      const hex = ref.replace(/^sha256:/, "");
      const hits = this.images.byPrefix(hex);
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw invalidParameter(`ambiguous image reference ${ref}: it matches ${hits.length} images`);
    }
    return undefined;
  }

  /** The chain id of each layer of an image, base first. */
  chain(rec: ImageRecord): Digest[] {
    return chainIds(rec.config.rootfs?.diff_ids ?? []);
  }

  topLayer(rec: ImageRecord): Digest | null {
    const c = this.chain(rec);
    return c.length ? c[c.length - 1]! : null;
  }

  /** Bytes of all the image's layers. */
  size(rec: ImageRecord): number {
    return this.chain(rec).reduce((n, id) => n + (this.layers.get(id)?.size ?? 0), 0);
  }

  repoTags(id: Digest): string[] {
    return this.tags.refsOf(id).filter((r) => !r.digest).map(familiarString);
  }

  repoDigests(id: Digest): string[] {
    return this.tags.refsOf(id).filter((r) => r.digest).map(familiarString);
  }

  /** POST /images/{name}/tag: points repo:tag at the image; a previous holder keeps its other names. */
  tag(source: string, repo: string, tag?: string): Promise<void> {
    return this.serialize(() => {
      const rec = this.resolve(source);
      if (!repo) throw invalidParameter("repository name must have at least one component");
      const ref = parseRepoTag(repo, tag);
      if (ref.digest) throw invalidParameter("refusing to create a tag with a digest reference");
      this.addTag(ref, rec.id);
      this.publish("tag", rec.id, familiarString(ref));
    });
  }

  addTag(ref: Reference, id: Digest): void {
    this.tags.set(ref, id);
    this.images.setLastTagTime(id);
  }

  /** What the container verbs need (see daemon/containers/context.ts ImageView). */
  view() {
    return {
      resolve: (ref: string) => {
        const rec = this.resolve(ref);
        return { id: rec.id as string, config: rec.config.config ?? {}, topLayer: this.topLayer(rec) };
      },
      matches: (imageId: string, ref: string) => this.tryResolveQuiet(ref)?.id === imageId,
      descendants: (imageId: string) => this.images.descendants(imageId as Digest),
      size: (imageId: string) => {
        const rec = this.tryResolveQuiet(imageId);
        return rec ? this.size(rec) : 0;
      },
    };
  }

  private tryResolveQuiet(ref: string): ImageRecord | undefined {
    try {
      return this.tryResolve(ref);
    } catch {
      return undefined;
    }
  }
}

/** dockerd's ErrImageDoesNotExist: a name is shown with its default tag (`x:latest`). */
function shownRef(ref: string): string {
  if (/^(sha256:)?[0-9a-f]{64}$/.test(ref)) return ref;
  try {
    return familiarString(withDefaultTag(parseNormalized(ref)));
  } catch {
    return ref;
  }
}
