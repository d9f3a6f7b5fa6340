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

/** Sends `bytes` to host:port as fast as the socket takes them; MB/s until the peer has closed. */
function pump(port: number, bytes: number): Promise<number> {
  return new Promise((resolveP, reject) => {
    const chunk = Buffer.alloc(1 << 20, 120);
    const t0 = performance.now();
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
    s.on("error", reject);
    s.on("close", () => resolveP(bytes / (1 << 20) / ((performance.now() - t0) / 1000)));
    s.resume();
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
  const load = docker(d.host, ["load", "-i", resolve(root, "../shared/fixtures/busybox-docker-save.tar")]);
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

  // Throughput: a busybox nc sink behind a published port vs a sink on the host's loopback.
  const port = await freePort();
  const sinkArgs = ["sh", "-c", "while true; do nc -l -p 9000 > /dev/null; done"];
  const id = docker(d.host, ["run", "-d", "-p", `127.0.0.1:${port}:9000`, "busybox", ...sinkArgs]).stdout.trim();
  await Bun.sleep(300);
  const host = createServer((s) => s.resume().on("end", () => s.end()));
  await new Promise<void>((r) => host.listen(0, "127.0.0.1", () => r()));
  const hostPort = (host.address() as { port: number }).port;
  const bytes = mb << 20;
  const viaPort: number[] = [];
  const viaLo: number[] = [];
  for (let i = 0; i < 3; i++) {
    viaPort.push(await pump(port, bytes));
    await Bun.sleep(100); // the nc loop re-listens
    viaLo.push(await pump(hostPort, bytes));
  }
  host.close();
  docker(d.host, ["rm", "-f", id]);
  const p = median(viaPort);
  const l = median(viaLo);
  console.log(`TCP throughput, ${mb} MiB per transfer, median of 3`);
  console.log(`  published port (127.0.0.1 → DNAT → bridge → busybox nc): ${p.toFixed(0)} MB/s`);
  console.log(`  host loopback (Bun sink):                               ${l.toFixed(0)} MB/s  (port/loopback ${(p / l).toFixed(2)})`);
} finally {
  await d.stop();
}
