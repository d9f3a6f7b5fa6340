// The IPv6 address pool of an EnableIPv6 network: addresses handed out in order after
// the last one given (as the IPv4 pool does), the gateway and the subnet-router anycast
// address (the subnet's own) never.
import { conflict, invalidParameter } from "../errors.ts";
import { contains6, formatIp6, mask6, parseCidr6, parseIp6, type Cidr6 } from "./addr6.ts";

export class Pool6 {
  private readonly used = new Set<bigint>();
  private last: bigint;
  readonly subnet: Cidr6;
  readonly range: Cidr6;
  readonly gateway: bigint;

  constructor(subnet: string, gateway?: string, ipRange?: string) {
    this.subnet = parseCidr6(subnet);
    if (this.subnet.addr !== this.subnet.base) throw invalidParameter(`invalid network config:\ninvalid subnet ${subnet}: it should be ${formatIp6(this.subnet.base)}/${this.subnet.bits}`);
    if (this.subnet.bits > 126) throw invalidParameter(`invalid subnet ${subnet}: too small`);
    this.range = ipRange ? parseCidr6(ipRange) : this.subnet;
    if (!contains6(this.subnet, this.range.base)) throw invalidParameter(`invalid network config:\ninvalid ip-range ${ipRange}: it must be a subnet of ${subnet}`);
    this.gateway = gateway ? parseIp6(gateway) : this.subnet.base + 1n;
    if (!contains6(this.subnet, this.gateway)) throw invalidParameter(`invalid network config:\ninvalid gateway ${gateway}: it must be in subnet ${subnet}`);
    this.last = this.range.base;
  }

  get bits(): number {
    return this.subnet.bits;
  }

  contains(ip: string): boolean {
    try {
      return contains6(this.subnet, parseIp6(ip));
    } catch {
      return false;
    }
  }

  allocate(want?: string): string {
    if (want) {
      const ip = parseIp6(want);
      if (!contains6(this.subnet, ip)) throw invalidParameter(`invalid endpoint settings:\nno configured subnet contains IP address ${want}`);
      if (this.used.has(ip) || ip === this.gateway) throw conflict("Address already in use");
      this.used.add(ip);
      return formatIp6(ip);
    }
    const first = this.range.base + 1n;
    const end = this.range.base | (~mask6(this.range.bits) & ((1n << 128n) - 1n));
    const size = end - first + 1n;
    // A /64 has more addresses than anyone will use: look at a bounded window after the last one.
    const tries = size < 65536n ? size : 65536n;
    for (let i = 0n; i < tries; i++) {
      const ip = first + ((this.last - first + 1n + i + size) % size);
      if (ip === this.gateway || this.used.has(ip)) continue;
      this.used.add(ip);
      this.last = ip;
      return formatIp6(ip);
    }
    throw conflict("no available IPv6 addresses on this network's address pools");
  }

  claim(ip: string): void {
    this.used.add(parseIp6(ip));
  }

  release(ip: string): void {
    this.used.delete(parseIp6(ip));
  }
}
