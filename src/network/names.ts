// The names a user network's resolver answers: a container's DNS names (name, aliases,
// short id), as the asking container sees them (only networks it shares, plus its own
// links), and where it relays every other name.
import type { Container } from "../container/container.ts";
import type { EndpointSettings } from "../api/types/index.ts";
import { hostResolvers } from "./dns.ts";
import { dnsNames, parseLinkSpec } from "./endpoint.ts";
import { predefined, type NetRuntime, type NetworkState } from "./state.ts";

/** Names of a container on a user network: its name, aliases and short id (Docker's DNSNames). */
export function containerDnsNames(c: Container, ep: EndpointSettings): string[] {
  return dnsNames(c.name, c.id, c.rec.Config.Hostname ?? undefined, ep.Aliases);
}

/** Where the resolver relays other names for a container: its --dns servers, else the host's. */
export function upstreamsFor(st: NetworkState, networkId: string, from: string): { host: string; port: number }[] {
  // Attached, not necessarily marked running yet: a process may ask before start has returned.
  const asker = (st.containers?.all() ?? []).find((c) => (c.rec.NetRuntime as NetRuntime | undefined)?.endpoints.some((e) => e.networkId === networkId && e.ip === from));
  const dns: string[] = (asker?.rec.HostConfig.Dns ?? []).filter((s: string) => /^\d+\.\d+\.\d+\.\d+$/.test(s));
  return (dns.length ? dns : hostResolvers()).map((host) => ({ host, port: 53 }));
}

/**
 * A name as the container asking (by its address on `networkId`) sees it: containers
 * on any user network it shares with them, by name, alias or id prefix (12+ hex).
 */
export function resolveName(st: NetworkState, networkId: string, name: string, from: string): string[] | undefined {
  const q = name.replace(/\.$/, "").toLowerCase();
  const running = (st.containers?.all() ?? []).filter((c) => c.rec.NetRuntime);
  const eps = (c: Container) => (c.rec.NetRuntime as NetRuntime).endpoints;
  const asker = running.find((c) => eps(c).some((e) => e.networkId === networkId && e.ip === from));
  const nets = new Set(asker ? eps(asker).map((e) => e.networkId).filter((id) => id !== st.records.find((r) => r.Name === "bridge")?.Id) : [networkId]);
  const ips: string[] = [];
  // A link (`--link db:database` on a user network) names a container for the asker only.
  if (asker) {
    for (const ep of eps(asker)) {
      for (const l of endpointLinks(st, asker, ep.name)) {
        const [target, alias] = parseLinkSpec(l);
        if (alias.toLowerCase() !== q) continue;
        const t = running.find((c) => c.name === target || c.id === target);
        const tep = t && eps(t).find((e) => e.networkId === ep.networkId);
        if (tep) ips.push(tep.ip, ...(tep.ip6 ? [tep.ip6] : []));
      }
    }
  }
  for (const c of running) {
    const names = [c.name, c.id.slice(0, 12)].map((x) => x.toLowerCase());
    const byId = q.length >= 12 && /^[0-9a-f]+$/.test(q) && c.id.startsWith(q);
    for (const ep of eps(c)) {
      if (!nets.has(ep.networkId)) continue;
      const aliases: string[] = c.rec.NetworkSettings?.Networks?.[ep.name]?.Aliases ?? [];
      if (byId || names.includes(q) || aliases.some((a) => a.toLowerCase() === q)) ips.push(ep.ip, ...(ep.ip6 ? [ep.ip6] : []));
    }
  }
  return ips.length ? [...new Set(ips)] : undefined;
}

/** An endpoint's links: its own, else (the primary user network) HostConfig.Links. */
export function endpointLinks(st: NetworkState, c: Container, netName: string): string[] {
  const own = c.rec.NetworkSettings?.Networks?.[netName]?.Links;
  if (own?.length) return own;
  const mode: string = c.rec.HostConfig.NetworkMode || "default";
  const primary = mode === netName || st.records.find((r) => r.Id === mode)?.Name === netName;
  return primary && !predefined.includes(netName) ? (c.rec.HostConfig.Links ?? []) : [];
}
