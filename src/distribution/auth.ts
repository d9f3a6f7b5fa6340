// Registry credentials and authentication challenges: the X-Registry-Auth header the
// docker CLI sends (base64url JSON), `WWW-Authenticate` parsing, and bearer tokens from
// the challenge's realm, cached per scope until they expire.
import { invalidParameter } from "../errors.ts";

export interface AuthConfig {
  username?: string;
  password?: string;
  /** `base64(user:password)`, as config.json keeps it. */
  auth?: string;
  serveraddress?: string;
  /** A refresh token a token server gave at login. */
  identitytoken?: string;
  /** A bearer token to send as is. */
  registrytoken?: string;
}

export function decodeRegistryAuth(header: string | undefined): AuthConfig {
  if (!header) return {};
  let j: unknown;
  try {
    j = JSON.parse(Buffer.from(header, "base64").toString("utf8"));
  } catch {
    throw invalidParameter("invalid X-Registry-Auth header: it must be base64url-encoded JSON");
  }
  if (!j || typeof j !== "object") return {};
  const o = j as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === "string" && o[k] ? (o[k] as string) : undefined);
  const c: AuthConfig = {
    username: str("username"),
    password: str("password"),
    auth: str("auth"),
    serveraddress: str("serveraddress"),
    identitytoken: str("identitytoken"),
    registrytoken: str("registrytoken"),
  };
  if (c.auth && !c.username) {
    const plain = Buffer.from(c.auth, "base64").toString("utf8");
    const i = plain.indexOf(":");
    if (i > 0) {
      c.username = plain.slice(0, i);
      c.password = plain.slice(i + 1);
    }
  }
  return c;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="…",service="…"`; several challenges may share a header. */
export function parseChallenges(headers: string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const h of headers) {
    const re = /\s*([A-Za-z]+)\s*((?:[A-Za-z0-9_-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s,]*)\s*,?\s*)*)/gy;
    let m: RegExpExecArray | null;
    while ((m = re.exec(h)) && m[0]) {
      const params: Record<string, string> = {};
      const pre = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
      let p: RegExpExecArray | null;
      while ((p = pre.exec(m[2] ?? ""))) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : (p[3] ?? "");
      out.push({ scheme: m[1]!.toLowerCase(), params });
    }
  }
  return out;
}

export interface Token {
  token: string;
  refreshToken?: string;
  expires: number;
}

export class TokenCache {
  private readonly tokens = new Map<string, Token>();

  get(key: string): Token | undefined {
    const t = this.tokens.get(key);
    if (t && t.expires > Date.now()) return t;
    this.tokens.delete(key);
    return undefined;
  }

  set(key: string, t: Token): void {
    this.tokens.set(key, t);
  }
}

export function basicHeader(c: AuthConfig): string | undefined {
  if (!c.username) return undefined;
  return `Basic ${Buffer.from(`${c.username}:${c.password ?? ""}`).toString("base64")}`;
}
