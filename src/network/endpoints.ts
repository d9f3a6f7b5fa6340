// A container's endpoints: the settings a create asks for, one endpoint per network at
// start (addresses, MAC, veth in the sandbox, published ports) undone at exit, and the
// NetworkSettings inspect shows for each.
import { join } from "node:path";
import type { Container } from "../container/container.ts";
import type { EndpointSettings, HostConfig, NetworkingConfig, NetworkSettings } from "../api/types/index.ts";
import { invalidParameter } from "../errors.ts";
import { logger } from "../log.ts";
import { retryWhileFdsShort } from "../sys/fds.ts";
import { macOf, parseIp } from "./addr.ts";
import { formatIp6, parseIp6 } from "./addr6.ts";
import { operationalBlank, requestedEndpoint } from "./endpoint.ts";
import { containerDnsNames } from "./names.ts";
import { portsMap, wantedBindings } from "../container/ports.ts";
import { reservePorts } from "./ports.ts";
import { createSandbox, destroySandbox, type Iface } from "./sandbox.ts";
import { hex, predefined, type NetRuntime, type NetworkState } from "./state.ts";
import type { NetworkRecord } from "./store.ts";

const log = logger("network");

/** Create-time check of HostConfig.NetworkMode (and EndpointsConfig names). */
export function validateMode(st: NetworkState, mode: string, networking: NetworkingConfig | null): void {
  if (mode.startsWith("container:")) return;
  const r = st.find(mode === "default" ? "bridge" : mode);
  for (const name of Object.keys(networking?.EndpointsConfig ?? {})) st.find(name === "default" ? "bridge" : name);
  const ep = networking?.EndpointsConfig?.[mode] ?? networking?.EndpointsConfig?.[r.Name] ?? networking?.EndpointsConfig?.[r.Id];
  const ip = ep?.IPAMConfig?.IPv4Address || ep?.IPAMConfig?.IPv6Address;
  if (ip && (r.Name === "bridge" || r.Driver !== "bridge")) throw invalidParameter("user specified IP address is supported on user defined networks only");
  if (ep?.Aliases?.length && (r.Name === "bridge" || r.Driver !== "bridge")) throw invalidParameter("network-scoped alias is supported only for containers in user defined networks");
}

/** The networks a bridge-mode container joins, primary first, with their endpoint configs. */
export function wantedNetworks(st: NetworkState, c: Container): { net: NetworkRecord; cfg: EndpointSettings }[] {
  const mode: string = c.rec.HostConfig.NetworkMode || "default";
  // Records made before create kept the request's settings have none yet.
  const ns: NetworkSettings = (c.rec.NetworkSettings ??= createSettings(st, c.rec.HostConfig, c.rec.NetworkingConfig));
  const nets = (ns.Networks ??= {});
  let primary: string | undefined;
  try {
    primary = st.find(mode === "default" ? "bridge" : mode).Name;
  } catch {}
  const out: { net: NetworkRecord; cfg: EndpointSettings }[] = [];
  // The primary network first: it gives eth0 and the default route.
  const names = Object.keys(nets).sort((a, b) => Number(b === primary) - Number(a === primary));
  for (const name of names) {
    const cfg = nets[name]!;
    try {
      out.push({ net: st.find(cfg.NetworkID || name), cfg });
    } catch {
      delete nets[name]; // the network went away while the container was stopped
    }
  }
  return out;
}

/**
 * NetworkSettings of a container just created: an entry per requested network holding
 * what the request gave, as dockerd keeps it until the endpoints exist.
 */
export function createSettings(st: NetworkState, hc: HostConfig, networking: NetworkingConfig | null): NetworkSettings {
  const mode: string = hc.NetworkMode || "default";
  const nets: Record<string, EndpointSettings> = {};
  if (!mode.startsWith("container:")) {
    const primary = st.find(mode === "default" ? "bridge" : mode).Name;
    for (const [key, given] of Object.entries(networking?.EndpointsConfig ?? {})) {
      nets[key === "default" ? "bridge" : st.find(key).Name] = requestedEndpoint(given);
    }
    nets[primary] ??= requestedEndpoint(null);
  }
  return { ...topLevelBlank(), Networks: nets };
}

export function specialSettings(st: NetworkState, c: Container, mode: string): void {
  const name = mode.startsWith("container:") ? undefined : mode;
  c.rec.NetworkSettings = {
    ...topLevelBlank(),
    Networks: name ? { [name]: { ...(c.rec.NetworkSettings?.Networks?.[name] ?? requestedEndpoint(null)), NetworkID: st.records.find((r) => r.Name === name)?.Id ?? "" } } : {},
  };
}

