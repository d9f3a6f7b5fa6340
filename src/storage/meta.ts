// On-disk metadata of stored layers and rw layers (one small JSON file each), so a
// restarted daemon finds everything it had.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Digest } from "./types.ts";
import { isDigest } from "./digest.ts";

export interface LayerMeta {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | null;
  size: number;
  /** overlay2's short link name ("" for vfs). */
  link: string;
}

export interface RWMeta {
  parent: Digest | null;
}

export const META = "meta.json";
export const TAR_SPLIT = "tar-split.gz";

export function writeMeta(dir: string, meta: LayerMeta | RWMeta): void {
  writeFileSync(join(dir, META), JSON.stringify(meta));
}

export function readLayerMeta(dir: string): LayerMeta | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, META), "utf8")) as LayerMeta;
    if (!isDigest(m.chainId) || !isDigest(m.diffId) || (m.parent !== null && !isDigest(m.parent))) return undefined;
    if (typeof m.size !== "number" || typeof m.link !== "string") return undefined;
    return m;
  } catch {
    return undefined;
  }
}

export function readRWMeta(dir: string): RWMeta | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, META), "utf8")) as RWMeta;
    if (m.parent !== null && !isDigest(m.parent)) return undefined;
    return m;
  } catch {
    return undefined;
  }
}
