// Docker's `filters` query parameter: JSON of {name: {value: true}} or, from older
// clients, {name: [value, ...]}, and the label and time matching every list and prune
// applies. Below the API (it re-exports this as api/filters.ts) because the domain's
// list and prune code takes parsed filters too.
import { invalidParameter } from "./errors.ts";

export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | null, allowed?: readonly string[]): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter(`invalid filter: ${raw}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter(`invalid filter: ${raw}`);
  }
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (allowed && !allowed.includes(k)) throw invalidParameter(`invalid filter '${k}'`);
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (v && typeof v === "object") out.set(k, Object.keys(v).filter((x) => (v as Record<string, unknown>)[x]));
    else throw invalidParameter(`invalid filter '${k}': want a list or a map of values`);
  }
  return out;
}

/** Does `labels` satisfy every `key` or `key=value` in `wanted`? */
export function matchLabels(labels: Record<string, string> | null | undefined, wanted: string[] | undefined): boolean {
  if (!wanted?.length) return true;
  const l = labels ?? {};
  return wanted.every((w) => {
    const i = w.indexOf("=");
    if (i < 0) return w in l;
    return l[w.slice(0, i)] === w.slice(i + 1);
  });
}
