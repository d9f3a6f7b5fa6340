// Published ports: which host ports a container asks for, and the daemon's hold on them.
// The daemon keeps a bound socket per published host port (as docker-proxy would), so a
// port in use is an error at start and nobody takes the port while the container runs;
// the traffic itself goes to the container through DNAT before reaching that socket.
import { createServer, type Server } from "node:net";
import { createSocket, type Socket } from "node:dgram";
import type { Json } from "../container/config.ts";
import { conflict } from "../errors.ts";

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
export function wantedBindings(config: Json, hc: Json): Binding[] {
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

/** Binds every host port; on the first failure releases what it took and throws Docker's message. */
export async function reservePorts(bindings: Binding[], endpoint: string): Promise<Reservation[]> {
  const got: Reservation[] = [];
  try {
    for (const b of bindings) {
      const host = b.hostIp || "0.0.0.0";
      try {
        if (b.proto === "udp") {
          const s = await bindUdp(host, b.hostPort);
          got.push({ binding: { ...b, hostPort: s.address().port }, close: () => s.close() });
        } else {
          const s = await listenTcp(host, b.hostPort);
          const addr = s.address();
          got.push({ binding: { ...b, hostPort: typeof addr === "object" && addr ? addr.port : b.hostPort }, close: () => s.close() });
        }
      } catch (err) {
        const code = (err as { code?: string }).code;
        const why = code === "EADDRINUSE" ? "port is already allocated" : code === "EADDRNOTAVAIL" ? "cannot assign requested address" : String((err as Error).message);
        throw conflict(`driver failed programming external connectivity on endpoint ${endpoint}: Bind for ${host}:${b.hostPort} failed: ${why}`);
      }
    }
    return got;
  } catch (err) {
    for (const r of got) r.close();
    throw err;
  }
}

/** NetworkSettings.Ports: exposed ports null, published ones once per address family. */
export function portsMap(config: Json, bound: Binding[] | undefined): Json {
  const out: Json = {};
  for (const p of Object.keys(config.ExposedPorts ?? {})) out[p] = null;
  for (const b of bound ?? []) {
    const key = `${b.port}/${b.proto}`;
    const list = (out[key] ??= []) as Json[];
    if (b.hostIp && b.hostIp !== "0.0.0.0") list.push({ HostIp: b.hostIp, HostPort: String(b.hostPort) });
    else list.push({ HostIp: "0.0.0.0", HostPort: String(b.hostPort) }, { HostIp: "::", HostPort: String(b.hostPort) });
  }
  return out;
}

/** The list view's Ports. */
export function portsList(config: Json, bound: Binding[] | undefined): Json[] {
  const out: Json[] = [];
  const published = new Set<string>();
  for (const b of bound ?? []) {
    published.add(`${b.port}/${b.proto}`);
    const ips = b.hostIp && b.hostIp !== "0.0.0.0" ? [b.hostIp] : ["0.0.0.0", "::"];
    for (const IP of ips) out.push({ IP, PrivatePort: b.port, PublicPort: b.hostPort, Type: b.proto });
  }
  for (const key of Object.keys(config.ExposedPorts ?? {})) {
    if (published.has(key)) continue;
    const [port, proto] = splitPort(key);
    out.push({ PrivatePort: port, Type: proto });
  }
  return out;
}
