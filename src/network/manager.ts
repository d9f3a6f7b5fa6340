// The network controller: the predefined networks (bridge, host, none) and user-defined
// bridge networks, each container's endpoints (sandbox, veths, addresses, published
// ports, names), and the reconciliation after a daemon restart.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync } from "node:fs";
import { makeShared } from "../storage/mount.ts";
import { join } from "node:path";
import type { Container } from "../container/container.ts";
import type { Json } from "../container/config.ts";
import { conflict, forbidden, invalidParameter, notFound, systemError } from "../errors.ts";
import type { EventBus } from "../engine/events.ts";
import { nowNano, parseGoDuration } from "../time.ts";
import { logger } from "../log.ts";
import { formatCidr, formatIp, macOf, overlaps, parseCidr, parseIp } from "./addr.ts";
import { deleteBridge, ensureBridge, ensureBridge6, ipv6Available, hostRoutes, linkAlias, ownedBridges, ownerMark, sysctl } from "./bridge.ts";
import { addRules, chainsFor, createChains, deleteRules, networkRules, portRules, removeChains, type Chains, type RuleSet } from "./iptables.ts";
import { Pool, candidateSubnets, pickSubnet, poolSubnets } from "./ipam.ts";
import { Pool6 } from "./ipam6.ts";
import { formatCidr6, formatIp6, overlaps6, parseCidr6, parseIp6, randomUla64 } from "./addr6.ts";
import { bindingFamilies, portsMap, reservePorts, wantedBindings, type Binding, type Reservation } from "./ports.ts";
import { addIface, createSandbox, destroySandbox, removeIface, type Iface } from "./sandbox.ts";
import { NetworkFile, type NetworkRecord } from "./store.ts";
import { hostResolvers, Resolver } from "./dns.ts";
import { checkCreateTypes, dnsNames, operationalBlank, parseLinkSpec, requestedEndpoint } from "./endpoint.ts";

const log = logger("network");

export interface NetworkConfig {
  dataRoot: string;
  execRoot: string;
  bridge?: string;
  bip?: string;
  mtu?: number;
  /** false: no iptables rules at all (dockerd's --iptables=false). */
  iptables?: boolean;
  /** false: net.ipv4.ip_forward is left as it is. */
  ipForward?: boolean;
  /** Where new networks take their subnets from (dockerd's default-address-pools). */
  pools?: { base: string; size: number }[];
  /** `--ipv6`: the default bridge gets IPv6 from `--fixed-cidr-v6`. */
  ipv6?: boolean;
  fixedCidrV6?: string;
}

/** The rule changes, or none of them with --iptables=false. */
const withRules = { addRules, deleteRules, createChains, removeChains };
const noRules: typeof withRules = { addRules: async () => {}, deleteRules: async () => {}, createChains: async () => {}, removeChains: async () => {} };

/** What the manager needs of the container store (bound once containers are open). */
export interface ContainerAccess {
  all(): Container[];
  lookup(ref: string): Container;
  save(c: Container): void;
  lock<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

/** Per running container, kept in its record so a restarted daemon can undo it. */
export interface NetRuntime {
  sandboxKey: string;
  endpoints: { networkId: string; name: string; hostVeth: string; iface: string; ip: string; bits: number; bridge: string; ip6?: string; bits6?: number }[];
  bindings: Binding[];
  /** The bridge the ports were published on, and the container's address there. */
  portsOn?: { bridge: string; ip: string };
  /** The resolver the container's resolv.conf points to (user networks). */
  dns?: string;
}

const predefined = ["bridge", "host", "none"];
const defaultBridgeOpts = (name: string, mtu: number) => ({
  "com.docker.network.bridge.default_bridge": "true",
  "com.docker.network.bridge.enable_icc": "true",
  "com.docker.network.bridge.enable_ip_masquerade": "true",
  "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
  "com.docker.network.bridge.name": name,
  "com.docker.network.driver.mtu": String(mtu),
});

const hex = (n: number) => randomBytes(n).toString("hex");


export class NetworkManager {
  private readonly file: NetworkFile;
  private records: NetworkRecord[] = [];
  private readonly pools = new Map<string, Pool>();
  private readonly pools6 = new Map<string, Pool6>();
  private readonly resolvers = new Map<string, Resolver>();
  private readonly reservations = new Map<string, Reservation[]>();
  private containers?: ContainerAccess;
  private opened = false;
  /** Sandboxes being removed in the background, by container. */
  private readonly pending = new Map<string, Promise<void>>();
  readonly bridgeName: string;
  readonly chains: Chains;
  readonly owner: string;
  readonly mtu: number;
  private readonly ipt: typeof withRules;

  constructor(
    private readonly cfg: NetworkConfig,
    private readonly events?: EventBus,
  ) {
    this.file = new NetworkFile(cfg.dataRoot);
    this.bridgeName = cfg.bridge || "wharf0";
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(this.bridgeName)) throw invalidParameter(`invalid bridge name ${this.bridgeName}: at most 15 letters, digits, '_', '.', '-'`);
    this.chains = chainsFor(this.bridgeName);
    this.owner = ownerMark(cfg.dataRoot);
    this.mtu = cfg.mtu ?? 1500;
    this.ipt = cfg.iptables === false ? noRules : withRules;
  }

  private candidates(): Iterable<string> {
    return this.cfg.pools?.length ? poolSubnets(this.cfg.pools) : candidateSubnets();
  }

  bindContainers(access: ContainerAccess): void {
    this.containers = access;
  }

  private get sandboxDir(): string {
    return join(this.cfg.execRoot, "netns");
  }

  // ---- daemon start and stop ----

