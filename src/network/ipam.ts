// Address pools: one per network, handing out addresses round-robin after the last one
// given (as libnetwork does) so a released address is not reused at once.
import { conflict, invalidParameter } from "../errors.ts";
import { contains, formatIp, mask, overlaps, parseCidr, parseIp, type Cidr } from "./addr.ts";

export class Pool {
  private readonly used = new Set<number>();
  private last: number;
  readonly subnet: Cidr;
  readonly range: Cidr;
  readonly gateway: number;

  constructor(subnet: string, gateway?: string, ipRange?: string) {
    this.subnet = parseCidr(subnet);
    if (this.subnet.bits > 30) throw invalidParameter(`invalid subnet ${subnet}: too small`);
    this.range = ipRange ? parseCidr(ipRange) : this.subnet;
    if (!contains(this.subnet, this.range.base)) throw invalidParameter(`invalid ip-range ${ipRange}: not in subnet ${subnet}`);
    this.gateway = gateway ? parseIp(gateway) : this.subnet.base + 1;
    if (!contains(this.subnet, this.gateway)) throw invalidParameter(`invalid gateway ${gateway}: not in subnet ${subnet}`);
    this.last = this.range.base;
  }

  private broadcast(c: Cidr): number {
    return (c.base | (~mask(c.bits) >>> 0)) >>> 0;
  }

  /** A specific address (`--ip`) or the next free one. */
  allocate(want?: string): string {
    if (want) {
      const ip = parseIp(want);
      if (!contains(this.subnet, ip)) throw invalidParameter(`no configured subnet or ip-range contain the IP address ${want}`);
      if (this.used.has(ip) || ip === this.gateway) throw conflict(`Address already in use`);
      this.used.add(ip);
      return want;
    }
    const first = this.range.base + 1;
    const end = Math.min(this.broadcast(this.range), this.broadcast(this.subnet) - 1);
    const size = end - first + 1;
    for (let i = 0; i < size; i++) {
      const ip = first + ((this.last - first + 1 + i + size) % size);
      if (ip === this.gateway || this.used.has(ip)) continue;
      this.used.add(ip);
      this.last = ip;
      return formatIp(ip);
    }
    throw conflict(`no available IPv4 addresses on this network's address pools`);
  }

  contains(ip: string): boolean {
    try {
      return contains(this.subnet, parseIp(ip));
    } catch {
      return false;
    }
  }

  /** Marks an address in use again (containers found running at daemon start). */
  claim(ip: string): void {
    this.used.add(parseIp(ip));
  }

  release(ip: string): void {
    this.used.delete(parseIp(ip));
  }

  inUse(): string[] {
    return [...this.used].sort((a, b) => a - b).map(formatIp);
  }
}

/** Candidate subnets for new networks, as Docker's default address pools. */
export function* candidateSubnets(): Generator<string> {
  for (let b = 17; b <= 31; b++) yield `172.${b}.0.0/16`;
  for (let c = 0; c < 256; c += 16) yield `192.168.${c}.0/20`;
}

/** Every /size subnet of each pool's base, in order (daemon.json default-address-pools). */
export function* poolSubnets(pools: { base: string; size: number }[]): Generator<string> {
  for (const p of pools) {
    const b = parseCidr(p.base);
    const step = 2 ** (32 - p.size);
    for (let n = b.base; n < b.base + 2 ** (32 - b.bits); n += step) yield `${formatIp(n)}/${p.size}`;
  }
}

/** The first candidate not overlapping anything in `taken` (host routes, other networks). */
export function pickSubnet(taken: string[], candidates: Iterable<string> = candidateSubnets()): string {
  const t = taken.map(parseCidr);
  for (const cand of candidates) {
    const c = parseCidr(cand);
    if (!t.some((x) => overlaps(x, c))) return cand;
  }
  throw invalidParameter("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
}
