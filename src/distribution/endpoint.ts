// Where a registry name is served: Docker Hub's `docker.io` is `registry-1.docker.io`
// (or a configured mirror); loopback names and `--insecure-registry` entries speak plain
// http, as dockerd allows for them; everything else https.
import { invalidParameter } from "../errors.ts";

export interface RegistryOptions {
  /** `host[:port]` names or IPv4 CIDRs (`10.0.0.0/8`). */
  insecure: string[];
  /** Mirrors for Docker Hub names (`https://mirror.example`). */
  mirrors: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  /** Where Docker Hub names are served when no mirror answers (tests point it at loopback). */
  hub?: string;
}

export const defaultRegistryOptions: RegistryOptions = { insecure: [], mirrors: [], maxConcurrentDownloads: 3, maxConcurrentUploads: 5 };

export interface Endpoint {
  /** The name as references spell it (`docker.io`, `127.0.0.1:5000`). */
  domain: string;
  /** `http://127.0.0.1:5000`, without a trailing slash. */
  base: string;
  insecure: boolean;
  /** A --registry-mirror: its failures fall back to the next endpoint, as dockerd's do. */
  mirror?: boolean;
}

export const dockerHub = "docker.io";
const hubRegistry = "https://registry-1.docker.io";

function hostOf(domain: string): string {
  if (domain.startsWith("[")) return domain.slice(1, domain.indexOf("]"));
  const i = domain.lastIndexOf(":");
  return i >= 0 ? domain.slice(0, i) : domain;
}

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function inCidr(ip: number, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const n = ipv4(net ?? "");
  const b = Number(bits);
  if (n === undefined || !Number.isInteger(b) || b < 0 || b > 32) return false;
  const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
  return ((ip & mask) >>> 0) === ((n & mask) >>> 0);
}

export function isInsecure(domain: string, opts: RegistryOptions): boolean {
  const host = hostOf(domain);
  if (host === "localhost" || host === "::1") return true;
  const ip = ipv4(host);
  if (ip !== undefined && ip >>> 24 === 127) return true;
  for (const entry of opts.insecure) {
    if (entry === domain || entry === host) return true;
    if (ip !== undefined && entry.includes("/") && inCidr(ip, entry)) return true;
  }
  return false;
}

/** The endpoints to try for a registry name, best first. */
export function endpointsFor(domain: string, opts: RegistryOptions): Endpoint[] {
  if (domain === dockerHub) {
    const mirrors = opts.mirrors.map((m) => {
      const u = m.replace(/\/+$/, "");
      return { domain, base: u, insecure: u.startsWith("http://"), mirror: true };
    });
    const hub = (opts.hub || hubRegistry).replace(/\/+$/, "");
    return [...mirrors, { domain, base: hub, insecure: hub.startsWith("http://") }];
  }
  const insecure = isInsecure(domain, opts);
  return [{ domain, base: `${insecure ? "http" : "https"}://${domain}`, insecure }];
}

/** `--insecure-registry` values as dockerd checks them. */
export function checkInsecureEntry(s: string): string {
  const v = s.replace(/^https?:\/\//, "").replace(/\/+$/, "");
  if (!v || v.includes("://")) throw invalidParameter(`insecure registry ${s} is not valid`);
  return v;
}
