// wharf's iptables rules live in chains of its own, one set per daemon (suffixed with the
// default bridge's name) so concurrent daemons never touch each other's rules. The
// chains are removed and re-created at every daemon start. The same chains exist in
// ip6tables for the IPv6 subnets of EnableIPv6 networks (`v6`).
import { iptablesRestore, runCmd } from "./cmd.ts";
import { isFdShortage } from "../sys/fds.ts";

export interface Chains {
  /** nat: DNAT for published ports (from PREROUTING and OUTPUT, local destinations). */
  nat: string;
  /** nat: MASQUERADE out of the bridges, and for hairpin/loopback traffic to published ports. */
  post: string;
  /** filter: what FORWARD lets through to and from the bridges. */
  fwd: string;
  /** filter: drops traffic between different bridges of this daemon. */
  iso: string;
}

export function chainsFor(suffix: string): Chains {
  return { nat: `WHARF-${suffix}`, post: `WHARF-POST-${suffix}`, fwd: `WHARF-FWD-${suffix}`, iso: `WHARF-ISO-${suffix}` };
}

function jumps(c: Chains): [table: string, chain: string, spec: string][] {
  return [
    ["nat", "PREROUTING", `-m addrtype --dst-type LOCAL -j ${c.nat}`],
    ["nat", "OUTPUT", `-m addrtype --dst-type LOCAL -j ${c.nat}`],
    ["nat", "POSTROUTING", `-j ${c.post}`],
    ["filter", "FORWARD", `-j ${c.fwd}`],
  ];
}

const ipt = (table: string, args: string, v6: boolean) => runCmd([v6 ? "ip6tables" : "iptables", "-w", "-t", table, ...args.split(" ")]);

/** Removes the daemon's jumps and chains; silent about what is already gone. */
export async function removeChains(suffix: string, v6 = false): Promise<void> {
  const c = chainsFor(suffix);
  for (const [table, chain, spec] of jumps(c)) {
    for (let i = 0; i < 8; i++) if ((await ipt(table, `-D ${chain} ${spec}`, v6)).code !== 0) break;
  }
  for (const [table, chain] of [["nat", c.nat], ["nat", c.post], ["filter", c.fwd], ["filter", c.iso]] as const) {
    await ipt(table, `-F ${chain}`, v6);
    await ipt(table, `-X ${chain}`, v6);
  }
}

/** Fresh, empty chains hooked into the built-in ones. */
export async function createChains(suffix: string, v6 = false): Promise<void> {
  await removeChains(suffix, v6);
  const c = chainsFor(suffix);
  await iptablesRestore({
    nat: [`:${c.nat} - [0:0]`, `:${c.post} - [0:0]`, ...jumps(c).filter((j) => j[0] === "nat").map(([, chain, spec]) => `-I ${chain} ${spec}`)],
    // Replies of allowed connections pass before any isolation rule looks at them.
    filter: [`:${c.fwd} - [0:0]`, `:${c.iso} - [0:0]`, `-I FORWARD -j ${c.fwd}`, `-A ${c.fwd} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`],
  }, v6);
}

export interface RuleSet {
  nat: string[];
  filter: string[];
}

/** The rules of one bridge network: NAT out, forwarding, and isolation from the daemon's other bridges. */
export function networkRules(c: Chains, br: string, subnet: string, internal: boolean): RuleSet {
  const filter = [
    `-A ${c.fwd} -i ${br} -o ${br} -j ACCEPT`,
    `-A ${c.fwd} -i ${br} ! -o ${br} -j ${c.iso}`,
    `-A ${c.iso} -o ${br} -j DROP`,
  ];
  if (internal) {
    filter.push(`-A ${c.fwd} -i ${br} ! -o ${br} -j DROP`, `-A ${c.fwd} -o ${br} ! -i ${br} -j DROP`);
    return { nat: [], filter };
  }
  filter.push(
    `-A ${c.fwd} -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A ${c.fwd} -i ${br} ! -o ${br} -j ACCEPT`,
  );
  return {
    nat: [
      `-A ${c.post} -s ${subnet} ! -o ${br} -j MASQUERADE`,
      // Published ports reached on 127.0.0.1 (route_localnet on the bridge) or the host's
      // own addresses: the container must answer through the host.
      `-A ${c.post} -o ${br} -m addrtype --src-type LOCAL -j MASQUERADE`,
      // ...and from a container of the same bridge through a host address (hairpin).
      `-A ${c.post} -s ${subnet} -o ${br} -m conntrack --ctstate DNAT -j MASQUERADE`,
    ],
    filter,
  };
}

export interface PortRule {
  proto: string;
  hostIp: string;
  hostPort: number;
  ip: string;
  port: number;
  bridge: string;
}

export function portRules(c: Chains, p: PortRule): RuleSet {
  const dst = p.hostIp && p.hostIp !== "0.0.0.0" ? `-d ${p.hostIp}/32 ` : "";
  return {
    nat: [
      `-A ${c.nat} ${dst}-p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination ${p.ip}:${p.port}`,
      `-A ${c.post} -s ${p.ip}/32 -d ${p.ip}/32 -p ${p.proto} -m ${p.proto} --dport ${p.port} -j MASQUERADE`,
    ],
    // Published means reachable through the host, from other networks too; direct
    // traffic between networks stays isolated (only DNAT'd connections match).
    filter: [`-I ${c.fwd} -d ${p.ip}/32 ! -i ${p.bridge} -o ${p.bridge} -p ${p.proto} -m ${p.proto} --dport ${p.port} -m conntrack --ctstate DNAT -j ACCEPT`],
  };
}

export async function addRules(r: RuleSet, v6 = false): Promise<void> {
  await iptablesRestore({ nat: r.nat, filter: r.filter }, v6);
}

/** Deletes rules; one batch, and rule by rule when some are already gone. */
export async function deleteRules(r: RuleSet, v6 = false): Promise<void> {
  const del = (l: string) => l.replace(/^-[AI] /, "-D ");
  try {
    await iptablesRestore({ nat: r.nat.map(del), filter: r.filter.map(del) }, v6);
  } catch (err) {
    // A rule already gone fails the batch, so one by one; no descriptors fails them all, and says so.
    if (isFdShortage(err)) throw err;
    for (const [table, lines] of [["nat", r.nat], ["filter", r.filter]] as const) {
      for (const l of lines) {
        await iptablesRestore({ [table]: [del(l)] }, v6).catch((e) => {
          if (isFdShortage(e)) throw e;
        });
      }
    }
  }
}
