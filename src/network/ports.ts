// Published ports: the daemon's hold on the host ports a container asks for
// (container/ports.ts says which). The daemon keeps a bound socket per published host port (as docker-proxy would), so a
// port in use is an error at start and nobody takes the port while the container runs;
// the traffic itself goes to the container through DNAT before reaching that socket.
import { createServer, type Server } from "node:net";
import { createSocket, type Socket } from "node:dgram";
import { bindingFamilies, type Binding } from "../container/ports.ts";
import { conflict } from "../errors.ts";
import { proxyTcp, proxyUdp } from "./proxy.ts";

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
