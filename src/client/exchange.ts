// One whole HTTP/1.1 exchange on a fresh Bun socket, for the many small JSON requests
// a command makes: cheaper to start than fetch (which brings up its HTTP client), and
// the answer is read to the end (Content-Length or chunked) before it is returned.
import type { Endpoint } from "./host.ts";

export interface Exchanged {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function dechunk(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const nl = b.indexOf("\r\n", i);
    if (nl < 0) break;
    const size = parseInt(b.subarray(i, nl).toString("latin1"), 16);
    if (!size) break;
    parts.push(b.subarray(nl + 2, nl + 2 + size));
    i = nl + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function connectTo(target: Endpoint, socket: Parameters<typeof Bun.connect>[0]["socket"]) {
  if (target.proto === "unix") return Bun.connect({ unix: target.addr, socket });
  const i = target.addr.lastIndexOf(":");
  return Bun.connect({ hostname: target.addr.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(target.addr.slice(i + 1)), socket });
}

export async function exchange(target: Endpoint, method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<Exchanged> {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const host = target.proto === "unix" ? "localhost" : target.addr;
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: wharf-cli\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  head += `Content-Length: ${payload?.length ?? 0}\r\n\r\n`;
  const chunks: Buffer[] = [];
  let done!: () => void;
  let fail!: (e: Error) => void;
  const finished = new Promise<void>((res, rej) => ((done = res), (fail = rej)));
  let out = payload ? Buffer.concat([Buffer.from(head, "latin1"), payload]) : Buffer.from(head, "latin1");
  const sock = await connectTo(target, {
    data: (_s, c: Buffer) => void chunks.push(c),
    drain: (s) => {
      if (out.length) out = out.subarray(Math.max(s.write(out), 0));
    },
    end: () => done(),
    close: () => done(),
    error: (_s, e) => fail(e),
  });
  out = out.subarray(Math.max(sock.write(out), 0));
  await finished;
  const all = Buffer.concat(chunks);
  const sep = all.indexOf("\r\n\r\n");
  if (sep < 0) throw new Error("the daemon closed the connection without an answer");
  const lines = all.subarray(0, sep).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
  const hs: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(":");
    if (c > 0) hs[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  let rest: Buffer = all.subarray(sep + 4);
  if (/chunked/i.test(hs["transfer-encoding"] ?? "")) rest = dechunk(rest);
  else if (hs["content-length"] !== undefined) rest = rest.subarray(0, Number(hs["content-length"]));
  return { status, headers: hs, body: rest };
}
