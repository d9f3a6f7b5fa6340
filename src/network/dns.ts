// The embedded resolver of user-defined networks: a UDP server on the network's gateway
// address. Names of the network's containers (name, aliases, id prefix) are answered
// here; anything else is relayed to the host's resolvers.
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { logger } from "../log.ts";
import { parseIp6 } from "./addr6.ts";

const log = logger("dns");

/** Resolves a name to the addresses (IPv4 and IPv6) the network knows for it; undefined when it is not a container's. */
export type Lookup = (name: string, from: string) => string[] | undefined;

interface Question {
  name: string;
  type: number;
  end: number;
}

function readQuestion(msg: Buffer): Question | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  while (off < msg.length) {
    const len = msg[off]!;
    if (len === 0) break;
    if (len > 63 || off + 1 + len > msg.length) return undefined;
    labels.push(msg.subarray(off + 1, off + 1 + len).toString("latin1"));
    off += 1 + len;
  }
  if (off + 5 > msg.length) return undefined;
  return { name: labels.join(".").toLowerCase(), type: msg.readUInt16BE(off + 1), end: off + 5 };
}

/** A reply to `query` carrying A or AAAA records, as asked (or none: an empty NOERROR answer; rcode for errors). */
export function answer(query: Buffer, q: Question, ips: string[], rcode = 0): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  const rd = query.readUInt16BE(2) & 0x0100;
  header.writeUInt16BE(0x8000 | 0x0400 | rd | 0x0080 | rcode, 2); // QR, AA, RD copied, RA
  header.writeUInt16BE(1, 4);
  const wantA = q.type === 1 || q.type === 255;
  const wantAAAA = q.type === 28 || q.type === 255;
  const records = ips.filter((ip) => (ip.includes(":") ? wantAAAA : wantA));
  header.writeUInt16BE(records.length, 6);
  const question = query.subarray(12, q.end);
  const rrs = records.map((ip) => {
    const v6 = ip.includes(":");
    const rr = Buffer.alloc(v6 ? 28 : 16);
    rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
    rr.writeUInt16BE(v6 ? 28 : 1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(600, 6);
    rr.writeUInt16BE(v6 ? 16 : 4, 10);
    if (v6) {
      const n = parseIp6(ip);
      for (let i = 0; i < 16; i++) rr[12 + i] = Number((n >> BigInt((15 - i) * 8)) & 0xffn);
    } else ip.split(".").forEach((b, i) => (rr[12 + i] = Number(b)));
    return rr;
  });
  return Buffer.concat([header, question, ...rrs]);
}

export function hostResolvers(): string[] {
  try {
    return readFileSync("/etc/resolv.conf", "utf8")
      .split("\n")
      .filter((l) => /^\s*nameserver\s+\d+\.\d+\.\d+\.\d+\s*$/.test(l))
      .map((l) => l.trim().split(/\s+/)[1]!);
  } catch {
    return [];
  }
}

export class Resolver {
  private sock?: Socket;

  constructor(
    private readonly address: string,
    private readonly lookup: Lookup,
    /** Where names that are not containers' go; the host's resolvers by default. */
    private readonly upstreams: (from: string) => { host: string; port: number }[] = () => hostResolvers().map((host) => ({ host, port: 53 })),
    private readonly port = 53,
  ) {}

  /** The bound port (tests bind 0). */
  boundPort(): number {
    return this.sock?.address().port ?? 0;
  }

  async listen(): Promise<void> {
    const s = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.bind({ address: this.address, port: this.port, exclusive: true }, () => {
        s.off("error", reject);
        resolve();
      });
    });
    s.on("error", (err) => log.warn(`resolver on ${this.address}:`, err));
    s.on("message", (msg, rinfo) => void this.serve(s, msg, rinfo.address, rinfo.port));
    this.sock = s;
  }

  private async serve(s: Socket, msg: Buffer, addr: string, port: number): Promise<void> {
    const q = readQuestion(msg);
    if (!q) return;
    const ips = this.lookup(q.name, addr);
    if (ips) return s.send(answer(msg, q, ips), port, addr);
    const reply = await forward(msg, this.upstreams(addr)).catch(() => undefined);
    s.send(reply ?? answer(msg, q, [], 2), port, addr);
  }

  close(): void {
    try {
      this.sock?.close();
    } catch {}
    this.sock = undefined;
  }
}

/** Relays a query to the first upstream that answers within 2 s. */
function forward(msg: Buffer, upstreams: { host: string; port: number }[]): Promise<Buffer | undefined> {
  if (!upstreams.length) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    const done = (b: Buffer | undefined) => {
      clearTimeout(t);
      try {
        s.close();
      } catch {}
      resolve(b);
    };
    const t = setTimeout(() => done(undefined), 2000);
    s.on("message", (m) => done(m));
    s.on("error", () => done(undefined));
    s.send(msg, upstreams[0]!.port, upstreams[0]!.host);
  });
}
