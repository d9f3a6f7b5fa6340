// A container's published ports: the bindings its config asks for, and the shapes
// inspect (NetworkSettings.Ports) and the list (Ports) show of them. Pure data, so the
// container's shapes need not import the network driver that holds the host ports.
import type { ContainerConfig, HostConfig, PortMap } from "../api/types/index.ts";

/** A list entry's port (the summary's Ports). */
export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface Binding {
  proto: string;
  port: number;
  hostIp: string;
  /** 0: pick a free port. */
  hostPort: number;
}

/** `80/tcp` → [80, "tcp"] */
export function splitPort(key: string): [number, string] {
  const [p, proto = "tcp"] = key.split("/");
  return [Number(p), proto.toLowerCase()];
}

/** PortBindings, plus every exposed port when PublishAllPorts, expanded to one binding each. */
export function wantedBindings(config: ContainerConfig, hc: HostConfig): Binding[] {
  const out: Binding[] = [];
  const pb: Record<string, { HostIp?: string; HostPort?: string }[] | null> = hc.PortBindings ?? {};
  for (const [key, list] of Object.entries(pb)) {
    const [port, proto] = splitPort(key);
    for (const b of list?.length ? list : [{}]) {
      out.push({ proto, port, hostIp: b.HostIp || "", hostPort: Number(b.HostPort || 0) });
    }
  }
  if (hc.PublishAllPorts) {
    for (const key of Object.keys(config.ExposedPorts ?? {})) {
      if (key in pb) continue;
      const [port, proto] = splitPort(key);
      out.push({ proto, port, hostIp: "", hostPort: 0 });
    }
  }
  return out.filter((b) => b.proto === "tcp" || b.proto === "udp");
}

/** Which families a binding listens on: "" is both (dockerd's 0.0.0.0 and [::]), an address its own. */
export function bindingFamilies(hostIp: string): { v4?: string; v6?: string } {
  if (!hostIp) return { v4: "0.0.0.0", v6: "::" };
  return hostIp.includes(":") ? { v6: hostIp.replace(/^\[|\]$/g, "") } : { v4: hostIp };
}

/** NetworkSettings.Ports: exposed ports null, published ones once per address family. */
export function portsMap(config: ContainerConfig, bound: Binding[] | undefined): PortMap {
  const out: PortMap = {};
  for (const p of Object.keys(config.ExposedPorts ?? {})) out[p] = null;
  for (const b of bound ?? []) {
    const key = `${b.port}/${b.proto}`;
    const list = (out[key] ??= []);
    const fam = bindingFamilies(b.hostIp);
    for (const ip of [fam.v4, fam.v6]) if (ip) list.push({ HostIp: ip, HostPort: String(b.hostPort) });
  }
  return out;
}

/** The list view's Ports. */
export function portsList(config: ContainerConfig, bound: Binding[] | undefined): PortSummary[] {
  const out: PortSummary[] = [];
  const published = new Set<string>();
  for (const b of bound ?? []) {
    published.add(`${b.port}/${b.proto}`);
    const fam = bindingFamilies(b.hostIp);
    const ips = [fam.v4, fam.v6].filter((x): x is string => !!x);
    for (const IP of ips) out.push({ IP, PrivatePort: b.port, PublicPort: b.hostPort, Type: b.proto });
  }
  for (const key of Object.keys(config.ExposedPorts ?? {})) {
    if (published.has(key)) continue;
    const [port, proto] = splitPort(key);
    out.push({ PrivatePort: port, Type: proto });
  }
  return out;
}
