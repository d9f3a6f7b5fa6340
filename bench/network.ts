// Issue 8: what the default bridge adds to `run --rm busybox true` (against network
// none), and TCP throughput through a published port against the host's loopback.
// Bytes go only over loopback and into the daemon's own namespaces.
import { resolve } from "node:path";
import { createServer, connect } from "node:net";
import { docker, median, root, startWharf, timeIt } from "./lib.ts";
import { Client } from "../src/client/client.ts";

const runs = Number(process.env.RUNS ?? 15);
const mb = Number(process.env.MB ?? 256);

async function runOnce(client: Client, network: string): Promise<void> {
  const { Id } = await client.json("POST", "/containers/create", { body: { Image: "busybox", Cmd: ["true"], HostConfig: { NetworkMode: network } } });
  const waited = client.json("POST", `/containers/${Id}/wait`, { query: { condition: "next-exit" } });
  await client.json("POST", `/containers/${Id}/start`);
  await waited;
  await client.json("DELETE", `/containers/${Id}`);
}

/**
 * Sends `bytes` to 127.0.0.1:port, half-closes, and waits for the sink's byte count
 * (so the time covers delivery, not just the local socket buffer). MB/s.
 */
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

const d = await startWharf();
try {
  const load = docker(d.host, ["load", "-i", resolve(root, "test/fixtures/busybox-docker-save.tar")]);
  if (load.code !== 0) throw new Error(`load failed: ${load.stderr}`);
  const client = new Client(d.host);
  await runOnce(client, "bridge");
  const none: number[] = [];
  const bridge: number[] = [];
  for (let i = 0; i < runs; i++) {
    none.push(await timeIt(() => runOnce(client, "none")));
    bridge.push(await timeIt(() => runOnce(client, "bridge")));
  }
  const mn = median(none);
  const mbr = median(bridge);
  console.log(`run --rm busybox true (API create+start+wait+rm), ${runs} runs each, interleaved`);
  console.log(`  network none:   median ${mn.toFixed(1)} ms`);
  console.log(`  default bridge: median ${mbr.toFixed(1)} ms  (+${(mbr - mn).toFixed(1)} ms for sandbox, veth, address, route)`);

  // Throughput: the same busybox `nc | wc -c` sink behind a published port, and on the
  // host's loopback (--network host), so only the path differs.
  const port = await freePort();
  const sink = (p: number) => ["nc", "-ll", "-p", String(p), "-e", "wc", "-c"];
  const viaBridge = docker(d.host, ["run", "-d", "-p", `127.0.0.1:${port}:9000`, "busybox", ...sink(9000)]).stdout.trim();
  const hostPort = await freePort();
  const viaHost = docker(d.host, ["run", "-d", "--network", "host", "busybox", ...sink(hostPort)]).stdout.trim();
  await Bun.sleep(300);
  const bytes = mb << 20;
  const viaPort: number[] = [];
  const viaLo: number[] = [];
  for (let i = 0; i < 3; i++) {
    viaPort.push(await pump(port, bytes));
    viaLo.push(await pump(hostPort, bytes));
  }
  docker(d.host, ["rm", "-f", viaBridge, viaHost]);
  const p = median(viaPort);
  const l = median(viaLo);
  console.log(`TCP throughput into busybox nc | wc -c, ${mb} MiB per transfer, median of 3`);
  console.log(`  published port (127.0.0.1 → DNAT → bridge → veth): ${p.toFixed(0)} MB/s`);
  console.log(`  host loopback (--network host):                    ${l.toFixed(0)} MB/s  (port/loopback ${(p / l).toFixed(2)})`);
} finally {
  await d.stop();
}
