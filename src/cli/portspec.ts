// `-p` specs as the docker CLI parses them (go-connections' nat.ParsePortSpecs):
// [ip:][hostPort[-end]:]containerPort[-end][/proto], ranges mapped one to one.
import { FlagError } from "./flags.ts";

export interface PortSpecs {
  ExposedPorts: Record<string, Record<string, never>>;
  PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
}

function range(s: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new FlagError(`invalid ${what}: ${s}`);
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (a > 65535 || b > 65535 || b < a) throw new FlagError(`invalid ${what}: ${s}`);
  return [a, b];
}

export function parsePortSpecs(specs: string[]): PortSpecs {
  const out: PortSpecs = { ExposedPorts: {}, PortBindings: {} };
  for (const spec of specs) {
    let rest = spec;
    let proto = "tcp";
    const slash = rest.lastIndexOf("/");
    if (slash >= 0) {
      proto = rest.slice(slash + 1).toLowerCase();
      rest = rest.slice(0, slash);
      if (!["tcp", "udp", "sctp"].includes(proto)) throw new FlagError(`invalid proto: ${proto}`);
    }
    // An IPv6 host address comes in brackets: [::1]:80:80
    let ip = "";
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
    if (v6) {
      ip = v6[1]!;
      rest = v6[2]!;
    }
    const parts = rest.split(":");
    let hostPart = "";
    let containerPart: string;
    if (v6) [hostPart, containerPart] = parts.length === 2 ? [parts[0]!, parts[1]!] : ["", parts[0]!];
    else if (parts.length === 1) containerPart = parts[0]!;
    else if (parts.length === 2) [hostPart, containerPart] = [parts[0]!, parts[1]!];
    else if (parts.length === 3) [ip, hostPart, containerPart] = [parts[0]!, parts[1]!, parts[2]!];
    else throw new FlagError(`invalid port format for --publish: ${spec}`);
    if (!containerPart) throw new FlagError(`no port specified: ${spec}<empty>`);
    const [cs, ce] = range(containerPart, "containerPort");
    const [hs, he] = hostPart ? range(hostPart, "hostPort") : [0, 0];
    if (hostPart && he - hs !== ce - cs && he !== hs) throw new FlagError(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
    for (let i = 0; i <= ce - cs; i++) {
      const key = `${cs + i}/${proto}`;
      out.ExposedPorts[key] = {};
      const hostPort = !hostPart ? "" : he === hs && ce !== cs ? `${hs}-${he}` : String(hs + i);
      (out.PortBindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
    }
  }
  return out;
}
