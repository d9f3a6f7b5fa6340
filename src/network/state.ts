// The network controller's state: the network records, what each bridge network holds
// while it is up (address pools, resolvers), the host ports held per container, and the
// lookups every part of the controller shares (controller.ts is its face; bridges.ts,
// endpoints.ts, connect.ts, names.ts, resources.ts and restore.ts act on it).
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Container } from "../container/container.ts";
import { invalidParameter, notFound } from "../errors.ts";
import type { EventBus } from "../engine/events.ts";
import { nowNano } from "../time.ts";
import { formatIp, parseCidr } from "./addr.ts";
import { ownerMark } from "./bridge.ts";
import { addRules, chainsFor, createChains, deleteRules, networkRules, portRules, removeChains, type Chains, type RuleSet } from "./iptables.ts";
import { Pool, candidateSubnets, poolSubnets } from "./ipam.ts";
import type { Pool6 } from "./ipam6.ts";
import { bindingFamilies, type Binding } from "../container/ports.ts";
import type { Reservation } from "./ports.ts";
import type { Resolver } from "./dns.ts";
import { NetworkFile, type NetworkRecord } from "./store.ts";

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
export const withRules = { addRules, deleteRules, createChains, removeChains };
export const noRules: typeof withRules = { addRules: async () => {}, deleteRules: async () => {}, createChains: async () => {}, removeChains: async () => {} };

/** What the network controller needs of the container store (bound once containers are open). */
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

/** The predefined networks: never created, removed or pruned. */
export const predefined = ["bridge", "host", "none"];

export const hex = (n: number) => randomBytes(n).toString("hex");

export function is6(subnet: string | undefined): boolean {
  return !!subnet?.includes(":");
}

export class NetworkState {
  readonly file: NetworkFile;
  records: NetworkRecord[] = [];
  readonly pools = new Map<string, Pool>();
  readonly pools6 = new Map<string, Pool6>();
  readonly resolvers = new Map<string, Resolver>();
  readonly reservations = new Map<string, Reservation[]>();
  containers?: ContainerAccess;
  opened = false;
  /** Sandboxes being removed in the background, by container. */
  readonly pending = new Map<string, Promise<void>>();
  readonly bridgeName: string;
  readonly chains: Chains;
  readonly owner: string;
  readonly mtu: number;
  readonly ipt: typeof withRules;

  constructor(
    readonly cfg: NetworkConfig,
    readonly events?: EventBus,
  ) {
    this.file = new NetworkFile(cfg.dataRoot);
    this.bridgeName = cfg.bridge || "wharf0";
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(this.bridgeName)) throw invalidParameter(`invalid bridge name ${this.bridgeName}: at most 15 letters, digits, '_', '.', '-'`);
    this.chains = chainsFor(this.bridgeName);
    this.owner = ownerMark(cfg.dataRoot);
    this.mtu = cfg.mtu ?? 1500;
    this.ipt = cfg.iptables === false ? noRules : withRules;
  }

  candidates(): Iterable<string> {
    return this.cfg.pools?.length ? poolSubnets(this.cfg.pools) : candidateSubnets();
  }

  get sandboxDir(): string {
    return join(this.cfg.execRoot, "netns");
  }

  newRecord(name: string, driver: string): NetworkRecord {
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

  userSubnets(except?: string): string[] {
    return this.records.filter((r) => r.Id !== except && r.Driver === "bridge").flatMap((r) => r.IPAM.Config.map((c) => c.Subnet!).filter((x) => x && !is6(x)));
  }

  userSubnets6(): string[] {
    return this.records.filter((r) => r.Driver === "bridge").flatMap((r) => r.IPAM.Config.map((c) => c.Subnet!).filter((x) => x && is6(x)));
  }

  /** The IPv4 entry of a network's IPAM config (a bridge network has exactly one). */
  v4Config(r: NetworkRecord): { Subnet?: string; Gateway?: string; IPRange?: string } {
    return r.IPAM.Config.find((c) => !is6(c.Subnet)) ?? {};
  }

  /** The IPv6 entry, used only when the network has EnableIPv6. */
  v6Config(r: NetworkRecord): { Subnet?: string; Gateway?: string; IPRange?: string } | undefined {
    return r.EnableIPv6 ? r.IPAM.Config.find((c) => is6(c.Subnet)) : undefined;
  }

  gatewayOf(r: NetworkRecord): string {
    const c = this.v4Config(r);
    return c.Gateway ?? formatIp(parseCidr(c.Subnet!).base + 1);
  }

  /** A network's MTU: its `com.docker.network.driver.mtu` option, else the daemon's. */
  mtuOf(r: NetworkRecord): number {
    const v = Number(r.Options["com.docker.network.driver.mtu"]);
    return Number.isInteger(v) && v >= 68 && v <= 65535 ? v : this.mtu;
  }

  bridgeRules(r: NetworkRecord): RuleSet {
    return networkRules(this.chains, r.bridge!, this.v4Config(r).Subnet!, r.Internal);
  }

  bridgeRules6(r: NetworkRecord): RuleSet | undefined {
    const c6 = this.v6Config(r);
    return c6?.Subnet ? networkRules(this.chains, r.bridge!, c6.Subnet, r.Internal) : undefined;
  }

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

  access(): ContainerAccess {
    if (!this.containers) throw new Error("network manager used before containers were bound");
    return this.containers;
  }

  /** Containers with an endpoint on the network right now. */
  attached(r: NetworkRecord): Container[] {
    return this.access()
      .all()
      .filter((c) => c.state.s.Running && (c.rec.NetRuntime as NetRuntime | undefined)?.endpoints.some((e) => e.networkId === r.Id));
  }

  referencing(r: NetworkRecord): Container[] {
    return this.access()
      .all()
      .filter((c) => {
        const mode = c.rec.HostConfig.NetworkMode || "default";
        if (mode === r.Name || mode === r.Id || (mode === "default" && r.Name === "bridge")) return true;
        return Object.values(c.rec.NetworkSettings?.Networks ?? {}).some((e) => e.NetworkID === r.Id) || r.Name in (c.rec.NetworkSettings?.Networks ?? {});
      });
  }

  portRuleSet(rt: NetRuntime): RuleSet {
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

  allocate(net: NetworkRecord, want: string | undefined): { ip: string; bits: number; gateway: string } {
    const pool = this.pools.get(net.Id);
    if (!pool) throw invalidParameter(`network ${net.Name} has no address pool`);
    return { ip: pool.allocate(want || undefined), bits: pool.subnet.bits, gateway: this.gatewayOf(net) };
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
}
