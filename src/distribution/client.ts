// One registry session: probes `GET /v2/` once to learn how the registry authenticates,
// then signs each request (Basic, or a Bearer token for the request's repository scope),
// and turns transport failures into Go's `Get "url": reason` messages.
import { WharfError } from "../errors.ts";
import { basicHeader, parseChallenges, TokenCache, type AuthConfig, type Challenge, type Token } from "./auth.ts";
import type { Endpoint } from "./endpoint.ts";
import { registryError, transportError } from "./errors.ts";

export interface Scope {
  repo: string;
  actions: ("pull" | "push")[];
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit | AsyncIterable<Uint8Array>;
  /** Aborts the request when the caller is gone. */
  signal?: AbortSignal;
  /** Whether to follow redirects (blob GETs do; uploads read Location themselves). */
  redirect?: "follow" | "manual";
}

const headerTimeoutMs = 60_000;
const userAgent = "wharf/1.0 (docker-compatible)";

/** Shared across sessions so a second pull within `expires_in` needs no token round trip. */
const sharedTokens = new TokenCache();

export class RegistrySession {
  private challenge?: Challenge | null;
  private probing?: Promise<void>;
  /** The refresh token a token server handed out (login's IdentityToken). */
  refreshToken?: string;
  /** Ends every request that brings no signal of its own (the API request's client went away). */
  signal?: AbortSignal;

  constructor(
    readonly endpoint: Endpoint,
    private readonly creds: AuthConfig,
    private readonly tokens: TokenCache = sharedTokens,
  ) {}

  /** A session that asks the token server every time (login must check the password). */
  static uncached(endpoint: Endpoint, creds: AuthConfig): RegistrySession {
    return new RegistrySession(endpoint, creds, new TokenCache());
  }

  url(path: string): string {
    return `${this.endpoint.base}${path}`;
  }

  /** GET /v2/: the challenge (null when the registry is open). Throws what login reports. */
  async probe(): Promise<Challenge | null> {
    if (this.challenge !== undefined) return this.challenge;
    this.probing ??= (async () => {
      const url = this.url("/v2/");
      const res = await this.raw("GET", url, {});
      await res.body?.cancel().catch(() => {});
      if (res.status === 401) {
        const cs = parseChallenges([res.headers.get("www-authenticate") ?? ""]);
        this.challenge = cs.find((c) => c.scheme === "bearer") ?? cs.find((c) => c.scheme === "basic") ?? null;
        return;
      }
      this.challenge = null;
    })();
    await this.probing;
    return this.challenge ?? null;
  }

  private async raw(method: string, url: string, o: RequestOptions, auth?: string): Promise<Response> {
    o = o.signal || !this.signal ? o : { ...o, signal: this.signal };
    const headers: Record<string, string> = { "User-Agent": userAgent, ...o.headers };
    if (auth) headers.Authorization = auth;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error("timeout awaiting response headers")), headerTimeoutMs);
    const onAbort = () => ac.abort(o.signal?.reason);
    o.signal?.addEventListener("abort", onAbort, { once: true });
    // A signal that fired already never fires again.
    if (o.signal?.aborted) onAbort();
    try {
      return await fetch(url, {
        method,
        headers,
        body: o.body as BodyInit | undefined,
        redirect: o.redirect ?? "follow",
        signal: ac.signal,
        // Bun streams an async iterable body; Node's fetch wants to be told.
        ...(o.body && typeof o.body === "object" && Symbol.asyncIterator in o.body ? { duplex: "half" } : {}),
      } as RequestInit);
    } catch (e) {
      const reason = ac.signal.aborted && !o.signal?.aborted ? "timeout awaiting response headers" : goReason(e);
      throw transportError(method, url, reason);
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The Authorization header for a scope, fetching a token when the registry wants one. */
  async authorization(scope: Scope | null, method: string, url: string): Promise<string | undefined> {
    if (this.creds.registrytoken) return `Bearer ${this.creds.registrytoken}`;
    const c = await this.probe();
    if (!c) return undefined;
    if (c.scheme === "basic") {
      const h = basicHeader(this.creds);
      if (!h) throw transportError(method, url, "no basic auth credentials");
      return h;
    }
    const t = await this.token(c, scope);
    return `Bearer ${t.token}`;
  }

  private async token(c: Challenge, scope: Scope | null): Promise<Token> {
    const realm = c.params.realm;
    if (!realm) throw new WharfError("system", "the registry's bearer challenge names no realm");
    const scopeStr = scope ? `repository:${scope.repo}:${scope.actions.join(",")}` : undefined;
    // Keyed by everything that proves identity, so other credentials never reuse a token.
    const who = new Bun.CryptoHasher("sha256").update(`${this.creds.username ?? ""}\0${this.creds.password ?? ""}\0${this.creds.identitytoken ?? ""}`).digest("hex");
    const key = `${realm}|${c.params.service ?? ""}|${scopeStr ?? ""}|${who}`;
    const cached = this.tokens.get(key);
    if (cached) {
      if (cached.refreshToken) this.refreshToken = cached.refreshToken;
      return cached;
    }
    let res: Response;
    const refresh = this.creds.identitytoken;
    if (refresh) {
      const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refresh, client_id: "docker", service: c.params.service ?? "" });
      if (scopeStr) form.set("scope", scopeStr);
      res = await this.raw("POST", realm, { headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form.toString() });
    } else {
      const u = new URL(realm);
      if (c.params.service) u.searchParams.set("service", c.params.service);
      if (scopeStr) u.searchParams.set("scope", scopeStr);
      if (this.creds.username) {
        u.searchParams.set("account", this.creds.username);
        u.searchParams.set("offline_token", "true");
        u.searchParams.set("client_id", "docker");
      }
      res = await this.raw("GET", u.toString(), {}, basicHeader(this.creds));
    }
    if (!res.ok) throw await registryError(res);
    const j = (await res.json()) as { token?: string; access_token?: string; expires_in?: number; refresh_token?: string };
    const token = j.token || j.access_token;
    if (!token) throw new WharfError("system", `the token server at ${realm} answered no token`);
    // As Docker: tokens live at least 60 s; refresh a little early.
    const life = Math.max(60, j.expires_in ?? 60) * 1000;
    const t: Token = { token, refreshToken: j.refresh_token, expires: Date.now() + life - 5000 };
    if (j.refresh_token) this.refreshToken = j.refresh_token;
    this.tokens.set(key, t);
    return t;
  }

  /** A signed request under `/v2/`; answers of any status are returned. */
  async request(path: string, scope: Scope | null, o: RequestOptions = {}): Promise<Response> {
    const method = o.method ?? "GET";
    const url = path.startsWith("http") ? path : this.url(path);
    const auth = await this.authorization(scope, method, url);
    return this.raw(method, url, o, auth);
  }
}

/** Bun's fetch errors in the words Go's net package uses where they map. */
function goReason(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const code = err?.code ?? "";
  if (code === "ConnectionRefused" || code === "ECONNREFUSED") return "dial tcp: connect: connection refused";
  if (code === "ECONNRESET" || code === "ConnectionClosed") return "connection reset by peer";
  if (code === "FailedToOpenSocket" || code === "ENOTFOUND") return `dial tcp: lookup failed: ${err.message ?? code}`;
  return err?.message ?? String(e);
}
