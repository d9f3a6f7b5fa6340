// GET /images/json: the images with Docker's filters (dangling, label, reference, before,
// since, until), newest first.
import type { ImageSummary } from "../api/types/index.ts";
import { invalidParameter } from "../errors.ts";
import { matchLabels, type Filters } from "../filters.ts";
import { parseTimestampNano } from "../time.ts";
import { untilTimestamp } from "./delete.ts";
import { familiarName, familiarString } from "./reference.ts";
import type { ImageService } from "./service.ts";
import type { ImageRecord } from "./store.ts";
import { imageSummary } from "./shapes.ts";

export const listFilters = ["dangling", "label", "label!", "reference", "before", "since", "until"] as const;

/** Go's path.Match for `reference=busy*` (`*`, `?`, `[…]`; `*` stops at `/`). */
export function globMatch(pattern: string, s: string): boolean {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) throw invalidParameter(`invalid reference filter pattern ${pattern}: syntax error in pattern`);
      re += "[" + pattern.slice(i + 1, end).replace(/^\^/, "^").replace(/\\/g, "\\\\") + "]";
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(re + "$").test(s);
}

const created = (r: ImageRecord) => Date.parse(r.config.created ?? "") || 0;

export function imageList(svc: ImageService, opts: { all: boolean; digests: boolean; filters: Filters; version: string }): ImageSummary[] {
  const f = opts.filters;
  for (const k of f.keys()) if (!(listFilters as readonly string[]).includes(k)) throw invalidParameter(`invalid filter '${k}'`);
  const dangling = f.get("dangling")?.[0];
  if (dangling !== undefined && !["true", "false", "1", "0"].includes(dangling.toLowerCase())) {
    throw invalidParameter(`invalid filter 'dangling=${dangling}'`);
  }
  const pivot = (key: string) => {
    const v = f.get(key)?.[0];
    return v === undefined ? undefined : created(svc.resolve(v));
  };
  const before = pivot("before");
  const since = pivot("since");
  const until = f.get("until")?.[0];
  const untilMs = until === undefined ? undefined : Number(parseTimestampNano(untilTimestamp(until), "until") / 1_000_000n);
  const refs = f.get("reference");
  const parents = new Set(svc.images.list().map((r) => r.parent));
  let out = svc.images.list().filter((rec) => {
    const tags = svc.tags.refsOf(rec.id);
    // An unnamed image that others were committed from is an intermediate layer: shown
    // with -a only, and never dangling (dockerd lists only heads as dangling).
    if (!tags.length && parents.has(rec.id) && (!opts.all || dangling !== undefined)) return false;
    if (dangling !== undefined && (["true", "1"].includes(dangling.toLowerCase()) ? tags.length > 0 : tags.length === 0)) return false;
    const labels = rec.config.config?.Labels ?? {};
    if (!matchLabels(labels, f.get("label"))) return false;
    if (f.get("label!")?.some((w) => matchLabels(labels, [w]))) return false;
    if (before !== undefined && created(rec) >= before) return false;
    if (since !== undefined && created(rec) <= since) return false;
    if (untilMs !== undefined && created(rec) >= untilMs) return false;
    if (refs?.length && !tags.some((t) => refs.some((p) => globMatch(p, familiarString(t)) || globMatch(p, familiarName(t))))) return false;
    return true;
  });
  out = out.sort((a, b) => created(b) - created(a) || a.id.localeCompare(b.id));
  return out.map((rec) => {
    const s = imageSummary(svc, rec, opts.version);
    // A reference filter lists only the matching names of an image.
    if (refs?.length) s.RepoTags = s.RepoTags.filter((t: string) => refs.some((p) => globMatch(p, t) || globMatch(p, t.replace(/:[^:/]+$/, ""))));
    return s;
  });
}
