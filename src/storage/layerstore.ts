// The content-addressed layer store: `<home>/layers/<chain hex>/{meta.json,
// tar-split.gz, diff/}`, rw layers under `<home>/rw/<id>`, and `<home>/staging` for
// work in progress. A layer appears by one rename once it is complete and verified,
// and disappears by one rename before it is deleted, so a failure or a crash leaves
// either the whole layer or none of it.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { conflict, errorMessage, invalidParameter, notFound, systemError, WharfError } from "../errors.ts";
import { KeyedLock } from "../container/lock.ts";
import { logger } from "../log.ts";
import { applyLayer } from "./apply.ts";
import { assertDigest, chainIdOf, hexOf } from "./digest.ts";
import type { GraphDriver, LayerDir } from "./drivers/driver.ts";
import { readLayerMeta, readRWMeta, TAR_SPLIT, writeMeta, type LayerMeta } from "./meta.ts";
import { ByteSource } from "./tar/source.ts";
import { decompress } from "./tar/decompress.ts";
import { replayTarSplit, TarSplitBuilder } from "./tarsplit.ts";
import type { Digest, Layer, LayerStore } from "./types.ts";

const log = logger("storage");
const RW_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

interface Entry {
  meta: LayerMeta;
  dir: string;
  /** References held by images and callers of register/retain (not persisted: images retain again at start). */
  refs: number;
  /** Child layers and rw layers on top. */
  children: number;
  /** Operations in flight that need the layer to stay (a register on top, a tarStream). */
  pins: number;
}

export class FsLayerStore implements LayerStore {
  private readonly layers = new Map<Digest, Entry>();
  private readonly rws = new Map<string, Digest | null>();
  private readonly locks = new KeyedLock();
  private readonly layersDir: string;
  private readonly rwDir: string;
  private readonly staging: string;

  private constructor(private readonly driver: GraphDriver) {
    this.layersDir = join(driver.home, "layers");
    this.rwDir = join(driver.home, "rw");
    this.staging = join(driver.home, "staging");
  }

  get driverName(): string {
    return this.driver.name;
  }

  static open(driver: GraphDriver): FsLayerStore {
    const s = new FsLayerStore(driver);
    for (const d of [s.layersDir, s.rwDir, s.staging]) mkdirSync(d, { recursive: true, mode: 0o700 });
    // Leftovers of work interrupted by a crash: never part of the store.
    for (const name of readdirSync(s.staging)) rmSync(join(s.staging, name), { recursive: true, force: true });
    s.load();
    return s;
  }

