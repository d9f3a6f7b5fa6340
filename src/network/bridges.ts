// A bridge network up and down: its Linux bridge with the gateway address (and IPv6
// gateway), its isolation rules, its address pools and, on user networks, the resolver
// on the gateway; and the sweep of bridges a crash left behind.
import { logger } from "../log.ts";
import { formatIp6 } from "./addr6.ts";
import { deleteBridge, ensureBridge, ensureBridge6, ownedBridges } from "./bridge.ts";
import { Resolver } from "./dns.ts";
import { Pool } from "./ipam.ts";
import { Pool6 } from "./ipam6.ts";
import { resolveName, upstreamsFor } from "./names.ts";
import type { NetworkState } from "./state.ts";
import type { NetworkRecord } from "./store.ts";

const log = logger("network");

export async function bringUp(st: NetworkState, r: NetworkRecord): Promise<void> {
  const cfg = st.v4Config(r);
  const gw = st.gatewayOf(r);
  const pool = new Pool(cfg.Subnet!, gw, cfg.IPRange);
  await ensureBridge(r.bridge!, `${gw}/${pool.subnet.bits}`, st.mtuOf(r), st.owner);
  await st.ipt.addRules(st.bridgeRules(r));
  st.pools.set(r.Id, pool);
  const c6 = st.v6Config(r);
  if (c6?.Subnet) {
    const pool6 = new Pool6(c6.Subnet, c6.Gateway, c6.IPRange);
    await ensureBridge6(r.bridge!, `${formatIp6(pool6.gateway)}/${pool6.bits}`);
    const rules6 = st.bridgeRules6(r);
    if (rules6) await st.ipt.addRules(rules6, true).catch((err) => log.warn(`ip6tables rules of ${r.Name}:`, err));
    st.pools6.set(r.Id, pool6);
  }
  if (r.Name !== "bridge") {
    const res = new Resolver(gw, (name, from) => resolveName(st, r.Id, name, from), (from) => upstreamsFor(st, r.Id, from));
    try {
      await res.listen();
      st.resolvers.set(r.Id, res);
    } catch (err) {
      log.warn(`name resolution on ${r.Name} (${gw}:53) unavailable:`, err);
    }
  }
}

export async function bringDown(st: NetworkState, r: NetworkRecord): Promise<void> {
  st.resolvers.get(r.Id)?.close();
  st.resolvers.delete(r.Id);
  await st.ipt.deleteRules(st.bridgeRules(r));
  const rules6 = st.bridgeRules6(r);
  if (rules6) await st.ipt.deleteRules(rules6, true);
  await deleteBridge(r.bridge!, st.owner);
  st.pools.delete(r.Id);
  st.pools6.delete(r.Id);
}

/** Bridges marked as this daemon's that no network claims (a crash between create and save). */
export async function sweepBridges(st: NetworkState): Promise<void> {
  const known = new Set(st.records.map((r) => r.bridge).filter(Boolean));
  for (const b of await ownedBridges(st.owner)) if (!known.has(b)) await deleteBridge(b, st.owner).catch(() => {});
}
