// The networks API: inspect and list shapes, create (subnets picked or checked, the
// bridge brought up), remove and prune.
import type { NetworkCreateBody } from "../api/types/index.ts";

/** A network as inspect and list show it: the record without wharf's own fields, plus its containers. */
export type NetworkView = Omit<NetworkRecord, "bridge"> & {
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
};
import { conflict, forbidden, invalidParameter, notFound } from "../errors.ts";
import { matchLabels } from "../filters.ts";
import { parseTimestampNano } from "../time.ts";
import { compareVersions } from "../version.ts";
import { formatIp, overlaps, parseCidr } from "./addr.ts";
import { formatIp6, overlaps6, parseCidr6, randomUla64 } from "./addr6.ts";
import { hostRoutes, ipv6Available } from "./bridge.ts";
import { bringDown, bringUp } from "./bridges.ts";
import { checkCreateTypes } from "./endpoint.ts";
import { Pool, pickSubnet } from "./ipam.ts";
import { Pool6 } from "./ipam6.ts";
import { is6, predefined, type NetRuntime, type NetworkState } from "./state.ts";
import type { NetworkRecord } from "./store.ts";

type IpamConfig = NetworkRecord["IPAM"]["Config"][number];

export function networkView(st: NetworkState, r: NetworkRecord, withContainers = true): NetworkView {
  const { bridge: _b, ...shape } = r;
  const containers: NetworkView["Containers"] = {};
  if (withContainers && (r.Driver === "host" || r.Driver === "null")) {
    for (const c of st.access().all()) {
      if (c.state.s.Running && (c.rec.HostConfig.NetworkMode || "") === r.Name) containers[c.id] = { Name: c.name, EndpointID: "", MacAddress: "", IPv4Address: "", IPv6Address: "" };
    }
  }
  if (withContainers) {
    for (const c of st.attached(r)) {
      const ep = (c.rec.NetRuntime as NetRuntime).endpoints.find((e) => e.networkId === r.Id)!;
      const cfg = c.rec.NetworkSettings?.Networks?.[ep.name] ?? {};
      containers[c.id] = { Name: c.name, EndpointID: cfg.EndpointID ?? "", MacAddress: cfg.MacAddress ?? "", IPv4Address: `${ep.ip}/${ep.bits}`, IPv6Address: ep.ip6 ? `${ep.ip6}/${ep.bits6}` : "" };
    }
  }
  const { Options, Labels, ...head } = shape;
  return { ...head, Containers: containers, Options, Labels }; // Docker's key order
}

export function listNetworks(st: NetworkState, filters: Map<string, string[]>): NetworkView[] {
  const f = (k: string) => filters.get(k) ?? [];
  return st.records
    .filter((r) => !f("name").length || f("name").some((n) => r.Name.includes(n)))
    .filter((r) => !f("id").length || f("id").some((n) => r.Id.startsWith(n)))
    .filter((r) => !f("driver").length || f("driver").includes(r.Driver))
    .filter((r) => !f("scope").length || f("scope").includes(r.Scope))
    .filter((r) => matchLabels(r.Labels, f("label")))
    .filter((r) => !f("type").length || f("type").some((t) => (t === "builtin") === predefined.includes(r.Name)))
    .filter((r) => {
      const d = f("dangling")[0];
      if (d === undefined) return true;
      const dangling = !predefined.includes(r.Name) && st.referencing(r).length === 0;
      return (d === "true" || d === "1") === dangling;
    })
    .map((r) => networkView(st, r, false));
}

