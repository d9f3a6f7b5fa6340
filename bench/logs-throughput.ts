// Log throughput: `logs` of a container that wrote 100 MB (the json-file backlog read
// back through the API, and through the real docker CLI), MB/s of payload, median of N.
import { resolve } from "node:path";
import { docker, median, root, startWharf, timeIt } from "./lib.ts";
import { Client } from "../src/client/client.ts";

const runs = Number(process.env.RUNS ?? 5);
const mb = Number(process.env.LOG_MB ?? 100);
const d = await startWharf();
try {
  const load = docker(d.host, ["load", "-i", resolve(root, "test/fixtures/busybox-docker-save.tar")]);
  if (load.code !== 0) throw new Error(`load failed: ${load.stderr}`);
  // 100-byte lines (99 characters and a newline), as a chatty service writes them.
  const line = "x".repeat(99);
  const bytes = mb * 1_000_000;
  const t0 = performance.now();
  // Detached: this times the monitor writing the json-file, not an attached client.
  const run = docker(d.host, ["run", "-d", "--name", "chatty", "--network", "none", "busybox", "sh", "-c", `yes ${line} | head -c ${bytes}`]);
  if (run.code !== 0) throw new Error(`run failed: ${run.stderr}`);
  const waited = docker(d.host, ["wait", "chatty"]);
  if (waited.stdout.trim() !== "0") throw new Error(`chatty exited ${waited.stdout} ${waited.stderr}`);
  const writeMs = performance.now() - t0;
  const client = new Client(d.host);

  const api: number[] = [];
  let got = 0;
  for (let i = 0; i < runs; i++) {
    api.push(
      await timeIt(async () => {
        const res = await client.request("GET", "/containers/chatty/logs", { query: { stdout: 1, stderr: 1 } });
        got = 0;
        for await (const c of res) got += (c as Buffer).length;
      }),
    );
  }
  // The CLI writes one write(2) per frame, as it does against dockerd: timed into a
  // pipe read by this process and into /dev/null, which isolates the CLI's own cost.
  const cli: number[] = [];
  const cliNull: number[] = [];
  let cliBytes = 0;
  const env = { ...process.env, DOCKER_HOST: d.host };
  for (let i = 0; i < runs; i++) {
    cli.push(
      await timeIt(() => {
        const r = Bun.spawnSync(["docker", "logs", "chatty"], { env, stdout: "pipe", stderr: "ignore" });
        cliBytes = r.stdout.length;
      }),
    );
    cliNull.push(await timeIt(() => Bun.spawnSync(["docker", "logs", "chatty"], { env, stdout: "ignore", stderr: "ignore" })));
  }
  const rate = (ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);
  console.log(`logs of a container that wrote ${mb} MB (${bytes / 100} lines of 100 bytes), ${runs} runs`);
  console.log(`  writing it (run -d + wait: monitor -> json-file): ${(writeMs / 1000).toFixed(1)} s, ${rate(writeMs)} MB/s`);
  console.log(`  API  GET /logs (multiplexed, ${(got / 1e6).toFixed(1)} MB on the wire): median ${median(api).toFixed(0)} ms, ${rate(median(api))} MB/s`);
  console.log(`  docker logs (${(cliBytes / 1e6).toFixed(1)} MB into a pipe):         median ${median(cli).toFixed(0)} ms, ${rate(median(cli))} MB/s`);
  console.log(`  docker logs > /dev/null:                       median ${median(cliNull).toFixed(0)} ms, ${rate(median(cliNull))} MB/s`);
  console.log("  (no Docker daemon is installed here for a side-by-side figure)");
  docker(d.host, ["rm", "-f", "chatty"]);
} finally {
  await d.stop();
}
