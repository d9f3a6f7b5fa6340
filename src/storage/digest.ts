// Content addresses of layers: diff ids are sha256 of the uncompressed tar, chain ids
// follow the image spec (sha256 of "parentChainId diffId").
import { createHash } from "node:crypto";
import { invalidParameter } from "../errors.ts";
import type { Digest } from "./types.ts";

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

export function assertDigest(s: string, what: string): Digest {
  if (!isDigest(s)) throw invalidParameter(`${what} "${s}" is not a sha256 digest (sha256: and 64 lowercase hex digits)`);
  return s;
}

export function chainIdOf(parent: Digest | null, diffId: Digest): Digest {
  if (!parent) return diffId;
  return `sha256:${createHash("sha256").update(`${parent} ${diffId}`).digest("hex")}`;
}

export function hexOf(d: Digest): string {
  return d.slice("sha256:".length);
}
