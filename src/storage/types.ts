// The contract between the layer store (src/storage) and its users (src/image, the
// runtime). Layers are content-addressed: diffId = sha256 of the uncompressed layer tar,
// chainId = diffId for a base layer, else sha256(parentChainId + " " + diffId)
// (the image spec's ChainID), and the chain id keys the store.

export type Digest = `sha256:${string}`;

export interface Layer {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | null;
  /** Bytes of the layer's own files (what `docker history` shows as SIZE). */
  size: number;
}

export interface LayerStore {
  /** "overlay2" or "vfs". */
  readonly driverName: string;

  /**
   * Applies one layer tar (plain or gzip; zstd if supported) on top of `parent` and
   * registers it. The diff id is computed over the uncompressed bytes; when
   * `expectedDiffId` is given and differs, nothing is kept and an invalidParameter
   * WharfError names both digests. Entry names are taken relative to the layer root
   * (a leading `/` is dropped, as Docker does); entries that would write outside the
   * layer (a `..` climbing above the root, a path under a symlink, hard links pointing
   * out or to nothing) are refused with invalidParameter naming the entry.
   * When the chain id is already stored, the stream is consumed (to verify it) but no
   * new bytes are stored. The returned layer holds one reference
   * taken for the caller, who must `release` it if it ends up unused.
   */
  register(tar: AsyncIterable<Uint8Array>, parent: Digest | null, expectedDiffId?: Digest): Promise<Layer>;

  get(chainId: Digest): Layer | undefined;

  /** Addition (optional, so test doubles need not have it): every stored layer. */
  list?(): Layer[];

  /**
   * Addition (optional, likewise): removes every layer that has no reference and no child (stored layers or
   * rw layers on top). References are not persisted: at daemon start the image store
   * retains the layers of every image it loaded, then calls prune() once. Returns the
   * chain ids removed.
   */
  prune?(): Promise<Digest[]>;

  /** Adds a reference (an image that uses the layer). */
  retain(chainId: Digest): void;

  /**
   * Drops a reference; a layer with no references and no child layers is removed from
   * disk, and its parent is released in turn. Returns the chain ids removed.
   */
  release(chainId: Digest): Promise<Digest[]>;

  /** The exact tar whose sha256 is the layer's diff id (for save, push, history). */
  tarStream(chainId: Digest): AsyncIterable<Uint8Array>;

  // Container read-write layers on top of an image's top chain id (null: empty rootfs).
  createRW(id: string, parent: Digest | null): Promise<void>;
  /** Mounts the rw layer's merged view and returns its path; idempotent. */
  mountRW(id: string): Promise<string>;
  unmountRW(id: string): Promise<void>;
  removeRW(id: string): Promise<void>;
  /** The directory holding the rw layer's own changes (for diff, commit, size). */
  rwDiffPath(id: string): string;
  /** Addition (optional, so test doubles need not have it): the ids of every rw layer. */
  listRW?(): string[];
  /** Addition (optional, likewise): inspect's `GraphDriver.Data` for a container's rw layer. */
  rwDriverData?(id: string): Record<string, string>;

  /**
   * Addition (optional): the diff directories under the rw layer, topmost first. For
   * overlay2 each holds one layer's own files; for vfs the one entry is a complete root.
   */
  rwLowerDirs?(id: string): string[];

  /**
   * Addition (optional): whether `stage` works here (drivers whose layer dirs start empty,
   * overlay2), so that layers can be applied in parallel and chained afterwards.
   */
  readonly canStage?: boolean;
  /**
   * Addition (optional): applies a layer tar into a staging dir of its own, not yet part
   * of the store and tied to no parent. Fails (and keeps nothing) as `register` does.
   */
  stage?(tar: AsyncIterable<Uint8Array>, expectedDiffId?: Digest): Promise<StagedLayer>;
  /** Addition (optional): puts a staged layer on top of `parent`; returns it with one reference, as `register`. */
  commitStaged?(s: StagedLayer, parent: Digest | null): Promise<Layer>;
  /** Addition (optional): drops a staged layer that will not be committed. */
  discardStaged?(s: StagedLayer): void;

  close(): Promise<void>;
}

/** A layer applied into staging, waiting for its parent to be known. */
export interface StagedLayer {
  readonly dir: string;
  readonly diffId: Digest;
  readonly size: number;
}
