// Issue 6's target: GET /containers/json and GET /containers/{id}/json requests per
// second, one request at a time over one keep-alive connection on the unix socket,
// with 100 containers (10 of them running) and with 10 for comparison with Docker 20.10
// here (about 1,200 list and 7,800 inspect requests a second with 10 containers).
// Target: at least twice Docker.
import { resolve } from "node:path";
import { docker, median, root, startWharf } from "./lib.ts";

const seconds = Number(process.env.SECONDS_PER_RUN ?? 1);
const rounds = Number(process.env.ROUNDS ?? 5);
const dockerFigures = { list: 1200, inspect: 7800 };

/**
 * One keep-alive connection on the unix socket with a minimal HTTP/1.1 reader, so the
 * client's own cost stays small next to the daemon's (node:http's client halves the rate).
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
    if (!cl) throw new Error("answer without Content-Length");
    const end = h + 4 + Number(cl[1]);
    return buf.length >= end ? end : -1;
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

/** Sequential requests for `seconds`; returns requests per second. */
async function rate(conn: Conn, paths: () => string): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    await conn.get(paths());
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

const d = await startWharf();
try {
  const load = docker(d.host, ["load", "-i", resolve(root, "../shared/fixtures/busybox-docker-save.tar")]);
  if (load.code !== 0) throw new Error(`load failed: ${load.stderr}`);
  const conn = await connect(d.sock);
  const ids: string[] = [];
  const addContainers = (upTo: number) => {
    while (ids.length < upTo) {
      const i = ids.length;
      // One in ten runs; the rest are created, with labels, as a Compose project leaves them.
      const args = i % 10 === 0
        ? ["run", "-d", "--network", "none", "--name", `bench${i}`, "--label", `n=${i}`, "busybox", "sleep", "600"]
        : ["create", "--network", "none", "--name", `bench${i}`, "--label", `n=${i}`, "busybox", "true"];
      const r = docker(d.host, args);
      if (r.code !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
      ids.push(r.stdout.trim());
    }
  };
  for (const count of [10, 100]) {
    addContainers(count);
    let k = 0;
    const results: Record<string, number[]> = { list: [], listAll: [], inspect: [], ping: [] };
    for (let r = 0; r < rounds; r++) {
      results.list!.push(await rate(conn, () => "/v1.45/containers/json"));
      results.listAll!.push(await rate(conn, () => "/v1.45/containers/json?all=1"));
      results.inspect!.push(await rate(conn, () => `/v1.45/containers/${ids[k++ % ids.length]}/json`));
      results.ping!.push(await rate(conn, () => "/_ping"));
    }
    const m = (xs: number[]) => median(xs);
    console.log(`${count} containers (${Math.ceil(count / 10)} running), sequential keep-alive, median of ${rounds} × ${seconds}s:`);
    console.log(`  GET /containers/json        ${m(results.list!).toFixed(0).padStart(7)} req/s  (${(m(results.list!) / dockerFigures.list).toFixed(1)}× Docker's ~${dockerFigures.list} with 10)`);
    console.log(`  GET /containers/json?all=1  ${m(results.listAll!).toFixed(0).padStart(7)} req/s  (${(m(results.listAll!) / dockerFigures.list).toFixed(1)}× Docker's ~${dockerFigures.list} with 10)`);
    console.log(`  GET /containers/{id}/json   ${m(results.inspect!).toFixed(0).padStart(7)} req/s  (${(m(results.inspect!) / dockerFigures.inspect).toFixed(1)}× Docker's ~${dockerFigures.inspect} with 10)`);
    console.log(`  GET /_ping (HTTP floor)     ${m(results.ping!).toFixed(0).padStart(7)} req/s`);
  }
  conn.close();
  docker(d.host, ["rm", "-f", ...ids]);
} finally {
  await d.stop();
}