  /** Chains, bridges and resolvers of every network, from scratch (daemon start). */
  async open(): Promise<void> {
    // Before touching any rule: chains are named after the bridge, so a bridge of
    // another daemon means its chains too.
    const alias = await linkAlias(this.bridgeName);
    if (alias !== undefined && alias !== this.owner) {
      throw conflict(`bridge ${this.bridgeName} already exists and is not this daemon's (${alias ? `owned by ${alias}` : "not made by wharf"}): choose another name with --bridge`);
    }
    this.records = this.file.load();
    const byName = (n: string) => this.records.find((r) => r.Name === n);
    for (const [name, driver] of [["host", "host"], ["none", "null"]] as const) {
      if (!byName(name)) this.records.push(this.newRecord(name, driver));
    }
    let bridge = byName("bridge");
    if (!bridge) this.records.push((bridge = this.newRecord("bridge", "bridge")));
    const oldBridge = bridge.bridge;
    bridge.bridge = this.bridgeName;
    bridge.Options = defaultBridgeOpts(this.bridgeName, this.mtu);
    if (this.cfg.bip) {
      const c = parseCidr(this.cfg.bip);
      if (c.addr === c.base) throw invalidParameter(`invalid --bip ${this.cfg.bip}: give the bridge's own address, as 10.1.0.1/24`);
      bridge.IPAM.Config = [{ Subnet: formatCidr(c), Gateway: formatIp(c.addr) }];
    } else if (!bridge.IPAM.Config[0]?.Subnet || oldBridge !== this.bridgeName) {
      const taken = [...(await hostRoutes([this.bridgeName])), ...this.userSubnets()];
      const subnet = pickSubnet(taken, this.candidates());
      bridge.IPAM.Config = [{ Subnet: subnet, Gateway: formatIp(parseCidr(subnet).base + 1) }];
    }
    bridge.IPAM.Config = bridge.IPAM.Config.filter((c) => !is6(c.Subnet));
    bridge.EnableIPv6 = !!this.cfg.ipv6;
    if (this.cfg.ipv6) {
      if (!this.cfg.fixedCidrV6) throw invalidParameter("IPv6 is enabled for the default bridge, but no subnet is configured. Specify an IPv6 subnet using --fixed-cidr-v6");
      const c6 = parseCidr6(this.cfg.fixedCidrV6);
      bridge.IPAM.Config.push({ Subnet: formatCidr6(c6), Gateway: formatIp6(c6.base + 1n) });
    } else if (this.cfg.fixedCidrV6) {
      throw invalidParameter("--fixed-cidr-v6 needs --ipv6");
    }
    if (this.records.some((r) => r.Driver === "bridge" && r.EnableIPv6) && !ipv6Available()) {
      throw invalidParameter("IPv6 networks are configured but IPv6 is disabled on this host (net.ipv6.conf.all.disable_ipv6)");
    }
    if (this.cfg.ipForward !== false) sysctl("net/ipv4/ip_forward", "1");
    // Prewarmed inits copied this mount namespace before the sandbox of the container
    // they will serve was bound here: a shared mount lets the binding reach them.
    mkdirSync(this.sandboxDir, { recursive: true, mode: 0o700 });
    await makeShared(this.sandboxDir);
    this.opened = true;
    // Started before under another --bridge: that name's chains were ours.
    if (oldBridge && oldBridge !== this.bridgeName) {
      await this.ipt.removeChains(oldBridge);
      await this.ipt.removeChains(oldBridge, true);
    }
    await this.ipt.createChains(this.bridgeName);
    await this.ipt.createChains(this.bridgeName, true).catch((err) => log.warn("ip6tables unavailable; IPv6 networks get no isolation or NAT rules:", err));
    for (const r of this.records) if (r.Driver === "bridge") await this.bringUp(r);
    this.file.save(this.records);
    await this.sweepBridges();
  }

  /**
   * After the container store is loaded and before restart policies run: takes back
   * addresses, ports and rules of containers still running, and removes sandboxes and
   * veths nobody owns any more (a crash left them).
   */
  async reconcile(running: Container[]): Promise<void> {
    const keep = new Set<string>();
    for (const c of running) {
      const rt = c.rec.NetRuntime as NetRuntime | undefined;
      if (!rt) continue;
      keep.add(rt.sandboxKey);
      for (const ep of rt.endpoints) {
        try {
          this.pools.get(ep.networkId)?.claim(ep.ip);
          if (ep.ip6) this.pools6.get(ep.networkId)?.claim(ep.ip6);
        } catch {}
      }
      try {
        await this.ipt.addRules(this.portRuleSet(rt));
        // The hold on the host ports lapsed with the old daemon; take it again.
        const on = rt.portsOn && rt.endpoints.find((e) => e.ip === rt.portsOn!.ip);
        if (rt.bindings.length) this.reservations.set(c.id, await reservePorts(rt.bindings, c.name, on ? { ip: on.ip, ip6: on.ip6 } : undefined));
      } catch (err) {
        log.warn(`restoring published ports of ${c.id}:`, err);
      }
    }
    let entries: string[] = [];
    try {
      entries = readdirSync(this.sandboxDir);
    } catch {}
    for (const e of entries) {
      const p = join(this.sandboxDir, e);
      if (!keep.has(p)) await destroySandbox(p, []);
    }
  }

  /**
   * Daemon stop. With containers still running (they outlive the daemon) everything
   * stays for the next start; otherwise bridges, chains and sandboxes go.
   */
  async close(anyRunning: boolean): Promise<void> {
    if (!this.opened) return;
    await Promise.all(this.pending.values());
    for (const r of this.resolvers.values()) r.close();
    this.resolvers.clear();
    for (const list of this.reservations.values()) for (const r of list) r.close();
    this.reservations.clear();
    if (anyRunning) return;
    for (const r of this.records) if (r.bridge) await deleteBridge(r.bridge, this.owner);
    await this.ipt.removeChains(this.bridgeName);
    await this.ipt.removeChains(this.bridgeName, true);
  }

  private newRecord(name: string, driver: string): NetworkRecord {
    return {
      Name: name,
      Id: hex(32),
      Created: nowNano(),
      Scope: "local",
      Driver: driver,
      EnableIPv6: false,
      IPAM: { Driver: "default", Options: null, Config: [] },
      Internal: false,
      Attachable: false,
      Ingress: false,
      ConfigFrom: { Network: "" },
      ConfigOnly: false,
      Options: {},
      Labels: {},
    };
  }

