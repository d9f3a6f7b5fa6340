// Issue 6's target: GET /containers/json and GET /containers/{id}/json requests per
// second, one request at a time over one keep-alive connection on the unix socket,
// with 10 and with 100 containers (one in ten running), at least twice what Docker
// serves. Side by side with a real dockerd (docker.io, 20.10 here) started for the
// run on its own socket and data root; the rounds alternate between the two daemons
// so both see the same machine. Where no dockerd can run, the figures Docker gave
// here before (about 1,200 list and 7,800 inspect requests a second with 10
// containers) stand in.
import { resolve } from "node:path";
import { docker, median, root, startDockerd, startWharf, type BenchDaemon } from "./lib.ts";
import { ChunkedDecoder } from "../src/api/http1/parser.ts";

const seconds = Number(process.env.SECONDS_PER_RUN ?? 1);
const rounds = Number(process.env.ROUNDS ?? 5);
const dockerFigures: Record<Kind, number> = { list: 1200, listAll: 1200, inspect: 7800, ping: NaN };
const kinds = ["list", "listAll", "inspect", "ping"] as const;
type Kind = (typeof kinds)[number];
const labels: Record<Kind, string> = {
  list: "GET /containers/json",
  listAll: "GET /containers/json?all=1",
  inspect: "GET /containers/{id}/json",
  ping: "GET /_ping (HTTP floor)",
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

/** Sequential requests for `secs`; returns requests per second. */
async function rate(conn: Conn, paths: () => string, secs = seconds): Promise<number> {
  const end = performance.now() + secs * 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    await conn.get(paths());
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

interface Side {
  name: string;
  daemon: BenchDaemon;
  /** The newest API version the daemon serves: dockerd 20.10 refuses /v1.45. */
  prefix: string;
  conn: Conn;
  ids: string[];
  results: Record<Kind, number[]>;
}

async function side(name: string, daemon: BenchDaemon, prefix: string): Promise<Side> {
  const load = docker(daemon.host, ["load", "-i", resolve(root, "test/fixtures/busybox-docker-save.tar")]);
  if (load.code !== 0) throw new Error(`${name}: load failed: ${load.stderr}`);
  return { name, daemon, prefix, conn: await connect(daemon.sock), ids: [], results: emptyResults() };
}

async function sideOrStop(name: string, daemon: BenchDaemon, prefix: string): Promise<Side> {
  try {
    return await side(name, daemon, prefix);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
}

const emptyResults = () => ({ list: [], listAll: [], inspect: [], ping: [] }) as Record<Kind, number[]>;

function addContainers(s: Side, upTo: number): void {
  while (s.ids.length < upTo) {
    const i = s.ids.length;
    // One in ten runs; the rest are created, with labels, as a Compose project leaves them.
    const args = i % 10 === 0
      ? ["run", "-d", "--network", "none", "--name", `bench${i}`, "--label", `n=${i}`, "busybox", "sleep", "600"]
      : ["create", "--network", "none", "--name", `bench${i}`, "--label", `n=${i}`, "busybox", "true"];
    const r = docker(s.daemon.host, args);
    if (r.code !== 0) throw new Error(`${s.name}: ${args.join(" ")}: ${r.stderr}`);
    s.ids.push(r.stdout.trim());
  }
}

function paths(s: Side, kind: Kind): () => string {
  let k = 0;
  switch (kind) {
    case "list":
      return () => `${s.prefix}/containers/json`;
    case "listAll":
      return () => `${s.prefix}/containers/json?all=1`;
    case "inspect":
      return () => `${s.prefix}/containers/${s.ids[k++ % s.ids.length]}/json`;
    case "ping":
      return () => "/_ping";
  }
}

const fmt = (n: number) => (Number.isNaN(n) ? "" : n.toFixed(0)).padStart(7);

const sides: Side[] = [];
try {
  sides.push(await sideOrStop("wharf", await startWharf(), "/v1.45"));
  const dockerd = await startDockerd();
  if (dockerd) sides.push(await sideOrStop(`Docker ${dockerd.version}`, dockerd, "/v1.41"));
  for (const count of [10, 100]) {
    for (const s of sides) {
      addContainers(s, count);
      s.results = emptyResults();
      // The daemon's JIT warms up before anything counts.
      for (const kind of kinds) await rate(s.conn, paths(s, kind), 0.5);
    }
    for (let r = 0; r < rounds; r++) {
      for (const kind of kinds) {
        // Alternate which daemon goes first, so drift in the machine's speed hits both.
        for (const s of r % 2 ? [...sides].reverse() : sides) s.results[kind].push(await rate(s.conn, paths(s, kind)));
      }
    }
    const [w, d] = sides;
    console.log(`${count} containers (${Math.ceil(count / 10)} running), sequential keep-alive, req/s, median of ${rounds} × ${seconds}s:`);
    console.log(`  ${"".padEnd(28)} ${"wharf".padStart(7)} ${(d ? "Docker" : "").padStart(7)}  ratio`);
    for (const kind of kinds) {
      const wm = median(w!.results[kind]);
      const dm = d ? median(d.results[kind]) : dockerFigures[kind];
      const ratio = Number.isNaN(dm) ? "" : `${(wm / dm).toFixed(1)}×${d ? "" : ` Docker's ~${dm} with 10, measured before`}`;
      console.log(`  ${labels[kind].padEnd(28)} ${fmt(wm)} ${d ? fmt(dm) : "".padStart(7)}  ${ratio}`);
    }
  }
} finally {
  for (const s of sides) {
    s.conn?.close();
    if (s.ids.length) docker(s.daemon.host, ["rm", "-f", ...s.ids]);
    await s.daemon.stop();
  }
}
