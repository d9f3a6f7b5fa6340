// What the daemon checks before it binds: a TCP listener serves root on this host to
// whoever reaches it, so without TLS it starts only when told so (--tls=false), and
// then loudly; unix sockets go to the docker (or wharf) group when there is one.
import { readFileSync } from "node:fs";
import { invalidParameter } from "../errors.ts";
import { logger } from "../log.ts";
import type { DaemonConfig } from "./config.ts";

const log = logger("daemon");

export function checkListeners(c: DaemonConfig): void {
  for (const l of c.listeners) {
    if (l.proto !== "tcp" || l.tls) continue;
    if (c.tls === undefined) {
      throw invalidParameter(
        `API is accessible on http://${l.addr} without encryption. Access to the remote API is equivalent to root access on the host: ` +
          "start with --tlsverify (with --tlscacert, --tlscert, --tlskey), or give --tls=false to serve it without TLS anyway",
      );
    }
    const lines = [
      `Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.`,
      `Binding to an IP address, even on localhost, can also give access to scripts run in a browser. Be safe out there!`,
      `Running with --tls=false as asked: please consider generating tls certificates with client validation.`,
    ];
    for (const m of lines) log.warn(`${m} host="tcp://${l.addr}"`);
  }
  for (const l of c.listeners) {
    if (l.proto === "tcp" && l.tls && !l.tls.ca) {
      log.warn(`tcp://${l.addr} uses TLS without client verification (--tls without --tlsverify): anyone who reaches it has root on this host`);
    }
  }
}

/** The gid for unix sockets: --group's, else docker's or wharf's; undefined when none exists. */
export function socketGroup(c: DaemonConfig, explicit: boolean): number | undefined {
  if (c.group === "") return undefined;
  const candidates = explicit ? [c.group] : [c.group, "wharf"];
  let groups: string[][] = [];
  try {
    groups = readFileSync("/etc/group", "utf8").split("\n").map((l) => l.split(":"));
  } catch {}
  for (const name of candidates) {
    if (/^\d+$/.test(name)) return Number(name);
    const g = groups.find((f) => f[0] === name);
    if (g && /^\d+$/.test(g[2] ?? "")) return Number(g[2]);
  }
  if (explicit) log.warn(`could not change group of the API socket to ${c.group}: group ${c.group} not found`);
  return undefined;
}
