// The content-addressed layer store: `<home>/layers/<chain hex>/{meta.json,
// tar-split.gz, diff/}`, rw layers under `<home>/rw/<id>`, and `<home>/staging` for
// work in progress. A layer appears by one rename once it is complete and verified,
// and disappears by one rename before it is deleted, so a failure or a crash leaves
// either the whole layer or none of it.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { conflict, errorMessage, invalidParameter, notFound, systemError, WharfError } from "../errors.ts";
import { KeyedLock } from "../keyedlock.ts";
import { applyLayer } from "./apply.ts";
import { assertDigest, chainIdOf, hexOf } from "./digest.ts";
import type { GraphDriver } from "./drivers/driver.ts";
import { LayerGraph } from "./graph.ts";
import { readRWMeta, TAR_SPLIT, writeMeta, type LayerMeta } from "./meta.ts";
import { ByteSource } from "../archive/tar/source.ts";
import { markTopDir } from "../sys/libc.ts";
import { decompress } from "../archive/tar/decompress.ts";
import { replayTarSplit, TarSplitBuilder } from "./tarsplit.ts";
import type { Digest, Layer, LayerStore, StagedLayer } from "./types.ts";

interface Staged extends StagedLayer {
  link: string;
}

const RW_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export class FsLayerStore implements LayerStore {
  private readonly graph: LayerGraph;
  private readonly rws = new Map<string, Digest | null>();
  // A container's GraphDriver data is fixed while its rw layer lives; inspect asks often.
  private readonly rwDataCache = new Map<string, Record<string, string>>();
  private readonly locks = new KeyedLock();
  private readonly layersDir: string;
  private readonly rwDir: string;
  private readonly staging: string;

  private constructor(private readonly driver: GraphDriver) {
    this.layersDir = join(driver.home, "layers");
    this.rwDir = join(driver.home, "rw");
    this.staging = join(driver.home, "staging");
    this.graph = new LayerGraph(driver, this.layersDir, this.staging);
  }

  get driverName(): string {
    return this.driver.name;
  }

  static open(driver: GraphDriver): FsLayerStore {
    const s = new FsLayerStore(driver);
    for (const d of [s.layersDir, s.rwDir, s.staging]) mkdirSync(d, { recursive: true, mode: 0o700 });
    spreadNewLayers(s.staging);
    // Leftovers of work interrupted by a crash: never part of the store.
    for (const name of readdirSync(s.staging)) rmSync(join(s.staging, name), { recursive: true, force: true });
    s.graph.load();
    for (const id of readdirSync(s.rwDir)) {
      const m = readRWMeta(join(s.rwDir, id));
      if (!m) continue;
      s.rws.set(id, m.parent);
      s.graph.addChild(m.parent);
    }
    return s;
  }

  get(chainId: Digest): Layer | undefined {
    return this.graph.get(chainId);
  }

  list(): Layer[] {
    return this.graph.list();
  }

  retain(chainId: Digest): void {
    this.graph.retain(chainId);
  }

  release(chainId: Digest): Promise<Digest[]> {
    return this.graph.release(chainId);
  }

  prune(): Promise<Digest[]> {
    return this.graph.prune();
  }

  async register(tar: AsyncIterable<Uint8Array>, parent: Digest | null, expectedDiffId?: Digest): Promise<Layer> {
    if (parent !== null) assertDigest(parent, "parent layer");
    if (expectedDiffId !== undefined) assertDigest(expectedDiffId, "expected diff id");
    this.graph.pin(parent);
    try {
      if (!expectedDiffId) return await this.applyAndCommit(tar, parent);
      const chainId = chainIdOf(parent, expectedDiffId);
      return await this.locks.run(chainId, async () => {
        if (!this.graph.has(chainId)) return this.applyAndCommit(tar, parent, expectedDiffId, true);
        // Already stored: read the stream to verify it, keep nothing.
        const src = new ByteSource(decompress(tar));
        for await (const _ of src.rest());
        checkDiffId(expectedDiffId, src.digest());
        return this.graph.retain(chainId);
      });
    } finally {
      await this.graph.unpin(parent);
    }
  }

  private async applyAndCommit(tar: AsyncIterable<Uint8Array>, parent: Digest | null, expected?: Digest, locked = false): Promise<Layer> {
    const stage = mkdtempSync(join(this.staging, "layer-"));
    try {
      const diff = join(stage, "diff");
      const parentDir = parent ? this.graph.layerDir(this.graph.entry(parent)) : null;
      const link = await this.driver.prepareLayer(diff, parentDir);
      const split = new TarSplitBuilder();
      let applied;
      try {
        applied = await applyLayer(tar, diff, this.driver.whiteouts, split, !parentDir || this.driver.emptyDiffs);
      } catch (e) {
        if (e instanceof WharfError) throw e;
        throw systemError(`applying layer: ${errorMessage(e)}`, e);
      }
      if (expected) checkDiffId(expected, applied.diffId);
      const chainId = chainIdOf(parent, applied.diffId);
      const commit = async () => {
        if (this.graph.has(chainId)) return this.graph.retain(chainId);
        const meta: LayerMeta = { chainId, diffId: applied.diffId, parent, size: applied.size, link };
        writeFileSync(join(stage, TAR_SPLIT), split.serialize());
        writeMeta(stage, meta);
        const dir = join(this.layersDir, hexOf(chainId));
        renameSync(stage, dir);
        return this.graph.add(meta, dir);
      };
      return locked ? await commit() : await this.locks.run(chainId, commit);
    } finally {
      if (existsSync(stage)) rmSync(stage, { recursive: true, force: true });
    }
  }

  get canStage(): boolean {
    return this.driver.emptyDiffs;
  }

  async stage(tar: AsyncIterable<Uint8Array>, expectedDiffId?: Digest): Promise<StagedLayer> {
    if (!this.driver.emptyDiffs) throw systemError(`the ${this.driver.name} driver cannot stage layers apart from their parent`);
    if (expectedDiffId !== undefined) assertDigest(expectedDiffId, "expected diff id");
    const dir = mkdtempSync(join(this.staging, "pull-"));
    try {
      const diff = join(dir, "diff");
      const link = await this.driver.prepareLayer(diff, null);
      const split = new TarSplitBuilder();
      let applied;
      try {
        applied = await applyLayer(tar, diff, this.driver.whiteouts, split, true);
      } catch (e) {
        if (e instanceof WharfError) throw e;
        throw systemError(`applying layer: ${errorMessage(e)}`, e);
      }
      if (expectedDiffId) checkDiffId(expectedDiffId, applied.diffId);
      writeFileSync(join(dir, TAR_SPLIT), split.serialize());
      const s: Staged = { dir, diffId: applied.diffId, size: applied.size, link };
      return s;
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async commitStaged(staged: StagedLayer, parent: Digest | null): Promise<Layer> {
    const s = staged as Staged;
    if (parent !== null) assertDigest(parent, "parent layer");
    const chainId = chainIdOf(parent, s.diffId);
    this.graph.pin(parent);
    try {
      return await this.locks.run(chainId, async () => {
        if (this.graph.has(chainId)) {
          this.discardStaged(s);
          return this.graph.retain(chainId);
        }
        if (parent !== null) this.graph.entry(parent);
        const meta: LayerMeta = { chainId, diffId: s.diffId, parent, size: s.size, link: s.link };
        writeMeta(s.dir, meta);
        const dir = join(this.layersDir, hexOf(chainId));
        renameSync(s.dir, dir);
        return this.graph.add(meta, dir);
      });
    } finally {
      await this.graph.unpin(parent);
    }
  }

  discardStaged(s: StagedLayer): void {
    if (existsSync(s.dir)) rmSync(s.dir, { recursive: true, force: true });
  }

  tarStream(chainId: Digest): AsyncIterable<Uint8Array> {
    this.graph.entry(chainId); // unknown ids fail now, not at the first read
    const graph = this.graph;
    return (async function* () {
      // Pinned only while iterating: a stream never read must not keep the layer forever.
      const e = graph.entry(chainId);
      graph.pin(chainId);
      try {
        const record = readFileSync(join(e.dir, TAR_SPLIT));
        yield* replayTarSplit(record, join(e.dir, "diff"), e.meta.diffId);
      } finally {
        await graph.unpin(chainId);
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
      this.graph.pin(parent);
      const stage = mkdtempSync(join(this.staging, "rw-"));
      try {
        await this.driver.createRW(stage, this.graph.chain(parent));
        writeMeta(stage, { parent });
        renameSync(stage, dir);
        this.rws.set(id, parent);
        this.graph.addChild(parent);
      } finally {
        if (existsSync(stage)) rmSync(stage, { recursive: true, force: true });
        await this.graph.unpin(parent);
      }
    });
  }

  async mountRW(id: string): Promise<string> {
    const dir = this.rwPath(id);
    return this.locks.run(`rw:${id}`, () => this.driver.mountRW(dir, this.graph.chain(this.rwParent(id))));
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
      this.rwDataCache.delete(id);
      await this.graph.discard(dir);
      return parent;
    });
    await this.graph.dropChild(parent);
  }

  rwDriverData(id: string): Record<string, string> {
    const known = this.rwDataCache.get(id);
    if (known && this.rws.has(id)) return { ...known };
    const dir = this.rwPath(id);
    const parent = this.rwParent(id);
    const data = this.driver.rwData?.(dir, this.graph.chain(parent)) ?? { UpperDir: this.driver.rwDiff(dir) };
    this.rwDataCache.set(id, data);
    return { ...data };
  }

  listRW(): string[] {
    return [...this.rws.keys()];
  }

  rwDiffPath(id: string): string {
    const dir = this.rwPath(id);
    this.rwParent(id);
    return this.driver.rwDiff(dir);
  }

  rwLowerDirs(id: string): string[] {
    const chain = this.graph.chain(this.rwParent(id));
    const dirs = chain.map((l) => join(l.dir, "diff"));
    return this.driver.emptyDiffs ? dirs : dirs.slice(0, 1);
  }

  async close(): Promise<void> {
    // Let registers and rw operations in flight finish their commits.
    await Promise.all(this.list().map((l) => this.locks.run(l.chainId, () => {})));
  }
}

function checkDiffId(expected: Digest, got: Digest): void {
  if (got !== expected) throw invalidParameter(`layer diff id mismatch: expected ${expected}, got ${got}`);
}

/**
 * Every layer and rw dir is made in staging. Without a journal (as on many cloud
 * images), ext4 will not reuse an inode freed in the last 60 s (300 s while its table
 * block is dirty) and rescans all of them for every file it creates in that block
 * group; after an rmi, the next pull's files all landed in the group the old layers
 * had just left, and the rescans took 20-33% of its wall time. Marked as a top
 * directory, staging has ext4 place each new layer dir in a block group of its own
 * choosing (the layer's files follow their dir), as it does for directories made in
 * the root, and concurrent unpacks no longer share one group. Best effort: other
 * filesystems have no such flag.
 */
function spreadNewLayers(staging: string): void {
  try {
    markTopDir(staging);
  } catch {}
}
