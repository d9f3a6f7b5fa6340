// The build cache as `docker system df` and `docker builder prune` see it: one record
// per cached step (its image's own layer is its size; it is shared while a tagged image
// or a container still holds that image) and one per RUN cache mount. Prune takes the
// records the filters select (only unshared ones unless `all`), oldest use first, and
// with keep-storage stops once what is left fits.
import { existsSync, lstatSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { invalidParameter } from "../errors.ts";
import type { BuildCache } from "./cache.ts";
import type { BuildHost } from "./types.ts";

export interface BuildCacheRow {
  ID: string;
  Parents: string[] | null;
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt: string;
  UsageCount: number;
}

interface CacheRecord {
  row: BuildCacheRow;
  /** The full cache key or mount directory name. */
  key: string;
  /** The step's image (regular records). */
  image?: string;
  mountDir?: string;
}

export function cacheRecords(cache: BuildCache, host: BuildHost, mountsDir: string): CacheRecord[] {
  const out: CacheRecord[] = [];
  for (const [k, e] of cache.list()) {
    const u = host.cacheUsage(e.image);
    if (!u) continue;
    out.push({
      key: k,
      image: e.image,
      row: {
        ID: k.slice(0, 25), Parents: e.parent === "scratch" ? null : [e.parent], Type: "regular", Description: e.description,
        InUse: false, Shared: u.shared, Size: u.size, CreatedAt: e.created, LastUsedAt: e.lastUsed, UsageCount: e.usage,
      },
    });
  }
  if (existsSync(mountsDir)) {
    for (const m of readdirSync(mountsDir)) {
      const p = join(mountsDir, m);
      const st = statSync(p);
      out.push({
        key: m,
        mountDir: p,
        row: {
          ID: m.slice(0, 25), Parents: null, Type: "exec.cachemount", Description: "cached mount (RUN --mount=type=cache)",
          InUse: false, Shared: false, Size: treeSize(p), CreatedAt: st.birthtime.toISOString(), LastUsedAt: st.mtime.toISOString(), UsageCount: 1,
        },
      });
    }
  }
  return out;
}

export interface PruneOptions {
  all: boolean;
  keepStorage: number;
  filters: Map<string, string[]>;
}

export async function pruneRecords(cache: BuildCache, host: BuildHost, mountsDir: string, o: PruneOptions): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }> {
  const records = cacheRecords(cache, host, mountsDir);
  const match = recordFilter(o.filters);
  const candidates = records
    .filter((r) => (o.all || !r.row.Shared) && match(r))
    .sort((a, b) => Date.parse(a.row.LastUsedAt) - Date.parse(b.row.LastUsedAt));
  let left = records.reduce((n, r) => n + r.row.Size, 0);
  const doomed: CacheRecord[] = [];
  for (const r of candidates) {
    if (o.keepStorage > 0 && left <= o.keepStorage) break;
    doomed.push(r);
    left -= r.row.Size;
  }
  cache.delete(doomed.filter((r) => r.image).map((r) => r.key));
  let reclaimed = 0;
  for (const r of doomed) {
    if (!r.mountDir) continue;
    reclaimed += r.row.Size;
    rmSync(r.mountDir, { recursive: true, force: true });
  }
  // The steps' images go when nothing else holds them; a step's child goes first, so
  // its parent may go in a later pass.
  let pending = doomed.filter((r) => r.image);
  for (let pass = 0; pending.length && pass < 64; pass++) {
    const next: CacheRecord[] = [];
    for (const r of pending) {
      const freed = await host.removeCacheImage(r.image!);
      if (freed === undefined) next.push(r);
      else reclaimed += freed;
    }
    if (next.length === pending.length) break;
    pending = next;
  }
  return { CachesDeleted: doomed.map((r) => r.key), SpaceReclaimed: reclaimed };
}

function recordFilter(filters: Map<string, string[]>): (r: CacheRecord) => boolean {
  const until = filters.get("until")?.[0];
  const cutoff = until ? untilCutoff(until) : undefined;
  const bool = (name: string): boolean | undefined => {
    const v = filters.get(name)?.[0];
    if (v === undefined) return undefined;
    if (["true", "1"].includes(v.toLowerCase())) return true;
    if (["false", "0"].includes(v.toLowerCase())) return false;
    throw invalidParameter(`invalid filter '${name}=${v}': it takes true or false`);
  };
  const inuse = bool("inuse");
  const shared = bool("shared");
  const priv = bool("private");
  const any = (name: string, test: (v: string) => boolean) => {
    const vs = filters.get(name);
    return !vs || vs.some(test);
  };
  return (r) =>
    (cutoff === undefined || Date.parse(r.row.LastUsedAt) < cutoff) &&
    any("id", (v) => r.key.startsWith(v)) &&
    any("type", (v) => r.row.Type === v) &&
    any("description", (v) => r.row.Description.includes(v)) &&
    any("parent", (v) => !!r.row.Parents?.some((p) => p.replace(/^sha256:/, "").startsWith(v.replace(/^sha256:/, "")))) &&
    (inuse === undefined || r.row.InUse === inuse) &&
    (shared === undefined || r.row.Shared === shared) &&
    (priv === undefined || !r.row.Shared === priv);
}

function treeSize(p: string): number {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(p)) n += treeSize(join(p, e));
  return n;
}

/** `until` as Docker takes it: a Go duration ago (`24h`) or a timestamp. */
function untilCutoff(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(v);
  if (m) {
    const mult: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
    return Date.now() - Number(m[1]) * mult[m[2]!]!;
  }
  const t = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(t)) throw invalidParameter(`invalid until filter: ${v}`);
  return t;
}
