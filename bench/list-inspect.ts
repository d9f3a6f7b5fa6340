// Request rates: GET /_ping, /containers/json (100 containers, one in ten running),
// /containers/{id}/json and /images/json, one client on one keep-alive connection and
// 50 clients at once, on the unix socket. wharf, Docker and Podman are measured in this
// run; rounds alternate between them so drift in the machine's speed hits all alike.
import { docker } from "./lib.ts";
import { row, startEngines, type Engine } from "./engines.ts";
import { report, type EngineName } from "./report.ts";
import { ChunkedDecoder } from "../src/api/http1/parser.ts";

const seconds = Number(process.env.SECONDS_PER_RUN ?? 1);
const rounds = Number(process.env.ROUNDS ?? 5);
const count = Number(process.env.CONTAINERS ?? 100);
const clients = Number(process.env.CLIENTS ?? 50);
const kinds = ["ping", "list", "inspect", "images"] as const;
type Kind = (typeof kinds)[number];
const labels: Record<Kind, string> = {
  ping: "GET /_ping",
  list: `GET /containers/json (${count} containers)`,
  inspect: "GET /containers/{id}/json",
  images: "GET /images/json",
};

/** Where a complete chunked body that starts at `off` ends in `b`, or -1 (the server's own decoder). */
function chunkedEnd(b: Buffer, off: number): number {
  const dec = new ChunkedDecoder();
  const used = dec.push(b.subarray(off), () => {});
  return dec.done ? off + used : -1;
}

/**
 * One keep-alive connection on the unix socket with a minimal HTTP/1.1 reader, so the
 * client's own cost stays small next to the daemon's (node:http's client halves the rate).
 * dockerd sends a large inspect chunked, so both framings are read.
 */
async function connect(sock: string) {
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  const s = await Bun.connect({
    unix: sock,
    socket: {
      data(_s, d) {
        buf = buf.length ? Buffer.concat([buf, d]) : Buffer.from(d);
        wake?.();
      },
    },
  });
  // Bytes of the first complete response in buf, or -1.
  const complete = (): number => {
    const h = buf.indexOf("\r\n\r\n");
    if (h < 0) return -1;
    const head = buf.subarray(0, h).toString("latin1");
    if (!head.startsWith("HTTP/1.1 200")) throw new Error(`unexpected answer: ${head.split("\r\n")[0]}`);
    const cl = /content-length:\s*(\d+)/i.exec(head);
    if (cl) {
      const end = h + 4 + Number(cl[1]);
      return buf.length >= end ? end : -1;
    }
    if (!/transfer-encoding:\s*chunked/i.test(head)) throw new Error("answer without Content-Length or chunked body");
    return chunkedEnd(buf, h + 4);
  };
  return {
    async get(path: string): Promise<void> {
      s.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\n\r\n`);
      for (;;) {
        const n = complete();
        if (n >= 0) {
          buf = buf.subarray(n);
          return;
        }
        await new Promise<void>((r) => (wake = r));
      }
    },
    close: () => s.end(),
  };
}

type Conn = Awaited<ReturnType<typeof connect>>;

/** Requests on each connection, one at a time, for `secs`; returns requests per second over all of them. */
async function rate(conns: Conn[], paths: () => string, secs = seconds): Promise<number> {
  const end = performance.now() + secs * 1000;
  const t0 = performance.now();
  const counts = await Promise.all(conns.map(async (c) => {
    let n = 0;
    while (performance.now() < end) {
      await c.get(paths());
      n++;
    }
    return n;
  }));
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - t0) / 1000);
}

function addContainers(e: Engine, ids: string[]): void {
  while (ids.length < count) {
    const i = ids.length;
    // One in ten runs; the rest are created, with labels, as a Compose project leaves them.
    const args = i % 10 === 0
      ? ["run", "-d", "--network", "none", "--name", `bench${i}`, "--label", `n=${i}`, "busybox", "sleep", "600"]
      : ["create", "--network", "none", "--name", `bench${i}`, "--label", `n=${i}`, "busybox", "true"];
    const r = docker(e.host, args);
    if (r.code !== 0) throw new Error(`${e.label}: ${args.join(" ")}: ${r.stderr}`);
    ids.push(r.stdout.trim());
  }
}

function paths(e: Engine, ids: string[], kind: Kind): () => string {
  let k = 0;
  switch (kind) {
    case "ping":
      return () => "/_ping";
    case "list":
      return () => `${e.api}/containers/json`;
    case "inspect":
      return () => `${e.api}/containers/${ids[k++ % ids.length]}/json`;
    case "images":
      return () => `${e.api}/images/json`;
  }
}

const set = await startEngines();
const conns = new Map<EngineName, Conn[]>();
try {
  const ids = new Map<EngineName, string[]>();
  for (const e of set.engines) {
    ids.set(e.name, []);
    addContainers(e, ids.get(e.name)!);
    conns.set(e.name, await Promise.all(Array.from({ length: clients }, () => connect(e.sock))));
  }
  for (const [mode, n] of [["1 client", 1], [`${clients} clients`, clients]] as const) {
    const results = new Map<Kind, Map<EngineName, number[]>>(kinds.map((k) => [k, new Map(set.engines.map((e) => [e.name, []]))]));
    // Each daemon's JIT warms up before anything counts.
    for (const e of set.engines) for (const kind of kinds) await rate(conns.get(e.name)!.slice(0, n), paths(e, ids.get(e.name)!, kind), 0.3);
    for (let r = 0; r < rounds; r++) {
      for (const kind of kinds) {
        for (const e of r % 2 ? [...set.engines].reverse() : set.engines) {
          results.get(kind)!.get(e.name)!.push(await rate(conns.get(e.name)!.slice(0, n), paths(e, ids.get(e.name)!, kind)));
        }
      }
    }
    for (const kind of kinds) {
      report(row(set, {
        bench: "api",
        name: `${labels[kind]}, ${mode}, keep-alive`,
        unit: "req/s",
        better: "higher",
        ...(kind === "ping" || kind === "inspect" ? { target: "≥ 3× Docker", goal: { min: 3, ratioTo: "docker" as const } } : {}),
      }, results.get(kind)!));
    }
  }
} finally {
  for (const cs of conns.values()) for (const c of cs) c.close();
  await set.stop();
}
