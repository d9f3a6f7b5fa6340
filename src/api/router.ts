// Routes are matched on the path with any /vX.Y prefix removed; the prefix is checked
// against the versions wharf serves.
import { apiVersion, minApiVersion } from "../version.ts";
import { invalidParameter, notFound } from "../errors.ts";
import type { Handler, Route } from "./types.ts";

interface Compiled {
  method: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return am !== bm ? am! - bm! : an! - bn!;
}

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

function firstSegment(path: string): string {
  const end = path.indexOf("/", 1);
  return end < 0 ? path : path.slice(0, end);
}

export class Router {
  private readonly routes: Compiled[] = [];
  // Routes by their first path segment, so a request tries a few regexps, not all.
  private readonly byFirst = new Map<string, Compiled[]>();
  private anyFirst = false;

  add(...routes: Route[]): this {
    for (const r of routes) {
      const names: string[] = [];
      // {name} matches one segment; a trailing {name:.*} style is not needed by the API.
      const src = r.path.replace(/[.+?^$()[\]\\|]/g, "\\$&").replace(/\{(\w+)\}/g, (_, n) => {
        names.push(n);
        return "([^/]+)";
      });
      const c = { method: r.method, re: new RegExp(`^${src}/?$`), names, handler: r.handler };
      this.routes.push(c);
      const first = firstSegment(r.path);
      if (first.includes("{")) this.anyFirst = true;
      else {
        let list = this.byFirst.get(first);
        if (!list) this.byFirst.set(first, (list = []));
        list.push(c);
      }
    }
    return this;
  }

  /** Finds the handler for a method and unprefixed path; HEAD falls back to GET. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    const routes = this.anyFirst ? this.routes : (this.byFirst.get(firstSegment(path)) ?? []);
    for (const want of method === "HEAD" ? ["HEAD", "GET"] : [method]) {
      for (const r of routes) {
        const m = r.re.exec(path);
        if (!m) continue;
        if (r.method !== want) continue;
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => {
          const v = m[i + 1]!;
          params[n] = v.includes("%") ? decodeURIComponent(v) : v;
        });
        return { handler: r.handler, params };
      }
    }
    // Docker answers 404 "page not found" for unknown paths and for a known path with
    // another method alike.
    throw notFound("page not found");
  }
}