  private userSubnets(except?: string): string[] {
    return this.records.filter((r) => r.Id !== except && r.Driver === "bridge").flatMap((r) => r.IPAM.Config.map((c) => c.Subnet!).filter((x) => x && !is6(x)));
  }

  private userSubnets6(): string[] {
    return this.records.filter((r) => r.Driver === "bridge").flatMap((r) => r.IPAM.Config.map((c) => c.Subnet!).filter((x) => x && is6(x)));
  }

  /** The IPv4 entry of a network's IPAM config (a bridge network has exactly one). */
  private v4Config(r: NetworkRecord): { Subnet?: string; Gateway?: string; IPRange?: string } {
    return r.IPAM.Config.find((c) => !is6(c.Subnet)) ?? {};
  }

  /** The IPv6 entry, used only when the network has EnableIPv6. */
  private v6Config(r: NetworkRecord): { Subnet?: string; Gateway?: string; IPRange?: string } | undefined {
    return r.EnableIPv6 ? r.IPAM.Config.find((c) => is6(c.Subnet)) : undefined;
  }

  private gatewayOf(r: NetworkRecord): string {
    const c = this.v4Config(r);
    return c.Gateway ?? formatIp(parseCidr(c.Subnet!).base + 1);
  }

  /** A network's MTU: its `com.docker.network.driver.mtu` option, else the daemon's. */
  private mtuOf(r: NetworkRecord): number {
    const v = Number(r.Options["com.docker.network.driver.mtu"]);
    return Number.isInteger(v) && v >= 68 && v <= 65535 ? v : this.mtu;
  }

  private bridgeRules(r: NetworkRecord): RuleSet {
    return networkRules(this.chains, r.bridge!, this.v4Config(r).Subnet!, r.Internal);
  }

  private bridgeRules6(r: NetworkRecord): RuleSet | undefined {
    const c6 = this.v6Config(r);
    return c6?.Subnet ? networkRules(this.chains, r.bridge!, c6.Subnet, r.Internal) : undefined;
  }

  private async bringUp(r: NetworkRecord): Promise<void> {
    const cfg = this.v4Config(r);
    const gw = this.gatewayOf(r);
    const pool = new Pool(cfg.Subnet!, gw, cfg.IPRange);
    await ensureBridge(r.bridge!, `${gw}/${pool.subnet.bits}`, this.mtuOf(r), this.owner);
    await this.ipt.addRules(this.bridgeRules(r));
    this.pools.set(r.Id, pool);
    const c6 = this.v6Config(r);
    if (c6?.Subnet) {
      const pool6 = new Pool6(c6.Subnet, c6.Gateway, c6.IPRange);
      await ensureBridge6(r.bridge!, `${formatIp6(pool6.gateway)}/${pool6.bits}`);
      const rules6 = this.bridgeRules6(r);
      if (rules6) await this.ipt.addRules(rules6, true).catch((err) => log.warn(`ip6tables rules of ${r.Name}:`, err));
      this.pools6.set(r.Id, pool6);
    }
    if (r.Name !== "bridge") {
      const res = new Resolver(gw, (name, from) => this.resolveName(r.Id, name, from), (from) => this.upstreamsFor(r.Id, from));
      try {
        await res.listen();
        this.resolvers.set(r.Id, res);
      } catch (err) {
        log.warn(`name resolution on ${r.Name} (${gw}:53) unavailable:`, err);
      }
    }
  }

  private async bringDown(r: NetworkRecord): Promise<void> {
    this.resolvers.get(r.Id)?.close();
    this.resolvers.delete(r.Id);
    await this.ipt.deleteRules(this.bridgeRules(r));
    const rules6 = this.bridgeRules6(r);
    if (rules6) await this.ipt.deleteRules(rules6, true);
    await deleteBridge(r.bridge!, this.owner);
    this.pools.delete(r.Id);
    this.pools6.delete(r.Id);
  }

  // ---- lookups ----

