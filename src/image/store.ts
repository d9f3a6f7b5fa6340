// The image store: each image's config JSON kept byte for byte under its id (the sha256
// of those bytes), plus a little metadata (last tag time). Writes are atomic (temp file,
// fsync, rename), so a crash leaves either the old state or the new one.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { invalidParameter } from "../errors.ts";
import type { Digest } from "../storage/types.ts";
import type { ContainerConfig } from "../api/types/index.ts";

/** The image config as the Docker/OCI image spec writes it (only what wharf reads). */
export interface ImageConfigJson {
  architecture?: string;
  variant?: string;
  os?: string;
  "os.version"?: string;
  created?: string;
  author?: string;
  comment?: string;
  container?: string;
  docker_version?: string;
  config?: ContainerConfig | null;
  container_config?: ContainerConfig | null;
  history?: { created?: string; created_by?: string; comment?: string; author?: string; empty_layer?: boolean }[];
  rootfs?: { type: string; diff_ids: Digest[] };
}

export interface ImageRecord {
  id: Digest;
  raw: Buffer;
  config: ImageConfigJson;
  lastTagTime?: string;
  /** The image a commit was made from (Docker's parent link; loaded images have none). */
  parent?: Digest;
}

export const sha256 = (b: Uint8Array | string): Digest => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Parses and checks an image config: it must be a JSON object with a layers rootfs. */
export function parseImageConfig(raw: Uint8Array, what: string): ImageConfigJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString("utf8"));
  } catch (err) {
    throw invalidParameter(`invalid image config ${what}: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidParameter(`invalid image config ${what}: not a JSON object`);
  const c = parsed as ImageConfigJson;
  const rf = c.rootfs as { type?: unknown; diff_ids?: unknown[] } | undefined;
  if (!rf || rf.type !== "layers" || !Array.isArray(rf.diff_ids ?? [])) {
    throw invalidParameter(`invalid image config ${what}: rootfs must be {"type": "layers", "diff_ids": [...]}`);
  }
  for (const d of rf.diff_ids ?? []) {
    if (typeof d !== "string" || !/^sha256:[a-f0-9]{64}$/.test(d)) throw invalidParameter(`invalid image config ${what}: bad diff id ${JSON.stringify(d)}`);
  }
  rf.diff_ids ??= [];
  return c;
}

export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export class ImageStore {
  private readonly images = new Map<Digest, ImageRecord>();
  private readonly contentDir: string;
  private readonly metaDir: string;

  constructor(readonly root: string) {
    this.contentDir = join(root, "imagedb", "content", "sha256");
    this.metaDir = join(root, "imagedb", "metadata", "sha256");
    mkdirSync(this.contentDir, { recursive: true });
    mkdirSync(this.metaDir, { recursive: true });
    for (const hex of readdirSync(this.contentDir)) {
      if (!/^[a-f0-9]{64}$/.test(hex)) continue;
      const raw = readFileSync(join(this.contentDir, hex));
      const id = sha256(raw);
      // A file whose bytes do not hash to its name was damaged: leave it out.
      if (id !== `sha256:${hex}`) continue;
      let meta: { lastTagTime?: string; parent?: string } = {};
      try {
        meta = JSON.parse(readFileSync(join(this.metaDir, hex), "utf8"));
      } catch {}
      const parent = typeof meta.parent === "string" && /^sha256:[a-f0-9]{64}$/.test(meta.parent) ? (meta.parent as Digest) : undefined;
      this.images.set(id, { id, raw, config: parseImageConfig(raw, hex), lastTagTime: meta.lastTagTime, parent });
    }
  }

  get size(): number {
    return this.images.size;
  }

  get(id: Digest): ImageRecord | undefined {
    return this.images.get(id);
  }

  list(): ImageRecord[] {
    return [...this.images.values()];
  }

  /** All ids starting with a hex prefix (after `sha256:`). */
  byPrefix(hexPrefix: string): ImageRecord[] {
    const out: ImageRecord[] = [];
    for (const [id, rec] of this.images) if (id.startsWith(`sha256:${hexPrefix}`)) out.push(rec);
    return out;
  }

  /** Stores config bytes as they are; the id is their sha256. Returns the record and whether it is new. */
  put(raw: Uint8Array, config: ImageConfigJson): { rec: ImageRecord; created: boolean } {
    const id = sha256(raw);
    const have = this.images.get(id);
    if (have) return { rec: have, created: false };
    writeAtomic(join(this.contentDir, id.slice(7)), raw);
    const rec: ImageRecord = { id, raw: Buffer.from(raw), config };
    this.images.set(id, rec);
    return { rec, created: true };
  }

  setLastTagTime(id: Digest, when = new Date().toISOString()): void {
    const rec = this.images.get(id);
    if (!rec) return;
    rec.lastTagTime = when;
    this.writeMeta(rec);
  }

  setParent(id: Digest, parent: Digest): void {
    const rec = this.images.get(id);
    if (!rec || rec.parent === parent || id === parent) return;
    rec.parent = parent;
    this.writeMeta(rec);
  }

  /** Images committed directly from `id`. */
  children(id: Digest): Digest[] {
    const out: Digest[] = [];
    for (const rec of this.images.values()) if (rec.parent === id) out.push(rec.id);
    return out;
  }

  /** Ids of every image made (through commits) from `id`, at any depth. */
  descendants(id: Digest): Digest[] {
    return this.children(id).flatMap((c) => [c, ...this.descendants(c)]);
  }

  private writeMeta(rec: ImageRecord): void {
    writeAtomic(join(this.metaDir, rec.id.slice(7)), JSON.stringify({ lastTagTime: rec.lastTagTime, parent: rec.parent }));
  }

  remove(id: Digest): void {
    if (!this.images.delete(id)) return;
    rmSync(join(this.contentDir, id.slice(7)), { force: true });
    rmSync(join(this.metaDir, id.slice(7)), { force: true });
  }
}