export async function createNetwork(st: NetworkState, raw: { [field: string]: unknown }, version = "1.45"): Promise<{ Id: string; Warning: string }> {
  checkCreateTypes(raw);
  const body = raw as NetworkCreateBody;
  const name: string = body.Name ?? "";
  if (!name) throw invalidParameter("invalid name: ");
  if (predefined.includes(name)) throw forbidden(`${name} is a pre-defined network and cannot be created`);
  let warning = "";
  const same = st.records.find((r) => r.Name === name);
  if (same) {
    // Before API 1.44 a client could ask for a duplicate name and get a warning.
    if (body.CheckDuplicate === true || compareVersions(version, "1.44") >= 0) throw conflict(`network with name ${name} already exists`);
    warning = `Network with name ${name} (id : ${same.Id}) already exists`;
  }
  const driver: string = body.Driver || "bridge";
  if (driver === "host" || driver === "null") throw forbidden(`only one instance of "${driver}" network is allowed`);
  if (driver === "overlay") throw forbidden(`This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.`);
  if (driver !== "bridge") throw notFound(`could not find plugin ${driver} in v1 plugin registry: plugin not found`);
  const r = st.newRecord(name, "bridge");
  r.Internal = !!body.Internal;
  r.Attachable = !!body.Attachable;
  r.EnableIPv6 = !!body.EnableIPv6;
  r.Options = body.Options ?? {};
  r.Labels = body.Labels ?? {};
  r.IPAM = { Driver: body.IPAM?.Driver || "default", Options: body.IPAM?.Options ?? null, Config: [] };
  const given = (body.IPAM?.Config ?? []).find((x) => x.Subnet && !String(x.Subnet).includes(":"));
  if (given) {
    const s = parseCidr(given.Subnet!);
    for (const other of st.userSubnets()) if (overlaps(parseCidr(other), s)) throw forbidden("Pool overlaps with other one on this address space");
    const cfg: IpamConfig = { Subnet: given.Subnet };
    if (given.IPRange) cfg.IPRange = given.IPRange;
    if (given.Gateway) cfg.Gateway = given.Gateway;
    new Pool(cfg.Subnet!, cfg.Gateway, cfg.IPRange); // validates
    r.IPAM.Config = [cfg];
  } else {
    const subnet = pickSubnet([...(await hostRoutes()), ...st.userSubnets()], st.candidates());
    r.IPAM.Config = [{ Subnet: subnet, Gateway: formatIp(parseCidr(subnet).base + 1) }];
  }
  const given6 = (body.IPAM?.Config ?? []).find((x) => is6(x.Subnet));
  if (given6) {
    const cfg: IpamConfig = { Subnet: given6.Subnet };
    if (given6.IPRange) cfg.IPRange = given6.IPRange;
    if (given6.Gateway) cfg.Gateway = given6.Gateway;
    if (r.EnableIPv6) {
      new Pool6(cfg.Subnet!, cfg.Gateway, cfg.IPRange); // validates
      const s6 = parseCidr6(cfg.Subnet!);
      for (const other of st.userSubnets6()) if (overlaps6(parseCidr6(other), s6)) throw forbidden("Pool overlaps with other one on this address space");
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
    await bringUp(st, r);
  } catch (err) {
    await bringDown(st, r).catch(() => {});
    throw err;
  }
  st.records.push(r);
  st.file.save(st.records);
  st.events?.publish("network", "create", r.Id, { name: r.Name, type: r.Driver });
  return { Id: r.Id, Warning: warning };
}

export async function removeNetwork(st: NetworkState, ref: string): Promise<void> {
  const r = st.find(ref);
  if (predefined.includes(r.Name)) throw forbidden(`${r.Name} is a pre-defined network and cannot be removed`);
  if (st.attached(r).length) throw conflict(`error while removing network: network ${r.Name} id ${r.Id} has active endpoints`);
  await bringDown(st, r);
  st.records = st.records.filter((x) => x !== r);
  st.file.save(st.records);
  st.events?.publish("network", "destroy", r.Id, { name: r.Name, type: r.Driver });
}

export async function pruneNetworks(st: NetworkState, filters: Map<string, string[]>): Promise<{ NetworksDeleted: string[] }> {
  const deleted: string[] = [];
  const until = (filters.get("until") ?? []).map((v) => Number(parseTimestampNano(v, "until") / 1_000_000n));
  for (const r of [...st.records]) {
    if (predefined.includes(r.Name) || st.referencing(r).length) continue;
    if (!matchLabels(r.Labels, filters.get("label"))) continue;
    if ((filters.get("label!") ?? []).some((l) => matchLabels(r.Labels, [l]))) continue;
    if (until.some((t) => Date.parse(r.Created) >= t)) continue;
    await removeNetwork(st, r.Id);
    deleted.push(r.Name);
  }
  return { NetworksDeleted: deleted };
}
