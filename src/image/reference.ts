// Image references as Docker's reference package reads them: `busybox` is
// `docker.io/library/busybox`, a first component with a `.` or `:` (or `localhost`, or
// upper case) is a registry, tags and digests follow the name. Messages are Docker's.
import { invalidParameter } from "../errors.ts";

export interface Reference {
  /** Registry host, `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path inside the registry, `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

const component = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const domainPart = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domainRe = new RegExp(`^(?:${domainPart}(?:\\.${domainPart})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const pathRe = new RegExp(`^${component}(?:/${component})*$`);
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const fullIdRe = /^[a-f0-9]{64}$/;

export const defaultDomain = "docker.io";
const legacyDomain = "index.docker.io";
const officialRepoPrefix = "library/";

const bad = (why?: string) => invalidParameter(why ? `invalid reference format: ${why}` : "invalid reference format");

/** Parses a user's reference and fills in Docker Hub and `library/` (no default tag). */
export function parseNormalized(s: string): Reference {
  if (fullIdRe.test(s)) {
    throw invalidParameter(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  if (s === "") throw bad();
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw bad();
    if (digest.startsWith("sha256:") && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw invalidParameter("invalid checksum digest format");
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) throw bad();
  }
  const { domain, path } = splitDomain(rest);
  if (domain && !domainRe.test(domain)) throw bad();
  if (path !== path.toLowerCase()) throw bad(`repository name (${path}) must be lowercase`);
  if (!pathRe.test(path)) throw bad();
  if (`${domain}/${path}`.length > 255) throw bad("repository name must not be more than 255 characters");
  return { domain, path, tag, digest };
}

function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf("/");
  const first = i < 0 ? "" : name.slice(0, i);
  let domain: string;
  let path: string;
  if (i < 0 || (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first)) {
    domain = defaultDomain;
    path = name;
  } else {
    domain = first;
    path = name.slice(i + 1);
  }
  if (domain === legacyDomain) domain = defaultDomain;
  if (domain === defaultDomain && !path.includes("/")) path = officialRepoPrefix + path;
  return { domain, path };
}

/** A name without tag or digest gets `:latest`, as `docker pull busybox` does. */
export function withDefaultTag(r: Reference): Reference {
  return r.tag === undefined && r.digest === undefined ? { ...r, tag: "latest" } : r;
}

/** `docker.io/library/busybox` */
export function fullName(r: Reference): string {
  return `${r.domain}/${r.path}`;
}

/** `docker.io/library/busybox:latest`, the key of the tag store. */
export function referenceString(r: Reference): string {
  return fullName(r) + (r.tag !== undefined ? `:${r.tag}` : "") + (r.digest !== undefined ? `@${r.digest}` : "");
}

/** `busybox`, `host:5000/a/b`: the name as docker's CLI prints it. */
export function familiarName(r: Reference): string {
  if (r.domain !== defaultDomain) return fullName(r);
  return r.path.startsWith(officialRepoPrefix) && r.path.split("/").length === 2 ? r.path.slice(officialRepoPrefix.length) : r.path;
}

/** `busybox:latest`, `busybox@sha256:…` */
export function familiarString(r: Reference): string {
  return familiarName(r) + (r.tag !== undefined ? `:${r.tag}` : "") + (r.digest !== undefined ? `@${r.digest}` : "");
}

/** Parses `repo` plus an optional separate `tag` (the API's `repo`/`tag` parameters). */
export function parseRepoTag(repo: string, tag?: string): Reference {
  const r = parseNormalized(repo);
  if (tag) {
    if (r.digest === undefined && r.tag !== undefined) throw bad();
    if (!tagRe.test(tag)) throw bad();
    return { ...r, tag };
  }
  return withDefaultTag(r);
}

/** Is `s` a (possibly `sha256:`-prefixed) hex id or id prefix, rather than a name? */
export function looksLikeId(s: string): boolean {
  return /^(sha256:)?[a-f0-9]{1,64}$/.test(s);
}
