// Published ports: which host ports a container asks for, and the daemon's hold on them.
// The daemon keeps a bound socket per published host port (as docker-proxy would), so a
// port in use is an error at start and nobody takes the port while the container runs;
// the traffic itself goes to the container through DNAT before reaching that socket.
import { createServer, type Server } from "node:net";
import { createSocket, type Socket } from "node:dgram";
import type { ContainerConfig, HostConfig, PortMap } from "../api/types/index.ts";
import { conflict } from "../errors.ts";
import { proxyTcp, proxyUdp } from "./proxy.ts";

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

export interface Reservation {
  binding: Binding & { hostPort: number };
  close(): void;
}

function listenTcp(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen({ host, port, exclusive: true }, () => {
      s.off("error", reject);
      resolve(s);
    });
  });
}

function bindUdp(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind({ address: host, port, exclusive: true }, () => {
      s.off("error", reject);
      resolve(s);
    });
  });
}

/** Where a published port's traffic goes: the container's addresses on the network the port is published on. */
export interface PortTarget {
  ip: string;
  ip6?: string;
}

/** Which families a binding listens on: "" is both (dockerd's 0.0.0.0 and [::]), an address its own. */
export function bindingFamilies(hostIp: string): { v4?: string; v6?: string } {
  if (!hostIp) return { v4: "0.0.0.0", v6: "::" };
  return hostIp.includes(":") ? { v6: hostIp.replace(/^\[|\]$/g, "") } : { v4: hostIp };
}

function bindError(endpoint: string, host: string, port: number, err: unknown): Error {
  const code = (err as { code?: string }).code;
  const why = code === "EADDRINUSE" ? "port is already allocated" : code === "EADDRNOTAVAIL" ? "cannot assign requested address" : String((err as Error).message);
  const shown = host.includes(":") ? `[${host}]` : host;
  return conflict(`driver failed programming external connectivity on endpoint ${endpoint}: Bind for ${shown}:${port} failed: ${why}`);
}

/**
 * Binds every host port; on the first failure releases what it took and throws Docker's
 * message. IPv4 traffic reaches the container through DNAT (the socket only holds the
 * port); IPv6 goes through a proxy to `target`.
 */
export async function reservePorts(bindings: Binding[], endpoint: string, target?: PortTarget): Promise<Reservation[]> {
  const got: Reservation[] = [];
  try {
    for (const b of bindings) {
      const fam = bindingFamilies(b.hostIp);
      const closers: (() => void)[] = [];
      let port = b.hostPort;
      try {
        if (fam.v4) {
          try {
            if (b.proto === "udp") {
              const s = await bindUdp(fam.v4, b.hostPort);
              port = s.address().port;
              closers.push(() => s.close());
            } else {
              const s = await listenTcp(fam.v4, b.hostPort);
              const addr = s.address();
              port = typeof addr === "object" && addr ? addr.port : b.hostPort;
              closers.push(() => s.close());
            }
          } catch (err) {
            throw bindError(endpoint, fam.v4, b.hostPort, err);
          }
        }
        if (fam.v6 && target) {
          const to = () => ({ host: target.ip6 ?? target.ip, port: b.port });
          try {
            const l = b.proto === "udp" ? await proxyUdp(fam.v6, port, to) : await proxyTcp(fam.v6, port, to);
            port = l.port;
            closers.push(() => l.close());
          } catch (err) {
            const code = (err as { code?: string }).code;
            // A host without IPv6 still publishes on IPv4 when no address was asked for.
            if (!(fam.v4 && (code === "EAFNOSUPPORT" || code === "EADDRNOTAVAIL"))) throw bindError(endpoint, fam.v6, port, err);
          }
        }
      } catch (err) {
        for (const c of closers) c();
        throw err;
      }
      got.push({ binding: { ...b, hostPort: port }, close: () => closers.forEach((c) => c()) });
    }
    return got;
  } catch (err) {
    for (const r of got) r.close();
    throw err;
  }
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
