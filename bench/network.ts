// TCP throughput through a published port (127.0.0.1:P -> container:9000) into busybox
// `nc | wc -c`, against the same sink on the host's loopback (--network host), for
// wharf and Docker in this run. wharf forwards with DNAT; this bench's dockerd runs
// without iptables (it must not rewrite the host's firewall), so its published ports go
// through its userland proxy, which is what dockerd does for loopback clients anyway
// unless --userland-proxy=false. Bytes go only over loopback and into the engines' own
// bridges. (What the bridge adds to `run` is in run-latency.ts.)
import { createServer, connect } from "node:net";
import { docker } from "./lib.ts";
import { interleaved, row, startEngines } from "./engines.ts";
import { report } from "./report.ts";

const runs = Number(process.env.RUNS ?? 3);
const mb = Number(process.env.MB ?? 256);
const bench = "network";

/** Sends `bytes` to 127.0.0.1:port, half-closes, and waits for the sink's count (so the time covers delivery). MB/s. */
function pump(port: number, bytes: number): Promise<number> {
  return new Promise((resolveP, reject) => {
    const chunk = Buffer.alloc(1 << 20, 120);
    const t0 = performance.now();
    let reply = "";
    const s = connect({ host: "127.0.0.1", port }, () => {
      let left = bytes;
      const write = () => {
        while (left > 0) {
          left -= chunk.length;
          if (!s.write(chunk)) return void s.once("drain", write);
        }
        s.end();
      };
      write();
    });
    s.on("data", (b) => (reply += b));
    s.on("error", reject);
    s.on("close", () => {
      const secs = (performance.now() - t0) / 1000;
      if (Number(reply.trim()) !== bytes) return reject(new Error(`sink counted ${reply.trim() || "nothing"}, sent ${bytes}`));
      resolveP(bytes / (1 << 20) / secs);
    });
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

async function ready(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ host: "127.0.0.1", port }, () => (s.destroy(), r(true)));
      s.on("error", () => r(false));
    });
    if (ok) return;
    await Bun.sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

const podmanWhy = { podman: "its bridge (netavark) rewrites the host's iptables" };
const set = await startEngines({ bridge: true, only: ["wharf", "docker"], userlandProxy: true });
try {
  // A fresh sink per transfer: busybox nc -ll -e runs wc for each connection.
  const sink = (p: number) => ["nc", "-ll", "-p", String(p), "-e", "wc", "-c"];
  const ports = new Map<string, { published: number; host: number; ids: string[] }>();
  for (const e of set.engines) {
    const published = await freePort();
    const a = docker(e.host, ["run", "-d", "-p", `127.0.0.1:${published}:9000`, "busybox", ...sink(9000)]);
    if (a.code !== 0) throw new Error(`${e.label}: run -p: ${a.stderr.trim()}`);
    const host = await freePort();
    const b = docker(e.host, ["run", "-d", "--network", "host", "busybox", ...sink(host)]);
    if (b.code !== 0) throw new Error(`${e.label}: run --network host: ${b.stderr.trim()}`);
    ports.set(e.name, { published, host, ids: [a.stdout.trim(), b.stdout.trim()] });
    await ready(published);
    await ready(host);
  }
  const bytes = mb << 20;
  const viaPort = await interleaved(set, runs, (e) => pump(ports.get(e.name)!.published, bytes));
  report(row(set, { bench, name: `TCP into a published port (127.0.0.1 → container), ${mb} MiB`, unit: "MB/s", better: "higher" }, viaPort, podmanWhy));
  const viaHost = await interleaved(set, runs, (e) => pump(ports.get(e.name)!.host, bytes));
  report(row(set, { bench, name: `TCP into --network host (the loopback floor), ${mb} MiB`, unit: "MB/s", better: "higher" }, viaHost, podmanWhy));
} finally {
  await set.stop();
}
