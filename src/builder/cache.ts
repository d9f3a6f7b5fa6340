// The build cache: a step's key (parent image, the instruction after substitution, the
// build args in effect, the checksums of its inputs) to the image that step made. Kept
// in one JSON file under the data root, so it survives restarts; entries whose image is
// gone are dropped when looked up.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface CacheEntry {
  image: string;
  parent: string;
  description: string;
  created: string;
  lastUsed: string;
  usage: number;
}

export function stepKey(parts: (string | undefined)[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

export class BuildCache {
  private entries = new Map<string, CacheEntry>();
  private dirty = false;

  constructor(private readonly path: string) {
    try {
      const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, CacheEntry>;
      for (const [k, v] of Object.entries(data)) this.entries.set(k, v);
    } catch {}
  }

  get(key: string, exists: (image: string) => boolean): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (!exists(e.image)) {
      this.entries.delete(key);
      this.save();
      return undefined;
    }
    e.lastUsed = new Date().toISOString();
    e.usage++;
    // Usage counts are written with the next new entry or at the end of the build (flush).
    this.dirty = true;
    return e.image;
  }

  put(key: string, image: string, parent: string, description: string): void {
    const now = new Date().toISOString();
    this.entries.set(key, { image, parent, description, created: now, lastUsed: now, usage: 1 });
    this.save();
  }

  list(): [string, CacheEntry][] {
    return [...this.entries];
  }

  delete(keys: string[]): void {
    for (const k of keys) this.entries.delete(k);
    this.save();
  }

  flush(): void {
    if (this.dirty) this.save();
  }

  private save(): void {
    this.dirty = false;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)));
    renameSync(tmp, this.path);
  }
}