  /** A network by full id, exact name, or unique id prefix. */
  find(ref: string): NetworkRecord {
    const exact = this.records.find((r) => r.Id === ref);
    if (exact) return exact;
    const byName = this.records.filter((r) => r.Name === ref);
    if (byName.length === 1) return byName[0]!;
    if (byName.length > 1) throw invalidParameter(`network ${ref} is ambiguous (${byName.length} matches found on name)`);
    const byPrefix = ref ? this.records.filter((r) => r.Id.startsWith(ref)) : [];
    if (byPrefix.length === 1) return byPrefix[0]!;
    if (byPrefix.length > 1) throw invalidParameter(`network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    throw notFound(`network ${ref} not found`);
  }

  /** Create-time check of HostConfig.NetworkMode (and EndpointsConfig names). */
  validateMode(mode: string, networking: Json | null): void {
    if (mode.startsWith("container:")) return;
    const r = this.find(mode === "default" ? "bridge" : mode);
    for (const name of Object.keys(networking?.EndpointsConfig ?? {})) this.find(name === "default" ? "bridge" : name);
    const ep = networking?.EndpointsConfig?.[mode] ?? networking?.EndpointsConfig?.[r.Name] ?? networking?.EndpointsConfig?.[r.Id];
    const ip = ep?.IPAMConfig?.IPv4Address || ep?.IPAMConfig?.IPv6Address;
    if (ip && (r.Name === "bridge" || r.Driver !== "bridge")) throw invalidParameter("user specified IP address is supported on user defined networks only");
    if (ep?.Aliases?.length && (r.Name === "bridge" || r.Driver !== "bridge")) throw invalidParameter("network-scoped alias is supported only for containers in user defined networks");
  }

  /** Names of a container on a user network: its name, aliases and short id (Docker's DNSNames). */
  private dnsNames(c: Container, ep: Json): string[] {
    return dnsNames(c.name, c.id, c.rec.Config.Hostname, ep.Aliases);
  }

  /** Where the resolver relays other names for a container: its --dns servers, else the host's. */
  private upstreamsFor(networkId: string, from: string): { host: string; port: number }[] {
    // Attached, not necessarily marked running yet: a process may ask before start has returned.
    const asker = (this.containers?.all() ?? []).find((c) => (c.rec.NetRuntime as NetRuntime | undefined)?.endpoints.some((e) => e.networkId === networkId && e.ip === from));
    const dns: string[] = (asker?.rec.HostConfig.Dns ?? []).filter((s: string) => /^\d+\.\d+\.\d+\.\d+$/.test(s));
    return (dns.length ? dns : hostResolvers()).map((host) => ({ host, port: 53 }));
  }

  /**
   * A name as the container asking (by its address on `networkId`) sees it: containers
   * on any user network it shares with them, by name, alias or id prefix (12+ hex).
   */
  private resolveName(networkId: string, name: string, from: string): string[] | undefined {
    const n = name.replace(/\.$/, "").toLowerCase();
    const running = (this.containers?.all() ?? []).filter((c) => c.rec.NetRuntime);
    const eps = (c: Container) => (c.rec.NetRuntime as NetRuntime).endpoints;
    const asker = running.find((c) => eps(c).some((e) => e.networkId === networkId && e.ip === from));
    const nets = new Set(asker ? eps(asker).map((e) => e.networkId).filter((id) => id !== this.records.find((r) => r.Name === "bridge")?.Id) : [networkId]);
    const ips: string[] = [];
    // A link (`--link db:database` on a user network) names a container for the asker only.
    if (asker) {
      for (const ep of eps(asker)) {
        for (const l of this.endpointLinks(asker, ep.name)) {
          const [target, alias] = parseLinkSpec(l);
          if (alias.toLowerCase() !== n) continue;
          const t = running.find((c) => c.name === target || c.id === target);
          const tep = t && eps(t).find((e) => e.networkId === ep.networkId);
          if (tep) ips.push(tep.ip, ...(tep.ip6 ? [tep.ip6] : []));
        }
      }
    }
    for (const c of running) {
      const names = [c.name, c.id.slice(0, 12)].map((x) => x.toLowerCase());
      const byId = n.length >= 12 && /^[0-9a-f]+$/.test(n) && c.id.startsWith(n);
      for (const ep of eps(c)) {
        if (!nets.has(ep.networkId)) continue;
        const aliases: string[] = c.rec.NetworkSettings?.Networks?.[ep.name]?.Aliases ?? [];
        if (byId || names.includes(n) || aliases.some((a) => a.toLowerCase() === n)) ips.push(ep.ip, ...(ep.ip6 ? [ep.ip6] : []));
      }
    }
    return ips.length ? [...new Set(ips)] : undefined;
  }

  /** An endpoint's links: its own, else (the primary user network) HostConfig.Links. */
  private endpointLinks(c: Container, netName: string): string[] {
    const own: string[] | null = c.rec.NetworkSettings?.Networks?.[netName]?.Links;
    if (own?.length) return own;
    const mode: string = c.rec.HostConfig.NetworkMode || "default";
    const primary = mode === netName || this.records.find((r) => r.Id === mode)?.Name === netName;
    return primary && !predefined.includes(netName) ? (c.rec.HostConfig.Links ?? []) : [];
  }

  // ---- containers ----

  /** The networks a bridge-mode container joins, primary first, with their endpoint configs. */
  private wantedNetworks(c: Container): { net: NetworkRecord; cfg: Json }[] {
    const mode: string = c.rec.HostConfig.NetworkMode || "default";
    // Records made before create kept the request's settings have none yet.
    const ns: Json = (c.rec.NetworkSettings ??= this.createSettings(c.rec.HostConfig, c.rec.NetworkingConfig));
    const nets: Json = (ns.Networks ??= {});
    let primary: string | undefined;
    try {
      primary = this.find(mode === "default" ? "bridge" : mode).Name;
    } catch {}
    const out: { net: NetworkRecord; cfg: Json }[] = [];
    // The primary network first: it gives eth0 and the default route.
    const names = Object.keys(nets).sort((a, b) => Number(b === primary) - Number(a === primary));
    for (const name of names) {
      const cfg: Json = nets[name];
      try {
        out.push({ net: this.find(cfg.NetworkID || name), cfg });
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
  createSettings(hc: Json, networking: Json | null): Json {
    const mode: string = hc.NetworkMode || "default";
    const nets: Json = {};
    if (!mode.startsWith("container:")) {
      const primary = this.find(mode === "default" ? "bridge" : mode).Name;
      for (const [key, given] of Object.entries(networking?.EndpointsConfig ?? {})) {
        nets[key === "default" ? "bridge" : this.find(key).Name] = requestedEndpoint(given as Json);
      }
      nets[primary] ??= requestedEndpoint(null);
    }
    return { ...this.topLevelBlank(), Networks: nets };
  }

  private specialSettings(c: Container, mode: string): void {
    const name = mode.startsWith("container:") ? undefined : mode;
    c.rec.NetworkSettings = {
      ...this.topLevelBlank(),
      Networks: name ? { [name]: { ...(c.rec.NetworkSettings?.Networks?.[name] ?? requestedEndpoint(null)), NetworkID: this.records.find((r) => r.Name === name)?.Id ?? "" } } : {},
    };
  }

  private topLevelBlank(): Json {
    return {
      Bridge: "", SandboxID: "", HairpinMode: false, LinkLocalIPv6Address: "", LinkLocalIPv6PrefixLen: 0, Ports: {}, SandboxKey: "",
      SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: "", Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0,
      IPAddress: "", IPPrefixLen: 0, IPv6Gateway: "", MacAddress: "",
    };
  }

  private allocate(net: NetworkRecord, want: string | undefined): { ip: string; bits: number; gateway: string } {
    const pool = this.pools.get(net.Id);
    if (!pool) throw invalidParameter(`network ${net.Name} has no address pool`);
    return { ip: pool.allocate(want || undefined), bits: pool.subnet.bits, gateway: this.gatewayOf(net) };
  }

  private portRuleSet(rt: NetRuntime): RuleSet {
    const out: RuleSet = { nat: [], filter: [] };
    if (!rt.portsOn) return out;
    for (const b of rt.bindings) {
      if (!bindingFamilies(b.hostIp).v4) continue; // IPv6 only: the proxy's
      const r = portRules(this.chains, { proto: b.proto, hostIp: b.hostIp, hostPort: b.hostPort, ip: rt.portsOn.ip, port: b.port, bridge: rt.portsOn.bridge });
      out.nat.push(...r.nat);
      out.filter.push(...r.filter);
    }
    return out;
  }

  /** Addresses, MAC and interface of one new endpoint; `release` gives its addresses back. */
  private newEndpoint(c: Container, net: NetworkRecord, cfg: Json, ifname: string, primary: boolean) {
    const ipam: Json = cfg.IPAMConfig ?? {};
    const linkLocal: string[] = ipam.LinkLocalIPs ?? [];
    for (const ll of linkLocal) {
      try {
        if (ll.includes(":")) parseIp6(ll);
        else parseIp(ll);
      } catch {
        throw invalidParameter(`invalid link-local IP address: ${ll}`);
      }
    }
    const pool6 = this.pools6.get(net.Id);
    if (ipam.IPv6Address && !pool6) throw invalidParameter(`invalid endpoint settings:\nno configured subnet contains IP address ${ipam.IPv6Address}`);
    const a = this.allocate(net, ipam.IPv4Address);
    let ip6: string | undefined;
    try {
      ip6 = pool6?.allocate(ipam.IPv6Address || undefined);
    } catch (err) {
      this.pools.get(net.Id)?.release(a.ip);
      throw err;
    }
    const release = () => {
      this.pools.get(net.Id)?.release(a.ip);
      if (ip6) pool6?.release(ip6);
    };
    // The asked-for MAC again after a stop blanked the entry (dockerd's DesiredMacAddress).
    const ec: Json = c.rec.NetworkingConfig?.EndpointsConfig ?? {};
    const desired: string = cfg.MacAddress || (ec[net.Name] ?? ec[net.Id])?.MacAddress || "";
    const mac = (primary && c.rec.Config.MacAddress) || desired || macOf(parseIp(a.ip));
    const endpointId = hex(32);
    const hostVeth = `veth${endpointId.slice(0, 11)}`;
    const gw6 = ip6 && pool6 ? formatIp6(pool6.gateway) : "";
    const routed = primary && !net.Internal;
    const iface: Iface = {
      name: ifname, hostVeth, bridge: net.bridge!, mac, cidr: `${a.ip}/${a.bits}`, gateway: routed ? a.gateway : undefined, mtu: this.mtuOf(net),
      cidr6: ip6 ? `${ip6}/${pool6!.bits}` : undefined, gateway6: routed && gw6 ? gw6 : undefined,
      // dockerd's masks for link-local addresses: 169.254.0.0/16 and fe80::/64.
      linkLocal: linkLocal.map((ll) => (ll.includes(":") ? `${ll}/64` : `${ll}/16`)),
    };
    const ep: NetRuntime["endpoints"][number] = { networkId: net.Id, name: net.Name, hostVeth, iface: ifname, ip: a.ip, bits: a.bits, bridge: net.bridge!, ...(ip6 ? { ip6, bits6: pool6!.bits } : {}) };
    const settings: Json = {
      NetworkID: net.Id, EndpointID: endpointId, Gateway: a.gateway, IPAddress: a.ip, IPPrefixLen: a.bits,
      IPv6Gateway: gw6, GlobalIPv6Address: ip6 ?? "", GlobalIPv6PrefixLen: ip6 ? pool6!.bits : 0,
      MacAddress: mac, DNSNames: predefined.includes(net.Name) ? null : this.dnsNames(c, cfg),
    };
    return { iface, ep, settings, release };
  }

  /**
   * Before the container's process starts: its sandbox with one veth per network,
   * addresses, published ports and names. On failure nothing of it remains.
   */
  async attach(c: Container): Promise<void> {
    const mode: string = c.rec.HostConfig.NetworkMode || "default";
    if (c.rec.NetRuntime) await this.detach(c); // a leftover from a start that did not finish
    if (mode === "host" || mode === "none" || mode.startsWith("container:")) {
      this.specialSettings(c, mode);
      return;
    }
    const nets = this.wantedNetworks(c);
    const sandboxId = hex(32);
    const rt: NetRuntime = { sandboxKey: join(this.sandboxDir, sandboxId.slice(0, 12)), endpoints: [], bindings: [] };
    const ifaces: Iface[] = [];
    const undo: (() => unknown)[] = [];
    try {
      nets.forEach(({ net, cfg }, i) => {
        if (net.Driver !== "bridge") throw invalidParameter(`container cannot be connected to network ${net.Name} and others`);
        const e = this.newEndpoint(c, net, cfg, `eth${i}`, i === 0);
        undo.push(e.release);
        ifaces.push(e.iface);
        rt.endpoints.push(e.ep);
        Object.assign(cfg, e.settings);
      });
      const wanted = wantedBindings(c.rec.Config, c.rec.HostConfig);
      const primary = rt.endpoints[0];
      if (wanted.length && primary) {
        const res = await reservePorts(wanted, `${c.name} (${nets[0]!.cfg.EndpointID})`, { ip: primary.ip, ip6: primary.ip6 });
        this.reservations.set(c.id, res);
        undo.push(() => {
          for (const r of res) r.close();
          this.reservations.delete(c.id);
        });
        rt.bindings = res.map((r) => r.binding);
        rt.portsOn = { bridge: primary.bridge, ip: primary.ip };
      }
      await createSandbox(rt.sandboxKey, ifaces);
      undo.push(() => destroySandbox(rt.sandboxKey, ifaces.map((i) => i.hostVeth)));
      if (rt.bindings.length) await this.ipt.addRules(this.portRuleSet(rt));
    } catch (err) {
      for (const u of undo.reverse()) await u();
      for (const { cfg } of nets) Object.assign(cfg, operationalBlank);
      throw err;
    }
    const first = nets[0];
    if (first && first.net.Name !== "bridge") rt.dns = this.gatewayOf(first.net);
    for (const { net } of nets) this.events?.publish("network", "connect", net.Id, { container: c.id, name: net.Name, type: net.Driver });
    c.rec.NetRuntime = rt;
    const p: Json = first?.cfg ?? {};
    c.rec.NetworkSettings = {
      ...this.topLevelBlank(),
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
  async detach(c: Container, opts: { background?: boolean } = {}): Promise<void> {
    const rt = c.rec.NetRuntime as NetRuntime | undefined;
    if (!rt) {
      await this.pending.get(c.id);
      return;
    }
    // Rules before the ports' hold: a new container may publish the same port at once.
    await this.ipt.deleteRules(this.portRuleSet(rt)).catch(() => {});
    for (const r of this.reservations.get(c.id) ?? []) r.close();
    this.reservations.delete(c.id);
    const done = destroySandbox(rt.sandboxKey, rt.endpoints.map((e) => e.hostVeth))
      .catch((err) => log.warn(`removing the sandbox of ${c.id}:`, err))
      .finally(() => {
        for (const ep of rt.endpoints) {
          try {
            this.pools.get(ep.networkId)?.release(ep.ip);
            if (ep.ip6) this.pools6.get(ep.networkId)?.release(ep.ip6);
          } catch {}
        }
        if (this.pending.get(c.id) === done) this.pending.delete(c.id);
      });
    this.pending.set(c.id, done);
    if (!opts.background) await done;
    delete c.rec.NetRuntime;
    for (const ep of rt.endpoints) this.events?.publish("network", "disconnect", ep.networkId, { container: c.id, name: ep.name, type: "bridge" });
    const ns: Json = c.rec.NetworkSettings ?? {};
    for (const ep of Object.values(ns.Networks ?? {}) as Json[]) Object.assign(ep, { ...operationalBlank, DNSNames: ep.DNSNames ?? null });
    Object.assign(ns, { Ports: {}, EndpointID: "", Gateway: "", IPAddress: "", IPPrefixLen: 0, MacAddress: "" });
  }

  /** The sandbox to run a container's process in (bridge modes), once attached. */
  sandboxOf(c: Container): string | undefined {
    return (c.rec.NetRuntime as NetRuntime | undefined)?.sandboxKey;
  }

  /** The resolver the container should use, when it is on a user network. */
  dnsOf(c: Container): string | undefined {
    return (c.rec.NetRuntime as NetRuntime | undefined)?.dns;
  }

  /** The default bridge's gateway (`host-gateway` in --add-host). */
  hostGateway(): string {
    const b = this.records.find((r) => r.Name === "bridge");
    return b ? this.gatewayOf(b) : "";
  }

  // ---- the networks API ----

  private access(): ContainerAccess {
    if (!this.containers) throw new Error("network manager used before containers were bound");
    return this.containers;
  }

  /** Containers with an endpoint on the network right now. */
  private attached(r: NetworkRecord): Container[] {
    return this.access()
      .all()
      .filter((c) => c.state.s.Running && (c.rec.NetRuntime as NetRuntime | undefined)?.endpoints.some((e) => e.networkId === r.Id));
  }

  private referencing(r: NetworkRecord): Container[] {
    return this.access()
      .all()
      .filter((c) => {
        const mode = c.rec.HostConfig.NetworkMode || "default";
        if (mode === r.Name || mode === r.Id || (mode === "default" && r.Name === "bridge")) return true;
        return Object.values(c.rec.NetworkSettings?.Networks ?? {}).some((e) => (e as Json).NetworkID === r.Id) || r.Name in (c.rec.NetworkSettings?.Networks ?? {});
      });
  }

  view(r: NetworkRecord, withContainers = true): Json {
    const { bridge: _b, ...shape } = r;
    const containers: Json = {};
    if (withContainers && (r.Driver === "host" || r.Driver === "null")) {
      for (const c of this.access().all()) {
        if (c.state.s.Running && (c.rec.HostConfig.NetworkMode || "") === r.Name) containers[c.id] = { Name: c.name, EndpointID: "", MacAddress: "", IPv4Address: "", IPv6Address: "" };
      }
    }
    if (withContainers) {
      for (const c of this.attached(r)) {
        const ep = (c.rec.NetRuntime as NetRuntime).endpoints.find((e) => e.networkId === r.Id)!;
        const cfg = c.rec.NetworkSettings?.Networks?.[ep.name] ?? {};
        containers[c.id] = { Name: c.name, EndpointID: cfg.EndpointID ?? "", MacAddress: cfg.MacAddress ?? "", IPv4Address: `${ep.ip}/${ep.bits}`, IPv6Address: ep.ip6 ? `${ep.ip6}/${ep.bits6}` : "" };
      }
    }
    const { Options, Labels, ...head } = shape;
    return { ...head, Containers: containers, Options, Labels }; // Docker's key order
  }

  list(filters: Map<string, string[]>): Json[] {
    const f = (k: string) => filters.get(k) ?? [];
    return this.records
      .filter((r) => !f("name").length || f("name").some((n) => r.Name.includes(n)))
      .filter((r) => !f("id").length || f("id").some((n) => r.Id.startsWith(n)))
      .filter((r) => !f("driver").length || f("driver").includes(r.Driver))
      .filter((r) => !f("scope").length || f("scope").includes(r.Scope))
      .filter((r) => f("label").every((l) => {
        const i = l.indexOf("=");
        return i < 0 ? l in r.Labels : r.Labels[l.slice(0, i)] === l.slice(i + 1);
      }))
      .filter((r) => !f("type").length || f("type").some((t) => (t === "builtin") === predefined.includes(r.Name)))
      .filter((r) => {
        const d = f("dangling")[0];
        if (d === undefined) return true;
        const dangling = !predefined.includes(r.Name) && this.referencing(r).length === 0;
        return (d === "true" || d === "1") === dangling;
      })
      .map((r) => this.view(r, false));
  }

  inspect(ref: string): Json {
    return this.view(this.find(ref));
  }

  async create(body: Json, version = "1.45"): Promise<{ Id: string; Warning: string }> {
    checkCreateTypes(body);
    const name: string = body.Name ?? "";
    if (!name) throw invalidParameter("invalid name: ");
    if (predefined.includes(name)) throw forbidden(`${name} is a pre-defined network and cannot be created`);
    let warning = "";
    const same = this.records.find((r) => r.Name === name);
    if (same) {
      // Before API 1.44 a client could ask for a duplicate name and get a warning.
      if (body.CheckDuplicate === true || !before144(version)) throw conflict(`network with name ${name} already exists`);
      warning = `Network with name ${name} (id : ${same.Id}) already exists`;
    }
    const driver: string = body.Driver || "bridge";
    if (driver === "host" || driver === "null") throw forbidden(`only one instance of "${driver}" network is allowed`);
    if (driver === "overlay") throw forbidden(`This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.`);
    if (driver !== "bridge") throw notFound(`could not find plugin ${driver} in v1 plugin registry: plugin not found`);
    const r = this.newRecord(name, "bridge");
    r.Internal = !!body.Internal;
    r.Attachable = !!body.Attachable;
    r.EnableIPv6 = !!body.EnableIPv6;
    r.Options = body.Options ?? {};
    r.Labels = body.Labels ?? {};
    r.IPAM = { Driver: body.IPAM?.Driver || "default", Options: body.IPAM?.Options ?? null, Config: [] };
    const given = (body.IPAM?.Config ?? []).find((x: Json) => x.Subnet && !String(x.Subnet).includes(":"));
    if (given) {
      const s = parseCidr(given.Subnet);
      for (const other of this.userSubnets()) if (overlaps(parseCidr(other), s)) throw forbidden("Pool overlaps with other one on this address space");
      const cfg: Json = { Subnet: given.Subnet };
      if (given.IPRange) cfg.IPRange = given.IPRange;
      if (given.Gateway) cfg.Gateway = given.Gateway;
      new Pool(cfg.Subnet, cfg.Gateway, cfg.IPRange); // validates
      r.IPAM.Config = [cfg];
    } else {
      const subnet = pickSubnet([...(await hostRoutes()), ...this.userSubnets()], this.candidates());
      r.IPAM.Config = [{ Subnet: subnet, Gateway: formatIp(parseCidr(subnet).base + 1) }];
    }
    const given6 = (body.IPAM?.Config ?? []).find((x: Json) => is6(x.Subnet));
    if (given6) {
      const cfg: Json = { Subnet: given6.Subnet };
      if (given6.IPRange) cfg.IPRange = given6.IPRange;
      if (given6.Gateway) cfg.Gateway = given6.Gateway;
      if (r.EnableIPv6) {
        new Pool6(cfg.Subnet, cfg.Gateway, cfg.IPRange); // validates
        const s6 = parseCidr6(cfg.Subnet);
        for (const other of this.userSubnets6()) if (overlaps6(parseCidr6(other), s6)) throw forbidden("Pool overlaps with other one on this address space");
      }
      // Without EnableIPv6 dockerd keeps an IPv6 subnet in the config and uses none of it.
      r.IPAM.Config.push(cfg);
    } else if (r.EnableIPv6) {
      const subnet = randomUla64();
      r.IPAM.Config.push({ Subnet: subnet, Gateway: formatIp6(parseCidr6(subnet).base + 1n) });
    }
    if (r.EnableIPv6 && !ipv6Available()) throw invalidParameter("cannot enable IPv6: IPv6 is disabled on this host (net.ipv6.conf.all.disable_ipv6)");
    r.bridge = r.Options["com.docker.network.bridge.name"] || `br-${r.Id.slice(0, 12)}`;
    try {
      await this.bringUp(r);
    } catch (err) {
      await this.bringDown(r).catch(() => {});
      throw err;
    }
    this.records.push(r);
    this.file.save(this.records);
    this.events?.publish("network", "create", r.Id, { name: r.Name, type: r.Driver });
    return { Id: r.Id, Warning: warning };
  }

  async remove(ref: string): Promise<void> {
    const r = this.find(ref);
    if (predefined.includes(r.Name)) throw forbidden(`${r.Name} is a pre-defined network and cannot be removed`);
    if (this.attached(r).length) throw conflict(`error while removing network: network ${r.Name} id ${r.Id} has active endpoints`);
    await this.bringDown(r);
    this.records = this.records.filter((x) => x !== r);
    this.file.save(this.records);
    this.events?.publish("network", "destroy", r.Id, { name: r.Name, type: r.Driver });
  }

  async prune(filters: Map<string, string[]>): Promise<{ NetworksDeleted: string[] }> {
    const deleted: string[] = [];
    const has = (l: string, labels: Record<string, string>) => {
      const i = l.indexOf("=");
      return i < 0 ? l in labels : labels[l.slice(0, i)] === l.slice(i + 1);
    };
    const until = (filters.get("until") ?? []).map(untilMs);
    for (const r of [...this.records]) {
      if (predefined.includes(r.Name) || this.referencing(r).length) continue;
      if (!(filters.get("label") ?? []).every((l) => has(l, r.Labels))) continue;
      if ((filters.get("label!") ?? []).some((l) => has(l, r.Labels))) continue;
      if (until.some((t) => Date.parse(r.Created) >= t)) continue;
      await this.remove(r.Id);
      deleted.push(r.Name);
    }
    return { NetworksDeleted: deleted };
  }

  /** dockerd's checks of a connect, whatever the container's state. */
  private checkConnect(c: Container, r: NetworkRecord, ec: Json): void {
    const mode: string = c.rec.HostConfig.NetworkMode || "default";
    if (mode.startsWith("container:")) throw invalidParameter("container sharing network namespace with another container or host cannot be connected to any other network");
    if (r.Driver === "host" && mode !== "host") throw invalidParameter("container cannot be disconnected from host network or connected to host network");
    const nets: Json = c.rec.NetworkSettings?.Networks ?? {};
    for (const name of Object.keys(nets)) {
      if (name === r.Name) continue;
      let other: NetworkRecord | undefined;
      try {
        other = this.find(nets[name].NetworkID || name);
      } catch {
        continue;
      }
      if (other.Driver === "host" || r.Driver === "host") throw invalidParameter("container sharing network namespace with another container or host cannot be connected to any other network");
      if (other.Driver === "null" || r.Driver === "null") throw invalidParameter("container cannot be connected to multiple networks with one of the networks in private (none) mode");
    }
    const userDefined = !predefined.includes(r.Name);
    const errs: string[] = [];
    if (!userDefined && (ec.IPAMConfig?.IPv4Address || ec.IPAMConfig?.IPv6Address)) errs.push("user specified IP address is supported on user defined networks only");
    if (!userDefined && ec.Aliases?.length) errs.push("network-scoped alias is supported only for containers in user defined networks");
    if (errs.length) throw invalidParameter(`invalid endpoint settings:\n${errs.join("\n")}`);
    if (ec.MacAddress && !/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(ec.MacAddress)) throw invalidParameter(`invalid MAC address ${ec.MacAddress}`);
  }

  async connect(ref: string, body: Json): Promise<void> {
    const r = this.find(ref);
    const acc = this.access();
    const c = acc.lookup(body.Container ?? "");
    const ec: Json = body.EndpointConfig ?? {};
    // dockerd reports a connect or disconnect only when an endpoint was made or removed.
    const live = await acc.lock(c.id, async () => {
      this.checkConnect(c, r, ec);
      const ns: Json = (c.rec.NetworkSettings ??= this.createSettings(c.rec.HostConfig, c.rec.NetworkingConfig));
      const nets: Json = (ns.Networks ??= {});
      const rt = c.rec.NetRuntime as NetRuntime | undefined;
      const running = c.state.s.Running && rt;
      const cfg: Json = requestedEndpoint(ec);
      if (r.Driver === "bridge" && !predefined.includes(r.Name)) cfg.DNSNames = this.dnsNames(c, cfg);
      if (!running) {
        // Stopped or created: kept for the next start; a second connect changes nothing (dockerd).
        if (nets[r.Name]) return false;
        if (r.Driver === "bridge") this.checkAddresses(r, cfg);
        nets[r.Name] = cfg;
        acc.save(c);
        return false;
      }
      if (rt.endpoints.some((e) => e.networkId === r.Id) || nets[r.Name]?.EndpointID) throw forbidden(`endpoint with name ${c.name} already exists in network ${r.Name}`);
      if (r.Driver !== "bridge") throw invalidParameter("container cannot be disconnected from host network or connected to host network");
      const used = new Set(rt.endpoints.map((e) => e.iface));
      let n = 0;
      while (used.has(`eth${n}`)) n++;
      const e = this.newEndpoint(c, r, cfg, `eth${n}`, false);
      try {
        await addIface(rt.sandboxKey, e.iface);
      } catch (err) {
        e.release();
        throw err;
      }
      rt.endpoints.push(e.ep);
      Object.assign(cfg, e.settings);
      nets[r.Name] = cfg;
      acc.save(c);
      return true;
    });
    if (live) this.events?.publish("network", "connect", r.Id, { container: c.id, name: r.Name, type: r.Driver });
  }

  /** A requested address must lie in one of the network's subnets (checked before start as dockerd does). */
  private checkAddresses(r: NetworkRecord, cfg: Json): void {
    const want: string | undefined = cfg.IPAMConfig?.IPv4Address;
    if (!want) return;
    const pool = this.pools.get(r.Id);
    if (pool && !pool.contains(want)) throw invalidParameter(`invalid endpoint settings:\nno configured subnet or ip-range contain the IP address ${want}`);
  }

  async disconnect(ref: string, body: Json): Promise<void> {
    const r = this.find(ref);
    const acc = this.access();
    const c = acc.lookup(body.Container ?? "");
    const live = await acc.lock(c.id, async () => {
      const nets: Json = c.rec.NetworkSettings?.Networks ?? {};
      const rt = c.rec.NetRuntime as NetRuntime | undefined;
      if (!c.state.s.Running || !rt) {
        // Force changes nothing here: dockerd's answer is the same error (a 500).
        if (!nets[r.Name]) throw systemError(`container ${c.id} is not connected to the network ${r.Name}`);
        delete nets[r.Name];
        acc.save(c);
        return false;
      }
      if (r.Driver === "host" && (c.rec.HostConfig.NetworkMode || "") === "host") throw invalidParameter("container cannot be disconnected from host network or connected to host network");
      const ep = rt.endpoints.find((e) => e.networkId === r.Id);
      if (!ep) throw systemError(`container ${c.id} is not connected to network ${r.Name}`);
      if (rt.endpoints[0] === ep && rt.bindings.length) {
        await this.ipt.deleteRules(this.portRuleSet(rt)).catch(() => {});
        rt.portsOn = undefined;
      }
      await removeIface(ep.hostVeth);
      this.pools.get(r.Id)?.release(ep.ip);
      if (ep.ip6) this.pools6.get(r.Id)?.release(ep.ip6);
      rt.endpoints = rt.endpoints.filter((e) => e !== ep);
      delete nets[r.Name];
      acc.save(c);
      return true;
    });
    if (live) this.events?.publish("network", "disconnect", r.Id, { container: c.id, name: r.Name, type: r.Driver });
  }

  /** For tests and `info`: the addresses each network has handed out. */
  ipamState(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const r of this.records) {
      const p = this.pools.get(r.Id);
      if (p) out[r.Name] = p.inUse();
    }
    return out;
  }

  /** Bridges marked as this daemon's that no network claims (a crash between create and save). */
  async sweepBridges(): Promise<void> {
    const known = new Set(this.records.map((r) => r.bridge).filter(Boolean));
    for (const b of await ownedBridges(this.owner)) if (!known.has(b)) await deleteBridge(b, this.owner).catch(() => {});
  }
}

function is6(subnet: string | undefined): boolean {
  return !!subnet?.includes(":");
}

/** API versions before 1.44 (CheckDuplicate still meant something). */
function before144(version: string): boolean {
  const [maj = 0, min = 0] = version.split(".").map(Number);
  return maj < 1 || (maj === 1 && min < 44);
}

/** A prune `until`: a Go duration before now (`24h`, `90m`), Unix seconds or RFC 3339. */
function untilMs(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const ago = parseGoDuration(v);
  if (ago !== undefined) return Date.now() - ago / 1e6;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidParameter(`invalid value for until: ${v}`);
  return t;
}
