// Which registry blob each layer came from (or went to), as dockerd's
// distribution/metadata keeps it: diff id → [{digest, repository}]. Push uses it to
// HEAD or mount the original compressed blob instead of compressing and uploading again.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Digest } from "../storage/types.ts";

export interface BlobSourceRecord {
  digest: Digest;
  /** `127.0.0.1:5000/busybox`: registry and repository, as references spell them. */
  repository: string;
  /** The layer media type the blob was served as (gzip unless said otherwise). */
  mediaType?: string;
}

const maxPerLayer = 50;

export class DistributionMetadata {
  private readonly dir: string;
  private readonly cache = new Map<Digest, BlobSourceRecord[]>();

  constructor(root: string) {
    this.dir = join(root, "distribution", "v2metadata-by-diffid");
    mkdirSync(this.dir, { recursive: true });
  }

  get(diffId: Digest): BlobSourceRecord[] {
    const known = this.cache.get(diffId);
    if (known) return known;
    let list: BlobSourceRecord[] = [];
    try {
      const j = JSON.parse(readFileSync(join(this.dir, diffId.slice(7)), "utf8"));
      if (Array.isArray(j)) list = j.filter((r) => r && typeof r.digest === "string" && typeof r.repository === "string");
    } catch {}
    this.cache.set(diffId, list);
    return list;
  }

  add(diffId: Digest, rec: BlobSourceRecord): void {
    const head = this.get(diffId)[0];
    // Every pull of an image already present records its layers again: nothing to write.
    if (head && head.digest === rec.digest && head.repository === rec.repository && head.mediaType === rec.mediaType) return;
    const list = this.get(diffId).filter((r) => !(r.digest === rec.digest && r.repository === rec.repository));
    list.unshift(rec);
    if (list.length > maxPerLayer) list.length = maxPerLayer;
    this.cache.set(diffId, list);
    // A cache (a lost record costs one upload again), so renamed into place but not
    // fsynced: a pull records every layer, and an fsync each cost tens of ms on a busy disk.
    const path = join(this.dir, diffId.slice(7));
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(list));
    renameSync(tmp, path);
  }
}
