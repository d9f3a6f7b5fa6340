// Registry credentials in config.json (--config, DOCKER_CONFIG, ~/.docker), as the
// docker CLI stores them: `auths[server].auth` is base64 of `user:password`, or an
// `identitytoken`; X-Registry-Auth is base64url JSON of the same.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dockerConfigDir } from "./context.ts";

export const indexServer = "https://index.docker.io/v1/";

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  [key: string]: unknown;
}

const configPath = () => join(dockerConfigDir(), "config.json");

export function readConfig(): ConfigFile {
  try {
    return JSON.parse(readFileSync(configPath(), "utf8")) as ConfigFile;
  } catch {
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

/** X-Registry-Auth for a registry domain ("" when there are no stored credentials: anonymous). */
export function registryAuthHeader(domain: string): string {
  const key = serverKey(domain);
  const e = readConfig().auths?.[key];
  if (!e) return "";
  const body: Record<string, string> = { serveraddress: key };
  if (e.identitytoken) body.identitytoken = e.identitytoken;
  if (e.auth) {
    const [username, ...rest] = Buffer.from(e.auth, "base64").toString("utf8").split(":");
    body.username = username ?? "";
    body.password = rest.join(":");
  }
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}
