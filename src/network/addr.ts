// IPv4 addresses as numbers: parsing, CIDR arithmetic, and the MAC Docker derives from an address.
import { invalidParameter } from "../errors.ts";

export function parseIp(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) throw invalidParameter(`invalid IP address: ${s}`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw invalidParameter(`invalid IP address: ${s}`);
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export interface Cidr {
  /** The network address (host bits cleared). */
  base: number;
  bits: number;
  /** The address as written (for `--bip 10.1.0.1/24`, the gateway). */
  addr: number;
}

export function parseCidr(s: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m || Number(m[2]) > 32) throw invalidParameter(`invalid CIDR address: ${s}`);
  const bits = Number(m[2]);
  const addr = parseIp(m[1]!);
  return { base: (addr & mask(bits)) >>> 0, bits, addr };
}

export function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

export function formatCidr(c: { base: number; bits: number }): string {
  return `${formatIp(c.base)}/${c.bits}`;
}

export function contains(c: { base: number; bits: number }, ip: number): boolean {
  return ((ip & mask(c.bits)) >>> 0) === c.base;
}

export function overlaps(a: { base: number; bits: number }, b: { base: number; bits: number }): boolean {
  const bits = Math.min(a.bits, b.bits);
  return ((a.base & mask(bits)) >>> 0) === ((b.base & mask(bits)) >>> 0);
}

/** Docker's MAC for an IPv4 endpoint: 02:42 then the four address bytes. */
export function macOf(ip: number): string {
  const b = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
}
