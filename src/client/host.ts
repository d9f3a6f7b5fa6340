// DOCKER_HOST / -H as the client reads it: unix://PATH, a bare absolute path, or tcp://HOST:PORT.
export interface Endpoint {
  proto: "unix" | "tcp";
  addr: string;
}

export function parseClientHost(host: string): Endpoint {
  if (host.startsWith("unix://")) {
    const addr = host.slice("unix://".length);
    if (!addr.startsWith("/")) throw new Error(`invalid unix socket path in ${host}: must be absolute`);
    return { proto: "unix", addr };
  }
  if (host.startsWith("tcp://") || host.startsWith("http://")) {
    const rest = host.replace(/^\w+:\/\//, "").replace(/\/$/, "");
    const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(rest);
    if (!m || Number(m[2]) > 65535) throw new Error(`invalid tcp address ${host}: want tcp://HOST:PORT`);
    return { proto: "tcp", addr: `${m[1] || "127.0.0.1"}:${m[2]}` };
  }
  if (host.startsWith("/")) return { proto: "unix", addr: host };
  throw new Error(`unable to parse docker host \`${host}\``);
}

