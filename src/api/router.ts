// Routes are matched on the path with any /vX.Y prefix removed; the prefix is checked
// against the versions wharf serves.
import { apiVersion, compareVersions, minApiVersion } from "../version.ts";
import { invalidParameter, notFound } from "../errors.ts";
import type { Handler, Route } from "./types.ts";

interface Compiled {
  method: string;
  /** Per path segment: the literal it must equal, or null for a {param}. */
  segments: (string | null)[];
  names: string[];
  handler: Handler;
}

// Lives in version.ts so domain code trimming shapes per version need not import the API.
export { compareVersions };

// Prefixes already validated ("/v1.45" → "1.45"): every request carries one.
const checkedPrefixes = new Map<string, string>();

/** Splits `/v1.41/containers/json` into the version and the rest; validates the version. */
export function splitVersion(path: string): { version: string; path: string } {
  if (path.startsWith("/v")) {
    const slash = path.indexOf("/", 2);
    const known = checkedPrefixes.get(slash < 0 ? path : path.slice(0, slash));
    if (known !== undefined) return { version: known, path: slash < 0 ? "/" : path.slice(slash) };
  }
  const m = /^\/v(\d+)\.(\d+)(\/.*)?$/.exec(path);
  if (!m) return { version: apiVersion, path };
  const version = `${Number(m[1])}.${Number(m[2])}`;
  if (compareVersions(version, apiVersion) > 0) {
    throw invalidParameter(
      `client version ${version} is too new. Maximum supported API version is ${apiVersion}`,
    );
  }
  if (compareVersions(version, minApiVersion) < 0) {
    throw invalidParameter(
      `client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`,
    );
  }
  if (checkedPrefixes.size < 64) checkedPrefixes.set(`/v${m[1]}.${m[2]}`, version);
  return { version, path: m[3] ?? "/" };
}

/**
 * Routes are matched segment by segment, in registration order, among those with the
 * request's method, segment count and first segment: a request compares a few strings
 * instead of running every route's regexp.
 */
export class Router {
  private readonly buckets = new Map<string, Compiled[]>();

  add(...routes: Route[]): this {
    for (const r of routes) {
      const names: string[] = [];
      const segments = r.path.split("/").slice(1).map((seg) => {
        const m = /^\{(\w+)\}$/.exec(seg);
        if (!m) {
          if (seg.includes("{")) throw new Error(`router: a parameter must be a whole segment: ${r.path}`);
          return seg;
        }
        names.push(m[1]!);
        return null;
      });
      if (segments[0] === null) throw new Error(`router: the first segment must be literal: ${r.path}`);
      const key = bucketKey(r.method, segments.length, segments[0]!);
      let list = this.buckets.get(key);
      if (!list) this.buckets.set(key, (list = []));
      list.push({ method: r.method, segments, names, handler: r.handler });
    }
    return this;
  }

  /** Finds the handler for a method and unprefixed path; HEAD falls back to GET. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    // One trailing slash is allowed, as Docker's router allows it.
    const segs = (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path).split("/");
    segs.shift();
    for (const want of method === "HEAD" ? ["HEAD", "GET"] : [method]) {
      const routes = this.buckets.get(bucketKey(want, segs.length, segs[0]!));
      if (!routes) continue;
      next: for (const r of routes) {
        for (let i = 0; i < segs.length; i++) {
          const lit = r.segments[i];
          if (lit === null ? segs[i] === "" : lit !== segs[i]) continue next;
        }
        const params: Record<string, string> = {};
        let n = 0;
        for (let i = 0; i < segs.length; i++) {
          if (r.segments[i] !== null) continue;
          const v = segs[i]!;
          params[r.names[n++]!] = v.includes("%") ? decodeURIComponent(v) : v;
        }
        return { handler: r.handler, params };
      }
    }
    // Docker answers 404 "page not found" for unknown paths and for a known path with
    // another method alike.
    throw notFound("page not found");
  }
}

function bucketKey(method: string, count: number, first: string): string {
  return `${method} ${count} ${first}`;
}
