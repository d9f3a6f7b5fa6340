import { Client } from "../client/client.ts";

let client: Client | undefined;
let host: string | undefined;

export function setHost(h: string | undefined): void {
  host = h;
}

/** The client for this invocation: -H first, then DOCKER_HOST, then the default socket. */
export function getClient(): Client {
  client ??= new Client(host ?? (process.env.DOCKER_HOST || undefined));
  return client;
}
