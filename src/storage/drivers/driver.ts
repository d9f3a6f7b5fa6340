// What differs between graph drivers: how a layer dir starts (empty diff for overlay,
// a full copy of the parent for vfs), how whiteouts are written, and how a container's
// read-write layer is assembled.
import type { WhiteoutMode } from "../apply.ts";

/** A stored layer as the drivers see it: its directory under `<home>/layers`. */
export interface LayerDir {
  /** `<home>/layers/<hex>` */
  dir: string;
  /** overlay2's short link name under `<home>/l` (empty for vfs). */
  link: string;
}

export interface GraphDriver {
  readonly name: "overlay2" | "vfs";
  readonly home: string;
  readonly whiteouts: WhiteoutMode;
  /** Whether a layer's diff starts empty even with a parent (overlay2), not as a copy (vfs). */
  readonly emptyDiffs: boolean;
  /** Makes `diff` (which does not exist yet) ready for the layer's tar. Returns the link name to keep. */
  prepareLayer(diff: string, parent: LayerDir | null): Promise<string>;
  /** The layer dir is in place under its final name. */
  layerCommitted(layer: LayerDir): void;
  /** The layer dir is about to go. */
  layerRemoving(layer: LayerDir): void;
  /** Fills `dir` (existing, empty) as the rw layer over `chain` (the parent first, base last). */
  createRW(dir: string, chain: LayerDir[]): Promise<void>;
  /** Mounts (or just names) the rw layer's root. */
  mountRW(dir: string, chain: LayerDir[]): Promise<string>;
  unmountRW(dir: string): Promise<void>;
  /** Where the rw layer keeps its own changes. */
  rwDiff(dir: string): string;
  /** Addition (optional): inspect's `GraphDriver.Data` for a rw layer, as dockerd's driver reports it. */
  rwData?(dir: string, chain: LayerDir[]): Record<string, string>;
}
