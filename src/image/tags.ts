// The tag store: references (`docker.io/library/busybox:latest`, `name@sha256:…`) to
// image ids, kept in one JSON file shaped like Docker's repositories.json and rewritten
// atomically on each change.
import { readFileSync } from "node:fs";
import type { Digest } from "../storage/types.ts";
import { fullName, parseNormalized, referenceString, type Reference } from "./reference.ts";
import { writeAtomic } from "./store.ts";

export class TagStore {
  /** Full reference string → image id. */
  private readonly refs = new Map<string, Digest>();

  constructor(private readonly path: string) {
    let data: { Repositories?: Record<string, Record<string, Digest>> } = {};
    try {
      data = JSON.parse(readFileSync(path, "utf8"));
    } catch {}
    for (const repo of Object.values(data.Repositories ?? {})) {
      for (const [ref, id] of Object.entries(repo)) this.refs.set(ref, id);
    }
  }

  get(ref: Reference): Digest | undefined {
    return this.refs.get(referenceString(ref));
  }

  /** Points a reference at an image; returns the image it pointed at before, if another. */
  set(ref: Reference, id: Digest): Digest | undefined {
    const key = referenceString(ref);
    const before = this.refs.get(key);
    this.refs.set(key, id);
    this.save();
    return before !== id ? before : undefined;
  }

  delete(ref: Reference): boolean {
    const ok = this.refs.delete(referenceString(ref));
    if (ok) this.save();
    return ok;
  }

  /** The references naming an image, tags first then digests, each group sorted. */
  refsOf(id: Digest): Reference[] {
    const out: Reference[] = [];
    for (const [key, v] of this.refs) if (v === id) out.push(parseNormalized(key));
    const rank = (r: Reference) => (r.digest ? 1 : 0);
    return out.sort((a, b) => rank(a) - rank(b) || referenceString(a).localeCompare(referenceString(b)));
  }

  entries(): [Reference, Digest][] {
    return [...this.refs].map(([k, v]) => [parseNormalized(k), v]);
  }

  private save(): void {
    const repos: Record<string, Record<string, Digest>> = {};
    for (const [key, id] of this.refs) (repos[fullName(parseNormalized(key))] ??= {})[key] = id;
    writeAtomic(this.path, JSON.stringify({ Repositories: repos }));
  }
}