  private load(): void {
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
      const p = e.meta.parent && this.layers.get(e.meta.parent);
      if (p) p.children++;
      if (e.meta.link) this.driver.layerCommitted(this.layerDir(e));
    }
    for (const id of readdirSync(this.rwDir)) {
      const m = readRWMeta(join(this.rwDir, id));
      if (!m) continue;
      this.rws.set(id, m.parent);
      const p = m.parent && this.layers.get(m.parent);
      if (p) p.children++;
    }
  }

  private layerDir(e: Entry): LayerDir {
    return { dir: e.dir, link: e.meta.link };
  }

  private entry(chainId: Digest): Entry {
    const e = this.layers.get(chainId);
    if (!e) throw notFound(`layer ${chainId} not found`);
    return e;
  }

  private toLayer(e: Entry): Layer {
    const { chainId, diffId, parent, size } = e.meta;
    return { chainId, diffId, parent, size };
  }

  /** The parent first, the base layer last. */
  private chain(top: Digest | null): LayerDir[] {
    const out: LayerDir[] = [];
    for (let id = top; id; ) {
      const e = this.entry(id);
      out.push(this.layerDir(e));
      id = e.meta.parent;
    }
    return out;
  }

  get(chainId: Digest): Layer | undefined {
    const e = this.layers.get(chainId);
    return e && this.toLayer(e);
  }

  /** Every stored layer (added to the contract for image prune, system df and tests). */
  list(): Layer[] {
    return [...this.layers.values()].map((e) => this.toLayer(e));
  }

  retain(chainId: Digest): void {
    this.entry(chainId).refs++;
  }

  async release(chainId: Digest): Promise<Digest[]> {
    const e = this.entry(chainId);
    if (e.refs <= 0) throw conflict(`layer ${chainId} has no reference to release`);
    e.refs--;
    return this.collect(chainId);
  }

  /** Removes every layer nothing holds (call once images have retained theirs at start). */
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
  private async discard(dir: string): Promise<void> {
    const gone = join(this.staging, `del-${Math.random().toString(36).slice(2)}`);
    renameSync(dir, gone);
    await rm(gone, { recursive: true, force: true });
  }

  private pin(id: Digest | null): void {
    if (id) this.entry(id).pins++;
  }

  private async unpin(id: Digest | null): Promise<void> {
    const e = id && this.layers.get(id);
    if (!e) return;
    e.pins--;
    await this.collect(id);
  }

  async register(tar: AsyncIterable<Uint8Array>, parent: Digest | null, expectedDiffId?: Digest): Promise<Layer> {
    if (parent !== null) assertDigest(parent, "parent layer");
    if (expectedDiffId !== undefined) assertDigest(expectedDiffId, "expected diff id");
    this.pin(parent);
    try {
      if (!expectedDiffId) return await this.applyAndCommit(tar, parent);
      const chainId = chainIdOf(parent, expectedDiffId);
      return await this.locks.run(chainId, async () => {
        const have = this.layers.get(chainId);
        if (!have) return this.applyAndCommit(tar, parent, expectedDiffId, true);
        // Already stored: read the stream to verify it, keep nothing.
        const src = new ByteSource(decompress(tar));
        for await (const _ of src.rest());
        checkDiffId(expectedDiffId, src.digest());
        return this.take(chainId);
      });
    } finally {
      await this.unpin(parent);
    }
  }

  private take(chainId: Digest): Layer {
    const e = this.entry(chainId);
    e.refs++;
    return this.toLayer(e);
  }

  private async applyAndCommit(tar: AsyncIterable<Uint8Array>, parent: Digest | null, expected?: Digest, locked = false): Promise<Layer> {
    const stage = mkdtempSync(join(this.staging, "layer-"));
    try {
      const diff = join(stage, "diff");
      const parentEntry = parent ? this.entry(parent) : null;
      const link = await this.driver.prepareLayer(diff, parentEntry && this.layerDir(parentEntry));
      const split = new TarSplitBuilder();
      let applied;
      try {
        applied = await applyLayer(tar, diff, this.driver.whiteouts, split);
      } catch (e) {
        if (e instanceof WharfError) throw e;
        throw systemError(`applying layer: ${errorMessage(e)}`, e);
      }
      if (expected) checkDiffId(expected, applied.diffId);
      const chainId = chainIdOf(parent, applied.diffId);
      const commit = async () => {
        if (this.layers.has(chainId)) return this.take(chainId);
        const meta: LayerMeta = { chainId, diffId: applied.diffId, parent, size: applied.size, link };
        writeFileSync(join(stage, TAR_SPLIT), split.serialize());
        writeMeta(stage, meta);
        const dir = join(this.layersDir, hexOf(chainId));
        renameSync(stage, dir);
        const e: Entry = { meta, dir, refs: 1, children: 0, pins: 0 };
        this.layers.set(chainId, e);
        if (parentEntry) parentEntry.children++;
        this.driver.layerCommitted(this.layerDir(e));
        return this.toLayer(e);
      };
      return locked ? await commit() : await this.locks.run(chainId, commit);
    } finally {
      if (existsSync(stage)) rmSync(stage, { recursive: true, force: true });
    }
  }

  tarStream(chainId: Digest): AsyncIterable<Uint8Array> {
    this.entry(chainId); // unknown ids fail now, not at the first read
    const self = this;
    return (async function* () {
      // Pinned only while iterating: a stream never read must not keep the layer forever.
      const e = self.entry(chainId);
      self.pin(chainId);
      try {
        const record = readFileSync(join(e.dir, TAR_SPLIT));
        yield* replayTarSplit(record, join(e.dir, "diff"), e.meta.diffId);
      } finally {
        await self.unpin(chainId);
      }
    })();
  }

  // ---- container rw layers

  private rwPath(id: string): string {
    if (!RW_ID.test(id)) throw invalidParameter(`invalid rw layer id "${id}"`);
    return join(this.rwDir, id);
  }

  private rwParent(id: string): Digest | null {
    const p = this.rws.get(id);
    if (p === undefined) throw notFound(`rw layer ${id} not found`);
    return p;
  }

  async createRW(id: string, parent: Digest | null): Promise<void> {
    const dir = this.rwPath(id);
    await this.locks.run(`rw:${id}`, async () => {
      if (this.rws.has(id) || existsSync(dir)) throw conflict(`rw layer ${id} already exists`);
      this.pin(parent);
      const stage = mkdtempSync(join(this.staging, "rw-"));
      try {
        await this.driver.createRW(stage, this.chain(parent));
        writeMeta(stage, { parent });
        renameSync(stage, dir);
        this.rws.set(id, parent);
        if (parent) this.entry(parent).children++;
      } finally {
        if (existsSync(stage)) rmSync(stage, { recursive: true, force: true });
        await this.unpin(parent);
      }
    });
  }

  async mountRW(id: string): Promise<string> {
    const dir = this.rwPath(id);
    return this.locks.run(`rw:${id}`, () => this.driver.mountRW(dir, this.chain(this.rwParent(id))));
  }

  async unmountRW(id: string): Promise<void> {
    const dir = this.rwPath(id);
    await this.locks.run(`rw:${id}`, async () => {
      this.rwParent(id);
      await this.driver.unmountRW(dir);
    });
  }

  async removeRW(id: string): Promise<void> {
    const dir = this.rwPath(id);
    const parent = await this.locks.run(`rw:${id}`, async () => {
      const parent = this.rwParent(id);
      await this.driver.unmountRW(dir);
      this.rws.delete(id);
      await this.discard(dir);
      const p = parent && this.layers.get(parent);
      if (p) p.children--;
      return parent;
    });
    await this.collect(parent);
  }

  rwDiffPath(id: string): string {
    const dir = this.rwPath(id);
    this.rwParent(id);
    return this.driver.rwDiff(dir);
  }

  async close(): Promise<void> {
    await Promise.all([...this.layers.keys()].map((k) => this.locks.run(k, () => {})));
  }
}

function checkDiffId(expected: Digest, got: Digest): void {
  if (got !== expected) throw invalidParameter(`layer diff id mismatch: expected ${expected}, got ${got}`);
}
