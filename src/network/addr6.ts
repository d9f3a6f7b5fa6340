// IPv6 addresses as 128-bit integers: parsing, the RFC 5952 text form, CIDR arithmetic.
import { randomBytes } from "node:crypto";
import { invalidParameter } from "../errors.ts";

const ALL = (1n << 128n) - 1n;

export function isIp6(s: string): boolean {
  try {
    parseIp6(s);
    return true;
  } catch {
    return false;
  }
}

export function parseIp6(s: string): bigint {
  const text = s.trim().replace(/^\[|\]$/g, "");
  const bad = () => invalidParameter(`invalid IPv6 address: ${s}`);
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(":")) throw bad();
  let head = text;
  let v4: number[] | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const parts = text.slice(lastColon + 1).split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p > 255)) throw bad();
    v4 = parts;
    head = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) throw bad();
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) throw bad();
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (v4) n = (n & ~0xffffffffn) | BigInt(((v4[0]! << 24) >>> 0) + (v4[1]! << 16) + (v4[2]! << 8) + v4[3]!);
  return n;
}

/** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
export function formatIp6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export interface Cidr6 {
  base: bigint;
  bits: number;
  addr: bigint;
}

export function mask6(bits: number): bigint {
  return bits === 0 ? 0n : (ALL << BigInt(128 - bits)) & ALL;
}

export function parseCidr6(s: string): Cidr6 {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m || Number(m[2]) > 128) throw invalidParameter(`invalid CIDR address: ${s}`);
  const bits = Number(m[2]);
  const addr = parseIp6(m[1]!);
  return { base: addr & mask6(bits), bits, addr };
}

export function formatCidr6(c: { base: bigint; bits: number }): string {
  return `${formatIp6(c.base)}/${c.bits}`;
}

export function contains6(c: { base: bigint; bits: number }, ip: bigint): boolean {
  return (ip & mask6(c.bits)) === c.base;
}

export function overlaps6(a: { base: bigint; bits: number }, b: { base: bigint; bits: number }): boolean {
  const m = mask6(Math.min(a.bits, b.bits));
  return (a.base & m) === (b.base & m);
}

/** A random unique local /64 (fdXX:XXXX:XXXX:XXXX::/64), as dockerd picks when none is given. */
export function randomUla64(): string {
  const b = randomBytes(7);
  const n = (0xfdn << 120n) | (BigInt("0x" + b.toString("hex")) << 64n);
  return formatCidr6({ base: n, bits: 64 });
}

export function isLinkLocal(ip: string): boolean {
  if (ip.includes(":")) {
    try {
      return contains6({ base: 0xfe80n << 112n, bits: 10 }, parseIp6(ip));
    } catch {
      return false;
    }
  }
  return ip.startsWith("169.254.");
}
