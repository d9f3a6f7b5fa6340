// What daemon.json sets for every container that does not set it itself: DNS servers,
// search domains and options, the log driver with its options, and ulimits (read at
// each use, since SIGHUP may change default-ulimits).
import type { HostConfig } from "../../api/types/index.ts";

type Ulimit = NonNullable<HostConfig["Ulimits"]>[number];

export interface ContainerDefaults {
  dns: string[];
  dnsSearch: string[];
  dnsOpts: string[];
  logDriver: string;
  logOpts: Record<string, string>;
  defaultUlimits: Record<string, { Name: string; Soft: number; Hard: number }>;
}

let defaults: ContainerDefaults = { dns: [], dnsSearch: [], dnsOpts: [], logDriver: "json-file", logOpts: {}, defaultUlimits: {} };

/** Set once at daemon start with the live configuration object. */
export function setContainerDefaults(d: ContainerDefaults): void {
  defaults = d;
}

/** dockerd's create-time merge: no log type means the daemon's, with its options under the given ones. */
export function withDefaultLogConfig(lc: { Type?: string; Config?: Record<string, string> } | null | undefined): { Type: string; Config: Record<string, string> } {
  if (lc?.Type) return { Type: lc.Type, Config: lc.Config ?? {} };
  return { Type: defaults.logDriver, Config: { ...defaults.logOpts, ...(lc?.Config ?? {}) } };
}

/** The host config resolv.conf is written from: the daemon's DNS where the container has none. */
export function withDefaultDns(hc: HostConfig): HostConfig {
  return {
    ...hc,
    Dns: hc.Dns?.length ? hc.Dns : defaults.dns,
    DnsSearch: hc.DnsSearch?.length ? hc.DnsSearch : defaults.dnsSearch,
    DnsOptions: hc.DnsOptions?.length ? hc.DnsOptions : defaults.dnsOpts,
  };
}

/** The container's ulimits plus the daemon's for every name it does not set. */
export function withDefaultUlimits(ulimits: Ulimit[] | null | undefined): { Name: string; Soft: number; Hard: number }[] {
  // validateHostConfig let through only ulimits with a name and integer limits.
  const own = (ulimits ?? []) as { Name: string; Soft: number; Hard: number }[];
  const names = new Set(own.map((u) => u.Name));
  return [...own, ...Object.values(defaults.defaultUlimits).filter((u) => !names.has(u.Name))];
}
