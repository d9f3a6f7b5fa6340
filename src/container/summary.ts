// A container as `GET /containers/json` shows it (moby's container.Summary), and the
// record fields list filters read: ports, mounts, networks, health. Networking and
// volumes fill the record as Docker does (NetworkSettings, MountPoints/Mounts,
// HostConfig.Binds/Mounts); each is read in exactly one function here.
import { portsList } from "./ports.ts";
import type { ContainerSummary, EndpointSettings, HostConfig, NetworkSettings } from "../api/types/index.ts";
import type { Container } from "./container.ts";
import { pathAndArgs } from "./config.ts";
import { commandText, emptyEndpoint } from "./container.ts";

export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}


function recordNetworkSettings(c: Container): NetworkSettings | undefined {
  return c.rec.NetworkSettings;
}

/** `NetworkSettings.Networks`: the record's when networking stored one, else the mode's placeholder. */
export function containerNetworks(c: Container): Record<string, EndpointSettings> {
  const nets = recordNetworkSettings(c)?.Networks;
  if (nets && Object.keys(nets).length) return nets;
  const mode = c.networkMode();
  if (mode.startsWith("container:")) return {};
  return { [mode]: emptyEndpoint() };
}

/**
 * The list's Ports: each binding of `NetworkSettings.Ports` (one entry per address),
 * an exposed unpublished port without IP and PublicPort. Only a running container has
 * ports; without networking's record the exposed ports stand alone.
 */
export function containerPorts(c: Container): PortSummary[] {
  // Published ports exist only while the container runs; the network keeps them in NetRuntime.
  return c.state.s.Running ? (portsList(c.rec.Config, c.rec.NetRuntime?.bindings) as PortSummary[]) : [];
}

export interface MountSummary {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/**
 * The container's mounts in inspect's `Mounts` shape: the record's own list when
 * volumes stored one (`Mounts`), else derived from HostConfig.Binds and HostConfig.Mounts.
 */
export function containerMounts(c: Container): MountSummary[] {
  const stored = (c.rec as { Mounts?: MountSummary[] }).Mounts;
  if (Array.isArray(stored)) return stored;
  const out: MountSummary[] = [];
  for (const b of (c.rec.HostConfig.Binds ?? []) as string[]) {
    const [src = "", dst = "", mode = ""] = b.split(":");
    const rw = !mode.split(",").includes("ro");
    if (src.startsWith("/")) out.push({ Type: "bind", Source: src, Destination: dst, Mode: mode, RW: rw, Propagation: "rprivate" });
    else out.push({ Type: "volume", Name: src, Source: "", Destination: dst, Driver: "local", Mode: mode || "z", RW: rw, Propagation: "" });
  }
  for (const m of (c.rec.HostConfig.Mounts ?? []) as NonNullable<HostConfig["Mounts"]>) {
    const rw = !m.ReadOnly;
    if (m.Type === "volume") out.push({ Type: "volume", Name: m.Source ?? "", Source: "", Destination: m.Target as string, Driver: "local", Mode: "z", RW: rw, Propagation: "" });
    else out.push({ Type: m.Type as string, Source: m.Source ?? "", Destination: m.Target as string, Mode: "", RW: rw, Propagation: m.Type === "bind" ? "rprivate" : "" });
  }
  return out;
}

/**
 * The health filter's value: the health status once a healthcheck has been monitored,
 * else `none` (also for a created container whose healthcheck never ran, as Docker).
 */
export function containerHealth(c: Container): string {
  return c.state.s.Health?.Status ?? "none";
}

export function containerSummary(c: Container, names: string[], image: string, sizes?: { SizeRw: number; SizeRootFs: number }): ContainerSummary {
  const r = c.rec;
  const { Path, Args } = pathAndArgs(r.Config);
  return {
    Id: r.ID,
    Names: names.length ? names : [`/${r.Name}`],
    Image: image,
    ImageID: r.Image,
    Command: commandText(Path, Args),
    Created: Math.floor(Date.parse(r.Created) / 1000),
    Ports: containerPorts(c),
    ...(sizes ?? {}),
    Labels: r.Config.Labels ?? {},
    State: c.state.s.Status,
    Status: c.state.statusText(),
    HostConfig: { NetworkMode: r.HostConfig.NetworkMode || "default" },
    NetworkSettings: { Networks: containerNetworks(c) },
    Mounts: containerMounts(c).map((m) => ({ ...m })),
  };
}

/**
 * The list entry as JSON, from pieces cached per container: everything but `Status`
 * (a text that ages) is encoded once per `key`, which the caller derives from what the
 * entry shows (record version, state, names, image, sizes).
 */
export function encodedSummary(
  c: Container,
  key: string,
  build: () => ContainerSummary,
): string {
  let hit = encoded.get(c);
  if (!hit || hit.key !== key) {
    const { HostConfig, NetworkSettings, Mounts, Status: _status, ...head } = build();
    const h = JSON.stringify(head);
    const t = JSON.stringify({ HostConfig, NetworkSettings, Mounts });
    hit = { key, head: h.slice(0, -1), tail: t.slice(1) };
    encoded.set(c, hit);
  }
  return `${hit.head},"Status":${JSON.stringify(c.state.statusText())},${hit.tail}`;
}

const encoded = new WeakMap<Container, { key: string; head: string; tail: string }>();