export function topLevelBlank(): NetworkSettings {
  return {
    Bridge: "", SandboxID: "", HairpinMode: false, LinkLocalIPv6Address: "", LinkLocalIPv6PrefixLen: 0, Ports: {}, SandboxKey: "",
    SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: "", Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0,
    IPAddress: "", IPPrefixLen: 0, IPv6Gateway: "", MacAddress: "",
  };
}

/** Addresses, MAC and interface of one new endpoint; `release` gives its addresses back. */
export function newEndpoint(st: NetworkState, c: Container, net: NetworkRecord, cfg: EndpointSettings, ifname: string, primary: boolean) {
  const ipam = cfg.IPAMConfig ?? {};
  const linkLocal: string[] = ipam.LinkLocalIPs ?? [];
  for (const ll of linkLocal) {
    try {
      if (ll.includes(":")) parseIp6(ll);
      else parseIp(ll);
    } catch {
      throw invalidParameter(`invalid link-local IP address: ${ll}`);
    }
  }
  const pool6 = st.pools6.get(net.Id);
  if (ipam.IPv6Address && !pool6) throw invalidParameter(`invalid endpoint settings:\nno configured subnet contains IP address ${ipam.IPv6Address}`);
  const a = st.allocate(net, ipam.IPv4Address);
  let ip6: string | undefined;
  try {
    ip6 = pool6?.allocate(ipam.IPv6Address || undefined);
  } catch (err) {
    st.pools.get(net.Id)?.release(a.ip);
    throw err;
  }
  const release = () => {
    st.pools.get(net.Id)?.release(a.ip);
    if (ip6) pool6?.release(ip6);
  };
  // The asked-for MAC again after a stop blanked the entry (dockerd's DesiredMacAddress).
  const ec = c.rec.NetworkingConfig?.EndpointsConfig ?? {};
  const desired: string = cfg.MacAddress || (ec[net.Name] ?? ec[net.Id])?.MacAddress || "";
  const mac = (primary && c.rec.Config.MacAddress) || desired || macOf(parseIp(a.ip));
  const endpointId = hex(32);
  const hostVeth = `veth${endpointId.slice(0, 11)}`;
  const gw6 = ip6 && pool6 ? formatIp6(pool6.gateway) : "";
  const routed = primary && !net.Internal;
  const iface: Iface = {
    name: ifname, hostVeth, bridge: net.bridge!, mac, cidr: `${a.ip}/${a.bits}`, gateway: routed ? a.gateway : undefined, mtu: st.mtuOf(net),
    cidr6: ip6 ? `${ip6}/${pool6!.bits}` : undefined, gateway6: routed && gw6 ? gw6 : undefined,
    // dockerd's masks for link-local addresses: 169.254.0.0/16 and fe80::/64.
    linkLocal: linkLocal.map((ll) => (ll.includes(":") ? `${ll}/64` : `${ll}/16`)),
  };
  const ep: NetRuntime["endpoints"][number] = { networkId: net.Id, name: net.Name, hostVeth, iface: ifname, ip: a.ip, bits: a.bits, bridge: net.bridge!, ...(ip6 ? { ip6, bits6: pool6!.bits } : {}) };
  const settings: EndpointSettings = {
    NetworkID: net.Id, EndpointID: endpointId, Gateway: a.gateway, IPAddress: a.ip, IPPrefixLen: a.bits,
    IPv6Gateway: gw6, GlobalIPv6Address: ip6 ?? "", GlobalIPv6PrefixLen: ip6 ? pool6!.bits : 0,
    MacAddress: mac, DNSNames: predefined.includes(net.Name) ? null : containerDnsNames(c, cfg),
  };
  return { iface, ep, settings, release };
}

/**
 * Before the container's process starts: its sandbox with one veth per network,
 * addresses, published ports and names. On failure nothing of it remains.
 */
