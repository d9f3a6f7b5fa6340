import { Client, clientTlsFrom, type ClientTls } from "../client/client.ts";

let client: Client | undefined;
let host: string | undefined;
let tlsFlags: ClientTls = {};

export function setHost(h: string | undefined, tls: ClientTls = {}): void {
  host = h;
  tlsFlags = tls;
}

/** The client for this invocation: -H first, then DOCKER_HOST, then the default socket. */
export function getClient(): Client {
  client ??= new Client(host ?? (process.env.DOCKER_HOST || undefined), clientTlsFrom(tlsFlags));
  return client;
}
