// The userland proxy of published ports on IPv6 host addresses (docker-proxy's job):
// `[::1]:8080` cannot be DNAT'd to a bridge (the kernel drops ::1 leaving loopback, and
// IPv6 has no route_localnet), so the daemon accepts there and relays each connection
// or datagram to the container, over IPv6 when the container has an address there.
import { createConnection, createServer, type Server, type Socket as TcpSocket } from "node:net";
import { createSocket, type Socket } from "node:dgram";

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface Listening {
  port: number;
  close(): void;
}

/** Listens on host:port (0: a free port) and pipes every connection to the target. */
export function proxyTcp(host: string, port: number, target: () => ProxyTarget): Promise<Listening> {
  const conns = new Set<TcpSocket>();
  const srv: Server = createServer({ pauseOnConnect: true }, (client) => {
    const t = target();
    const upstream = createConnection({ host: t.host, port: t.port });
    conns.add(client);
    conns.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      conns.delete(client);
      conns.delete(upstream);
    };
    upstream.once("connect", () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    client.on("error", drop);
    upstream.on("error", drop);
    client.on("close", drop);
    upstream.on("close", drop);
  });
  return new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen({ host, port, exclusive: true, ipv6Only: host.includes(":") }, () => {
      srv.off("error", reject);
      const a = srv.address();
      resolve({
        port: typeof a === "object" && a ? a.port : port,
        close: () => {
          srv.close();
          for (const c of conns) c.destroy();
        },
      });
    });
  });
}

/** Binds host:port and relays datagrams: one upstream socket per client, replies sent back. */
export function proxyUdp(host: string, port: number, target: () => ProxyTarget): Promise<Listening> {
  const v6 = host.includes(":");
  const front: Socket = createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: v6 });
  const clients = new Map<string, { sock: Socket; timer: ReturnType<typeof setTimeout> }>();
  const IDLE_MS = 90_000;
  front.on("message", (msg, rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`;
    let c = clients.get(key);
    const t = target();
    if (!c) {
      const sock = createSocket(t.host.includes(":") ? "udp6" : "udp4");
      sock.on("message", (reply) => front.send(reply, rinfo.port, rinfo.address));
      sock.on("error", () => {});
      c = { sock, timer: setTimeout(() => {}, 0) };
      clients.set(key, c);
    }
    clearTimeout(c.timer);
    const entry = c;
    c.timer = setTimeout(() => {
      entry.sock.close();
      clients.delete(key);
    }, IDLE_MS);
    c.sock.send(msg, t.port, t.host);
  });
  front.on("error", () => {});
  return new Promise((resolve, reject) => {
    front.once("error", reject);
    front.bind({ address: host, port, exclusive: true }, () => {
      front.off("error", reject);
      resolve({
        port: front.address().port,
        close: () => {
          for (const c of clients.values()) {
            clearTimeout(c.timer);
            c.sock.close();
          }
          clients.clear();
          front.close();
        },
      });
    });
  });
}
