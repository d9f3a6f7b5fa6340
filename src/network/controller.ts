// The network controller: the predefined networks (bridge, host, none) and user-defined
// bridge networks, each container's endpoints (sandbox, veths, addresses, published
// ports, names), and the reconciliation after a daemon restart. This is its face, the
// one object the daemon, the container verbs and the networks router hold; the work is
// in restore.ts, bridges.ts, endpoints.ts, connect.ts, names.ts and resources.ts, over
// the shared state of state.ts.
import type { Container } from "../container/container.ts";
import type { HostConfig, NetworkingConfig, NetworkSettings } from "../api/types/index.ts";
import type { NetworkView } from "./resources.ts";
import type { EventBus } from "../engine/events.ts";
import { sweepBridges } from "./bridges.ts";
import { connectContainer, disconnectContainer } from "./connect.ts";
import { attachContainer, createSettings, detachContainer, validateMode } from "./endpoints.ts";
import { createNetwork, listNetworks, networkView, pruneNetworks, removeNetwork } from "./resources.ts";
import { closeNetworks, openNetworks, reconcileNetworks } from "./restore.ts";
import { NetworkState, type ContainerAccess, type NetRuntime, type NetworkConfig } from "./state.ts";
import type { NetworkRecord } from "./store.ts";

export type { ContainerAccess, NetRuntime, NetworkConfig } from "./state.ts";

export class NetworkManager {
  private readonly st: NetworkState;

  constructor(cfg: NetworkConfig, events?: EventBus) {
    this.st = new NetworkState(cfg, events);
  }

  get bridgeName(): string {
    return this.st.bridgeName;
  }

  bindContainers(access: ContainerAccess): void {
    this.st.containers = access;
  }

  // ---- daemon start and stop (restore.ts) ----

  /** Chains, bridges and resolvers of every network, from scratch (daemon start). */
  open(): Promise<void> {
    return openNetworks(this.st);
  }

  /** Takes back what containers still running hold; removes sandboxes nobody owns. */
  reconcile(running: Container[]): Promise<void> {
    return reconcileNetworks(this.st, running);
  }

  /** Daemon stop: everything goes unless containers still run. */
  close(anyRunning: boolean): Promise<void> {
    return closeNetworks(this.st, anyRunning);
  }

  /** Bridges marked as this daemon's that no network claims (a crash between create and save). */
  sweepBridges(): Promise<void> {
    return sweepBridges(this.st);
  }

  // ---- the container verbs' hooks (endpoints.ts) ----

  /** A network by full id, exact name, or unique id prefix. */
  find(ref: string): NetworkRecord {
    return this.st.find(ref);
  }

  /** Create-time check of HostConfig.NetworkMode (and EndpointsConfig names). */
  validateMode(mode: string, networking: NetworkingConfig | null): void {
    validateMode(this.st, mode, networking);
  }

  /** NetworkSettings of a container just created: the requested endpoints, as given. */
  createSettings(hc: HostConfig, networking: NetworkingConfig | null): NetworkSettings {
    return createSettings(this.st, hc, networking);
  }

  /** Before the process starts: sandbox, endpoints, ports and names; nothing remains on failure. */
  attach(c: Container): Promise<void> {
    return attachContainer(this.st, c);
  }

  /** After the process ended: undoes attach. Idempotent; `background` lets the slow part finish later. */
  detach(c: Container, opts: { background?: boolean } = {}): Promise<void> {
    return detachContainer(this.st, c, opts);
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
    const b = this.st.records.find((r) => r.Name === "bridge");
    return b ? this.st.gatewayOf(b) : "";
  }

  // ---- the networks API (resources.ts, connect.ts) ----

  view(r: NetworkRecord, withContainers = true): NetworkView {
    return networkView(this.st, r, withContainers);
  }

  list(filters: Map<string, string[]>): NetworkView[] {
    return listNetworks(this.st, filters);
  }

  inspect(ref: string): NetworkView {
    return networkView(this.st, this.st.find(ref));
  }

  create(body: { [field: string]: unknown }, version = "1.45"): Promise<{ Id: string; Warning: string }> {
    return createNetwork(this.st, body, version);
  }

  remove(ref: string): Promise<void> {
    return removeNetwork(this.st, ref);
  }

  prune(filters: Map<string, string[]>): Promise<{ NetworksDeleted: string[] }> {
    return pruneNetworks(this.st, filters);
  }

  connect(ref: string, body: { [field: string]: unknown }): Promise<void> {
    return connectContainer(this.st, ref, body);
  }

  disconnect(ref: string, body: { [field: string]: unknown }): Promise<void> {
    return disconnectContainer(this.st, ref, body);
  }

  /** For tests and `info`: the addresses each network has handed out. */
  ipamState(): Record<string, string[]> {
    return this.st.ipamState();
  }
}