export async function attachContainer(st: NetworkState, c: Container): Promise<void> {
  const mode: string = c.rec.HostConfig.NetworkMode || "default";
  if (c.rec.NetRuntime) await detachContainer(st, c); // a leftover from a start that did not finish
  if (mode === "host" || mode === "none" || mode.startsWith("container:")) {
    specialSettings(st, c, mode);
    return;
  }
  const nets = wantedNetworks(st, c);
  const sandboxId = hex(32);
  const rt: NetRuntime = { sandboxKey: join(st.sandboxDir, sandboxId.slice(0, 12)), endpoints: [], bindings: [] };
  const ifaces: Iface[] = [];
  const undo: (() => unknown)[] = [];
  try {
    nets.forEach(({ net, cfg }, i) => {
      if (net.Driver !== "bridge") throw invalidParameter(`container cannot be connected to network ${net.Name} and others`);
      const e = newEndpoint(st, c, net, cfg, `eth${i}`, i === 0);
      undo.push(e.release);
      ifaces.push(e.iface);
      rt.endpoints.push(e.ep);
      Object.assign(cfg, e.settings);
    });
    const wanted = wantedBindings(c.rec.Config, c.rec.HostConfig);
    const primary = rt.endpoints[0];
    if (wanted.length && primary) {
      const res = await reservePorts(wanted, `${c.name} (${nets[0]!.cfg.EndpointID})`, { ip: primary.ip, ip6: primary.ip6 });
      st.reservations.set(c.id, res);
      undo.push(() => {
        for (const r of res) r.close();
        st.reservations.delete(c.id);
      });
      rt.bindings = res.map((r) => r.binding);
      rt.portsOn = { bridge: primary.bridge, ip: primary.ip };
    }
    await createSandbox(rt.sandboxKey, ifaces);
    undo.push(() => destroySandbox(rt.sandboxKey, ifaces.map((i) => i.hostVeth)));
    if (rt.bindings.length) await st.ipt.addRules(st.portRuleSet(rt));
  } catch (err) {
    for (const u of undo.reverse()) await u();
    for (const { cfg } of nets) Object.assign(cfg, operationalBlank);
    throw err;
  }
  const first = nets[0];
  if (first && first.net.Name !== "bridge") rt.dns = st.gatewayOf(first.net);
  for (const { net } of nets) st.events?.publish("network", "connect", net.Id, { container: c.id, name: net.Name, type: net.Driver });
  c.rec.NetRuntime = rt;
  const p: EndpointSettings = first?.cfg ?? {};
  c.rec.NetworkSettings = {
    ...topLevelBlank(),
    SandboxID: sandboxId,
    SandboxKey: rt.sandboxKey,
    Ports: portsMap(c.rec.Config, rt.bindings),
    // The legacy top-level fields describe the default bridge only.
    ...(first?.net.Name === "bridge"
      ? {
          EndpointID: p.EndpointID, Gateway: p.Gateway, IPAddress: p.IPAddress, IPPrefixLen: p.IPPrefixLen, MacAddress: p.MacAddress,
          GlobalIPv6Address: p.GlobalIPv6Address, GlobalIPv6PrefixLen: p.GlobalIPv6PrefixLen, IPv6Gateway: p.IPv6Gateway,
        }
      : {}),
    Networks: c.rec.NetworkSettings!.Networks,
  };
}

/**
 * After the process ended (or a start failed): undoes everything attach did.
 * Idempotent. With `background` (a plain exit) the veths and namespace go after the
 * call returns (deleting a veth waits for the kernel's RCU grace period, tens of ms),
 * their addresses staying taken until then; a later detach (remove) waits for it.
 */
export async function detachContainer(st: NetworkState, c: Container, opts: { background?: boolean } = {}): Promise<void> {
  const rt = c.rec.NetRuntime as NetRuntime | undefined;
  if (!rt) {
    await st.pending.get(c.id);
    return;
  }
  // Rules before the ports' hold: a new container may publish the same port at once.
  // Out of descriptors nothing can be spawned: wait for some rather than leak rules and links.
  await retryWhileFdsShort(() => st.ipt.deleteRules(st.portRuleSet(rt))).catch(() => {});
  for (const r of st.reservations.get(c.id) ?? []) r.close();
  st.reservations.delete(c.id);
  const done = retryWhileFdsShort(() => destroySandbox(rt.sandboxKey, rt.endpoints.map((e) => e.hostVeth)))
    .catch((err) => log.warn(`removing the sandbox of ${c.id}:`, err))
    .finally(() => {
      for (const ep of rt.endpoints) {
        try {
          st.pools.get(ep.networkId)?.release(ep.ip);
          if (ep.ip6) st.pools6.get(ep.networkId)?.release(ep.ip6);
        } catch {}
      }
      if (st.pending.get(c.id) === done) st.pending.delete(c.id);
    });
  st.pending.set(c.id, done);
  if (!opts.background) await done;
  delete c.rec.NetRuntime;
  for (const ep of rt.endpoints) st.events?.publish("network", "disconnect", ep.networkId, { container: c.id, name: ep.name, type: "bridge" });
  const ns: NetworkSettings = c.rec.NetworkSettings ?? {};
  for (const ep of Object.values(ns.Networks ?? {})) Object.assign(ep, { ...operationalBlank, DNSNames: ep.DNSNames ?? null });
  Object.assign(ns, { Ports: {}, EndpointID: "", Gateway: "", IPAddress: "", IPPrefixLen: 0, MacAddress: "" });
}
