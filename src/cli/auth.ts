// Registry credentials where the docker CLI keeps them (--config, DOCKER_CONFIG,
// ~/.docker/config.json), so wharf and docker share logins: `credHelpers[server]` names
// a `docker-credential-*` helper for one registry, `credsStore` one for all, and
// otherwise `auths[server].auth` holds base64 `user:password` (or an `identitytoken`).
// A helper-kept login still leaves an empty `auths` entry, as docker writes one.
// X-Registry-Auth is base64url JSON of the credentials.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dockerConfigDir } from "./context.ts";
import { credentialHelper } from "./credhelper.ts";

export const indexServer = "https://index.docker.io/v1/";

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export interface Credentials {
  username: string;
  password: string;
  /** The token server's refresh token from login, used instead of the password. */
  identitytoken?: string;
}

export const configPath = () => join(dockerConfigDir(), "config.json");

export function readConfig(): ConfigFile {
  let text: string;
  try {
    text = readFileSync(configPath(), "utf8");
  } catch {
    return {};
  }
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as ConfigFile;
  } catch (e) {
    // As docker: warned about, then treated as empty.
    process.stderr.write(`WARNING: Error loading config file: ${configPath()}: ${(e as Error).message}\n`);
    return {};
  }
}

export function writeConfig(c: ConfigFile): void {
  mkdirSync(dockerConfigDir(), { recursive: true, mode: 0o700 });
  const tmp = `${configPath()}.tmp`;
  writeFileSync(tmp, JSON.stringify(c, null, "\t") + "\n", { mode: 0o600 });
  renameSync(tmp, configPath());
}

/** The key config.json uses for a registry: Docker Hub's is the v1 index address. */
export function serverKey(domain: string): string {
  return domain === "docker.io" || domain === "index.docker.io" ? indexServer : domain.replace(/^https?:\/\//, "").replace(/\/$/, "");
}

/** `http://host/v2/` → `host`, as docker's ConvertToHostname matches config keys. */
function hostname(key: string): string {
  return key.replace(/^https?:\/\//, "").split("/")[0]!;
}

/** The helper that keeps a registry's credentials, if any. */
function helperFor(c: ConfigFile, key: string): string | undefined {
  return c.credHelpers?.[key] ?? c.credHelpers?.[hostname(key)] ?? (c.credsStore || undefined);
}

function fileEntry(c: ConfigFile, key: string): AuthEntry | undefined {
  const auths = c.auths ?? {};
  if (auths[key]) return auths[key];
  for (const [k, v] of Object.entries(auths)) if (hostname(k) === hostname(key)) return v;
  return undefined;
}

function decodeEntry(e: AuthEntry): Credentials | undefined {
  if (!e.auth && !e.identitytoken) return undefined;
  const plain = e.auth ? Buffer.from(e.auth, "base64").toString("utf8") : ":";
  const i = plain.indexOf(":");
  if (i < 0) throw new Error("invalid auth configuration file");
  return { username: plain.slice(0, i), password: plain.slice(i + 1), ...(e.identitytoken ? { identitytoken: e.identitytoken } : {}) };
}

/** The stored credentials for a registry key (undefined when there are none). */
export function getCredentials(key: string): Credentials | undefined {
  const c = readConfig();
  const helper = helperFor(c, key);
  if (!helper) {
    const e = fileEntry(c, key);
    return e && decodeEntry(e);
  }
  const got = credentialHelper(helper).get(key);
  if (!got) return undefined;
  // The helper protocol's convention for a refresh token.
  if (got.Username === "<token>") return { username: "", password: "", identitytoken: got.Secret };
  return { username: got.Username, password: got.Secret };
}

/** Stores a login; returns the config file when the secret went into it unencrypted. */
export function storeCredentials(key: string, cred: Credentials): string | undefined {
  const c = readConfig();
  const helper = helperFor(c, key);
  c.auths ??= {};
  if (helper) {
    credentialHelper(helper).store(
      cred.identitytoken ? { ServerURL: key, Username: "<token>", Secret: cred.identitytoken } : { ServerURL: key, Username: cred.username, Secret: cred.password },
    );
    c.auths[key] = {};
    writeConfig(c);
    return undefined;
  }
  // As docker: with an identity token the password is not kept.
  const pass = cred.identitytoken ? "" : cred.password;
  c.auths[key] = { auth: Buffer.from(`${cred.username}:${pass}`).toString("base64"), ...(cred.identitytoken ? { identitytoken: cred.identitytoken } : {}) };
  writeConfig(c);
  return configPath();
}

/**
 * Forgets a login. As docker 28: a key config.json does not list is also tried with
 * http:// and https:// in front; a helper that fails is passed over silently, as there.
 */
export function eraseCredentials(key: string): void {
  const c = readConfig();
  const listed = !!c.auths?.[key];
  const keys = listed || key === indexServer ? [key] : [key, `http://${key}`, `https://${key}`];
  let changed = false;
  for (const k of keys) {
    const helper = helperFor(c, k);
    if (helper) {
      try {
        credentialHelper(helper).erase(k);
      } catch {}
    }
    if (c.auths?.[k]) {
      delete c.auths[k];
      changed = true;
    }
  }
  if (changed) writeConfig(c);
}

/** X-Registry-Auth for a registry domain ("" when there are no stored credentials: anonymous). */
export function registryAuthHeader(domain: string): string {
  const key = serverKey(domain);
  let e: Credentials | undefined;
  try {
    e = getCredentials(key);
  } catch {
    // As docker's CLI: a helper that fails leaves the request anonymous.
  }
  if (!e) return "";
  const body: Record<string, string> = { serveraddress: key };
  if (e.identitytoken) body.identitytoken = e.identitytoken;
  if (e.username) body.username = e.username;
  if (e.password) body.password = e.password;
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}
