// Legacy container links (`--link NAME[:ALIAS]`): parsing as dockerd's opts.ParseLink,
// the environment a parent gets (moby daemon/links/links.go ToEnv) and the /etc/hosts
// line for each child (moby addLegacyLinks).
import { invalidParameter } from "../errors.ts";
import type { Container } from "./container.ts";

/** `db`, `db:database`, or the stored form `/db:/web/database` → [name, alias]. */
export function parseLink(val: string): [string, string] {
  if (val === "") throw invalidParameter("empty string specified for links");
  const arr = val.split(":");
  if (arr.length > 2) throw invalidParameter(`bad format for links: ${val}`);
  if (arr.length === 1) return [val.replace(/^\//, ""), val.replace(/^\//, "")];
  if (arr[0]!.startsWith("/")) return [arr[0]!.slice(1), arr[1]!.slice(arr[1]!.lastIndexOf("/") + 1)];
  return [arr[0]!, arr[1]!];
}

/**
 * The child's address on the default bridge. Networking stores it where Docker does
 * (`NetworkSettings.Networks.bridge.IPAddress`, mirrored in `NetworkSettings.IPAddress`);
 * this is the one place links read it.
 */
export function containerIPv4(c: Container): string {
  const ns = (c.rec as { NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> } })
    .NetworkSettings;
  return ns?.Networks?.bridge?.IPAddress || ns?.IPAddress || "";
}

type Port = { num: number; proto: string };

function parsePort(p: string): Port {
  const [n, proto = "tcp"] = p.split("/");
  return { num: Number(n), proto: proto.toLowerCase() };
}

/** TCP first, then by number; other protocols by name (moby withTCPPriority). */
function byTcpPriority(a: Port, b: Port): number {
  if (a.proto === b.proto) return a.num - b.num;
  if (a.proto === "tcp") return -1;
  if (b.proto === "tcp") return 1;
  return a.proto < b.proto ? -1 : 1;
}

/**
 * The variables a parent sees for one link. `name` is the link's full name
 * (`/web/database`); the alias is its last element, upper-cased, `-` → `_`.
 */
export function linkEnv(name: string, childIP: string, childEnv: string[], exposedPorts: Record<string, unknown> | null | undefined): string[] {
  const alias = name.slice(name.lastIndexOf("/") + 1).toUpperCase().replaceAll("-", "_");
  const ports = Object.keys(exposedPorts ?? {}).map(parsePort).sort(byTcpPriority);
  const env: string[] = [];
  let start: Port | undefined;
  let end: Port | undefined;
  ports.forEach((p, i) => {
    if (i === 0) {
      start = end = p;
      env.push(`${alias}_PORT=${p.proto}://${childIP}:${p.num}`);
    }
    const prefix = `${alias}_PORT_${p.num}_${p.proto.toUpperCase()}`;
    env.push(`${prefix}=${p.proto}://${childIP}:${p.num}`, `${prefix}_ADDR=${childIP}`, `${prefix}_PORT=${p.num}`, `${prefix}_PROTO=${p.proto}`);
    // A run of consecutive ports of one protocol also gets _START/_END variables.
    if (p.num === end!.num + 1 && p.proto === end!.proto) {
      end = p;
      if (i < ports.length - 1) return;
    }
    if (end !== start) {
      const rp = `${alias}_PORT_${start!.num}_${start!.proto.toUpperCase()}`;
      env.push(
        `${rp}_START=${start!.proto}://${childIP}:${start!.num}`,
        `${rp}_PORT_START=${start!.num}`,
        `${rp}_END=${end!.proto}://${childIP}:${end!.num}`,
        `${rp}_PORT_END=${end!.num}`,
      );
    }
    start = end = p;
  });
  env.push(`${alias}_NAME=${name}`);
  for (const v of childEnv) {
    const i = v.indexOf("=");
    if (i < 0) continue;
    const k = v.slice(0, i);
    // Variables set during a build are no business of the parent.
    if (k === "HOME" || k === "PATH") continue;
    env.push(`${alias}_ENV_${k}=${v.slice(i + 1)}`);
  }
  return env;
}

/** The hosts line for a link: the alias, the child's hostname, and its name when it differs. */
export function linkHostsLine(alias: string, child: Container, ip: string): string | undefined {
  if (!ip) return undefined;
  let names = `${alias} ${child.rec.Config.Hostname}`;
  if (alias !== child.name) names += ` ${child.name}`;
  return `${ip}\t${names}`;
}

/** Docker's ReplaceOrAppendEnvValues: the container's own variables win over link ones. */
export function mergeEnv(base: string[], own: string[]): string[] {
  const key = (v: string) => (v.includes("=") ? v.slice(0, v.indexOf("=")) : v);
  const out = [...base];
  const index = new Map(out.map((v, i) => [key(v), i]));
  for (const v of own) {
    const i = index.get(key(v));
    if (i !== undefined) out[i] = v;
    else {
      index.set(key(v), out.length);
      out.push(v);
    }
  }
  return out;
}
