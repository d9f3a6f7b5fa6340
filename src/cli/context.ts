// Where this invocation talks to and keeps its config: -H, then DOCKER_HOST, then the
// default socket; --config, then DOCKER_CONFIG, then ~/.docker; DOCKER_API_VERSION
// fixes the API version (otherwise negotiated through /_ping).
import { Client, clientTlsFrom, type ClientTls } from "../client/client.ts";
import type { GlobalFlags } from "./globals.ts";

let client: Client | undefined;
let host: string | undefined;
let configDir: string | undefined;
let tlsFlags: ClientTls = {};

export function configure(g: Pick<GlobalFlags, "host" | "config" | "context" | "hostError"> & Partial<Pick<GlobalFlags, "tls">>): void {
  if (g.hostError) throw new Error(g.hostError);
  if (g.context && g.context !== "default") {
    throw new Error(`Failed to initialize: unable to resolve docker endpoint: context "${g.context}": context not found (wharf has only the default context; use -H or DOCKER_HOST)`);
  }
  host = g.host;
  configDir = g.config;
  tlsFlags = g.tls ?? {};
  const v = process.env.DOCKER_API_VERSION;
  if (v && !/^\d+\.\d+$/.test(v)) throw new Error(`invalid DOCKER_API_VERSION ${JSON.stringify(v)}: want MAJOR.MINOR, e.g. 1.45`);
}

/** Kept for callers that only pick the host. */
export function setHost(h: string | undefined): void {
  host = h;
}

export function getClient(): Client {
  client ??= new Client(host ?? (process.env.DOCKER_HOST || undefined), process.env.DOCKER_API_VERSION || undefined, clientTlsFrom(tlsFlags));
  return client;
}

/** The directory of config.json (credentials for login, pull and push). */
export function dockerConfigDir(): string {
  // $HOME rather than os.homedir(): node:os would add to every command's start-up.
  return configDir ?? (process.env.DOCKER_CONFIG || `${process.env.HOME || "/root"}/.docker`);
}
