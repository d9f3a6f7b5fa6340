// network connect and disconnect: dockerd's checks, then an endpoint added to or
// removed from a running container's sandbox, or the request kept in its settings for
// the next start when it is not running.
import type { Container } from "../container/container.ts";
import type { EndpointSettings, NetworkSettings } from "../api/types/index.ts";

/** A connect or disconnect body as the client sent it (read field by field). */
type ConnectBody = { Container?: string; EndpointConfig?: EndpointSettings | null; Force?: boolean };
import { forbidden, invalidParameter, systemError } from "../errors.ts";
import { createSettings, newEndpoint } from "./endpoints.ts";
import { requestedEndpoint } from "./endpoint.ts";
import { containerDnsNames } from "./names.ts";
import { addIface, removeIface } from "./sandbox.ts";
import { predefined, type NetRuntime, type NetworkState } from "./state.ts";
import type { NetworkRecord } from "./store.ts";

/** dockerd's checks of a connect, whatever the container's state. */
export function checkConnect(st: NetworkState, c: Container, r: NetworkRecord, ec: EndpointSettings): void {
  const mode: string = c.rec.HostConfig.NetworkMode || "default";
  if (mode.startsWith("container:")) throw invalidParameter("container sharing network namespace with another container or host cannot be connected to any other network");
  if (r.Driver === "host" && mode !== "host") throw invalidParameter("container cannot be disconnected from host network or connected to host network");
  const nets = c.rec.NetworkSettings?.Networks ?? {};
  for (const name of Object.keys(nets)) {
    if (name === r.Name) continue;
    let other: NetworkRecord | undefined;
    try {
      other = st.find(nets[name].NetworkID || name);
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

export async function connectContainer(st: NetworkState, ref: string, body: ConnectBody): Promise<void> {
  const r = st.find(ref);
  const acc = st.access();
  const c = acc.lookup(body.Container ?? "");
  const ec: EndpointSettings = body.EndpointConfig ?? {};
  // dockerd reports a connect or disconnect only when an endpoint was made or removed.
  const live = await acc.lock(c.id, async () => {
    checkConnect(st, c, r, ec);
    const ns: NetworkSettings = (c.rec.NetworkSettings ??= createSettings(st, c.rec.HostConfig, c.rec.NetworkingConfig));
    const nets = (ns.Networks ??= {});
    const rt = c.rec.NetRuntime as NetRuntime | undefined;
    const running = c.state.s.Running && rt;
    const cfg = requestedEndpoint(ec);
    if (r.Driver === "bridge" && !predefined.includes(r.Name)) cfg.DNSNames = containerDnsNames(c, cfg);
    if (!running) {
      // Stopped or created: kept for the next start; a second connect changes nothing (dockerd).
      if (nets[r.Name]) return false;
      if (r.Driver === "bridge") checkAddresses(st, r, cfg);
      nets[r.Name] = cfg;
      acc.save(c);
      return false;
    }
    if (rt.endpoints.some((e) => e.networkId === r.Id) || nets[r.Name]?.EndpointID) throw forbidden(`endpoint with name ${c.name} already exists in network ${r.Name}`);
    if (r.Driver !== "bridge") throw invalidParameter("container cannot be disconnected from host network or connected to host network");
    const used = new Set(rt.endpoints.map((e) => e.iface));
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    const e = newEndpoint(st, c, r, cfg, `eth${n}`, false);
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
  if (live) st.events?.publish("network", "connect", r.Id, { container: c.id, name: r.Name, type: r.Driver });
}

/** A requested address must lie in one of the network's subnets (checked before start as dockerd does). */
export function checkAddresses(st: NetworkState, r: NetworkRecord, cfg: EndpointSettings): void {
  const want: string | undefined = cfg.IPAMConfig?.IPv4Address;
  if (!want) return;
  const pool = st.pools.get(r.Id);
  if (pool && !pool.contains(want)) throw invalidParameter(`invalid endpoint settings:\nno configured subnet or ip-range contain the IP address ${want}`);
}

export async function disconnectContainer(st: NetworkState, ref: string, body: ConnectBody): Promise<void> {
  const r = st.find(ref);
  const acc = st.access();
  const c = acc.lookup(body.Container ?? "");
  const live = await acc.lock(c.id, async () => {
    const nets = c.rec.NetworkSettings?.Networks ?? {};
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
      await st.ipt.deleteRules(st.portRuleSet(rt)).catch(() => {});
      rt.portsOn = undefined;
    }
    await removeIface(ep.hostVeth);
    st.pools.get(r.Id)?.release(ep.ip);
    if (ep.ip6) st.pools6.get(r.Id)?.release(ep.ip6);
    rt.endpoints = rt.endpoints.filter((e) => e !== ep);
    delete nets[r.Name];
    acc.save(c);
    return true;
  });
  if (live) st.events?.publish("network", "disconnect", r.Id, { container: c.id, name: r.Name, type: r.Driver });
}
