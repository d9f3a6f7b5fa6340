// The network controller at daemon start and stop: the predefined networks and every
// bridge network brought up from the records; after the container store is loaded, the
// addresses, ports and rules of containers that outlived the daemon taken back and
// leftover sandboxes removed; at stop, everything removed unless containers still run.
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Container } from "../container/container.ts";
import { conflict, invalidParameter } from "../errors.ts";
import { logger } from "../log.ts";
import { makeShared } from "../storage/mount.ts";
import { formatCidr, formatIp, parseCidr } from "./addr.ts";
import { formatCidr6, formatIp6, parseCidr6 } from "./addr6.ts";
import { deleteBridge, hostRoutes, ipv6Available, linkAlias, sysctl } from "./bridge.ts";
import { bringUp, sweepBridges } from "./bridges.ts";
import { pickSubnet } from "./ipam.ts";
import { reservePorts } from "./ports.ts";
import { destroySandbox } from "./sandbox.ts";
import { is6, type NetRuntime, type NetworkState } from "./state.ts";

const log = logger("network");

const defaultBridgeOpts = (name: string, mtu: number) => ({
  "com.docker.network.bridge.default_bridge": "true",
  "com.docker.network.bridge.enable_icc": "true",
  "com.docker.network.bridge.enable_ip_masquerade": "true",
  "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
  "com.docker.network.bridge.name": name,
  "com.docker.network.driver.mtu": String(mtu),
});

/** Chains, bridges and resolvers of every network, from scratch (daemon start). */
export async function openNetworks(st: NetworkState): Promise<void> {
  // Before touching any rule: chains are named after the bridge, so a bridge of
  // another daemon means its chains too.
  const alias = await linkAlias(st.bridgeName);
  if (alias !== undefined && alias !== st.owner) {
    throw conflict(`bridge ${st.bridgeName} already exists and is not this daemon's (${alias ? `owned by ${alias}` : "not made by wharf"}): choose another name with --bridge`);
  }
  st.records = st.file.load();
  const byName = (n: string) => st.records.find((r) => r.Name === n);
  for (const [name, driver] of [["host", "host"], ["none", "null"]] as const) {
    if (!byName(name)) st.records.push(st.newRecord(name, driver));
  }
  let bridge = byName("bridge");
  if (!bridge) st.records.push((bridge = st.newRecord("bridge", "bridge")));
  const oldBridge = bridge.bridge;
  bridge.bridge = st.bridgeName;
  bridge.Options = defaultBridgeOpts(st.bridgeName, st.mtu);
  if (st.cfg.bip) {
    const c = parseCidr(st.cfg.bip);
    if (c.addr === c.base) throw invalidParameter(`invalid --bip ${st.cfg.bip}: give the bridge's own address, as 10.1.0.1/24`);
    bridge.IPAM.Config = [{ Subnet: formatCidr(c), Gateway: formatIp(c.addr) }];
  } else if (!bridge.IPAM.Config[0]?.Subnet || oldBridge !== st.bridgeName) {
    const taken = [...(await hostRoutes([st.bridgeName])), ...st.userSubnets()];
    const subnet = pickSubnet(taken, st.candidates());
    bridge.IPAM.Config = [{ Subnet: subnet, Gateway: formatIp(parseCidr(subnet).base + 1) }];
  }
  bridge.IPAM.Config = bridge.IPAM.Config.filter((c) => !is6(c.Subnet));
  bridge.EnableIPv6 = !!st.cfg.ipv6;
  if (st.cfg.ipv6) {
    if (!st.cfg.fixedCidrV6) throw invalidParameter("IPv6 is enabled for the default bridge, but no subnet is configured. Specify an IPv6 subnet using --fixed-cidr-v6");
    const c6 = parseCidr6(st.cfg.fixedCidrV6);
    bridge.IPAM.Config.push({ Subnet: formatCidr6(c6), Gateway: formatIp6(c6.base + 1n) });
  } else if (st.cfg.fixedCidrV6) {
    throw invalidParameter("--fixed-cidr-v6 needs --ipv6");
  }
  if (st.records.some((r) => r.Driver === "bridge" && r.EnableIPv6) && !ipv6Available()) {
    throw invalidParameter("IPv6 networks are configured but IPv6 is disabled on this host (net.ipv6.conf.all.disable_ipv6)");
  }
  if (st.cfg.ipForward !== false) sysctl("net/ipv4/ip_forward", "1");
  // Prewarmed inits copied this mount namespace before the sandbox of the container
  // they will serve was bound here: a shared mount lets the binding reach them.
  mkdirSync(st.sandboxDir, { recursive: true, mode: 0o700 });
  await makeShared(st.sandboxDir);
  st.opened = true;
  // Started before under another --bridge: that name's chains were ours.
  if (oldBridge && oldBridge !== st.bridgeName) {
    await st.ipt.removeChains(oldBridge);
    await st.ipt.removeChains(oldBridge, true);
  }
  await st.ipt.createChains(st.bridgeName);
  await st.ipt.createChains(st.bridgeName, true).catch((err) => log.warn("ip6tables unavailable; IPv6 networks get no isolation or NAT rules:", err));
  for (const r of st.records) if (r.Driver === "bridge") await bringUp(st, r);
  st.file.save(st.records);
  await sweepBridges(st);
}

/**
 * After the container store is loaded and before restart policies run: takes back
 * addresses, ports and rules of containers still running, and removes sandboxes and
 * veths nobody owns any more (a crash left them).
 */
export async function reconcileNetworks(st: NetworkState, running: Container[]): Promise<void> {
  const keep = new Set<string>();
  for (const c of running) {
    const rt = c.rec.NetRuntime as NetRuntime | undefined;
    if (!rt) continue;
    keep.add(rt.sandboxKey);
    for (const ep of rt.endpoints) {
      try {
        st.pools.get(ep.networkId)?.claim(ep.ip);
        if (ep.ip6) st.pools6.get(ep.networkId)?.claim(ep.ip6);
      } catch {}
    }
    try {
      await st.ipt.addRules(st.portRuleSet(rt));
      // The hold on the host ports lapsed with the old daemon; take it again.
      const on = rt.portsOn && rt.endpoints.find((e) => e.ip === rt.portsOn!.ip);
      if (rt.bindings.length) st.reservations.set(c.id, await reservePorts(rt.bindings, c.name, on ? { ip: on.ip, ip6: on.ip6 } : undefined));
    } catch (err) {
      log.warn(`restoring published ports of ${c.id}:`, err);
    }
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(st.sandboxDir);
  } catch {}
  for (const e of entries) {
    const p = join(st.sandboxDir, e);
    if (!keep.has(p)) await destroySandbox(p, []);
  }
}

/**
 * Daemon stop. With containers still running (they outlive the daemon) everything
 * stays for the next start; otherwise bridges, chains and sandboxes go.
 */
export async function closeNetworks(st: NetworkState, anyRunning: boolean): Promise<void> {
  if (!st.opened) return;
  await Promise.all(st.pending.values());
  for (const r of st.resolvers.values()) r.close();
  st.resolvers.clear();
  for (const list of st.reservations.values()) for (const r of list) r.close();
  st.reservations.clear();
  if (anyRunning) return;
  for (const r of st.records) if (r.bridge) await deleteBridge(r.bridge, st.owner);
  await st.ipt.removeChains(st.bridgeName);
  await st.ipt.removeChains(st.bridgeName, true);
}
