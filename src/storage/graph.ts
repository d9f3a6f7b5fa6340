// The layer graph: which layers exist, who holds them (references, child layers, rw
// layers, operations in flight) and their removal from disk once nothing does.
import { readdirSync, renameSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { conflict, notFound } from "../errors.ts";
import { logger } from "../log.ts";
import { hexOf } from "./digest.ts";
import type { GraphDriver, LayerDir } from "./drivers/driver.ts";
import { readLayerMeta, type LayerMeta } from "./meta.ts";
import type { Digest, Layer } from "./types.ts";

const log = logger("storage");

export interface Entry {
  meta: LayerMeta;
  dir: string;
  /** References held by images and callers of register/retain (not persisted: images retain again at start). */
  refs: number;
  /** Child layers and rw layers on top. */
  children: number;
  /** Operations in flight that need the layer to stay (a register on top, a tarStream). */
  pins: number;
}

export class LayerGraph {
  private readonly layers = new Map<Digest, Entry>();

  constructor(
    private readonly driver: GraphDriver,
    private readonly layersDir: string,
    private readonly staging: string,
  ) {}

  /** Reads every complete layer dir (a layer dir only ever appears complete). */
  load(): void {
    for (const hex of readdirSync(this.layersDir)) {
      const dir = join(this.layersDir, hex);
      const meta = readLayerMeta(dir);
      if (!meta || hexOf(meta.chainId) !== hex) {
        log.warn(`ignoring layer dir ${dir}: unreadable metadata`);
        continue;
      }
      this.layers.set(meta.chainId, { meta, dir, refs: 0, children: 0, pins: 0 });
    }
    for (const e of this.layers.values()) {
      if (e.meta.parent && !this.layers.has(e.meta.parent)) log.warn(`layer ${e.meta.chainId}: parent ${e.meta.parent} is missing`);
      this.addChild(e.meta.parent);
      if (e.meta.link) this.driver.layerCommitted(this.layerDir(e));
    }
  }

  has(chainId: Digest): boolean {
    return this.layers.has(chainId);
  }

  entry(chainId: Digest): Entry {
    const e = this.layers.get(chainId);
    if (!e) throw notFound(`layer ${chainId} not found`);
    return e;
  }

  get(chainId: Digest): Layer | undefined {
    const e = this.layers.get(chainId);
    return e && toLayer(e);
  }

  list(): Layer[] {
    return [...this.layers.values()].map(toLayer);
  }

  layerDir(e: Entry): LayerDir {
    return { dir: e.dir, link: e.meta.link };
  }

  /** The layer dirs from `top` down to the base layer. */
  chain(top: Digest | null): LayerDir[] {
    const out: LayerDir[] = [];
    for (let id = top; id; ) {
      const e = this.entry(id);
      out.push(this.layerDir(e));
      id = e.meta.parent;
    }
    return out;
  }

  /** A new layer, complete in its final dir, with one reference for the registering caller. */
  add(meta: LayerMeta, dir: string): Layer {
    const e: Entry = { meta, dir, refs: 1, children: 0, pins: 0 };
    this.layers.set(meta.chainId, e);
    this.addChild(meta.parent);
    this.driver.layerCommitted(this.layerDir(e));
    return toLayer(e);
  }

  retain(chainId: Digest): Layer {
    const e = this.entry(chainId);
    e.refs++;
    return toLayer(e);
  }

  async release(chainId: Digest): Promise<Digest[]> {
    const e = this.entry(chainId);
    if (e.refs <= 0) throw conflict(`layer ${chainId} has no reference to release`);
    e.refs--;
    return this.collect(chainId);
  }

  addChild(parent: Digest | null): void {
    const p = parent && this.layers.get(parent);
    if (p) p.children++;
  }

  /** A child (layer or rw layer) of `parent` is gone; the parent may go too. */
  async dropChild(parent: Digest | null): Promise<Digest[]> {
    const p = parent && this.layers.get(parent);
    if (!p) return [];
    p.children--;
    return this.collect(parent);
  }

  pin(id: Digest | null): void {
    if (id) this.entry(id).pins++;
  }

  async unpin(id: Digest | null): Promise<Digest[]> {
    const e = id && this.layers.get(id);
    if (!e) return [];
    e.pins--;
    return this.collect(id);
  }

  async prune(): Promise<Digest[]> {
    const removed: Digest[] = [];
    for (const id of [...this.layers.keys()]) removed.push(...(await this.collect(id)));
    return removed;
  }

  /** Removes `id` and then its ancestors while nothing holds them. */
  private async collect(id: Digest | null): Promise<Digest[]> {
    const removed: Digest[] = [];
    while (id) {
      const e = this.layers.get(id);
      if (!e || e.refs > 0 || e.children > 0 || e.pins > 0) break;
      // Gone from the map before the first await: nothing can find it half-removed.
      this.layers.delete(id);
      const parent = e.meta.parent && this.layers.get(e.meta.parent);
      if (parent) parent.children--;
      this.driver.layerRemoving(this.layerDir(e));
      await this.discard(e.dir);
      removed.push(id);
      id = e.meta.parent;
    }
    return removed;
  }

  /** Renames a directory out of the store at once, then deletes it. */
  async discard(dir: string): Promise<void> {
    const gone = join(this.staging, `del-${Math.random().toString(36).slice(2)}`);
    renameSync(dir, gone);
    await rm(gone, { recursive: true, force: true });
  }
}

function toLayer(e: Entry): Layer {
  const { chainId, diffId, parent, size } = e.meta;
  return { chainId, diffId, parent, size };
}
