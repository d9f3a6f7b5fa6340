// `logs` of a container that wrote LOG_MB (default 100) MB in 100-byte lines: the
// backlog read back through the API and through the real docker CLI (into a pipe this
// process reads), in MB/s of payload, for wharf, Docker and Podman in this run.
import { docker } from "./lib.ts";
import { interleaved, row, startEngines, type Engine } from "./engines.ts";
import { call } from "./api.ts";
import { report } from "./report.ts";

const runs = Number(process.env.RUNS ?? 5);
const mb = Number(process.env.LOG_MB ?? 100);
const bytes = mb * 1_000_000;
const bench = "logs";
const rate = (ms: number) => bytes / 1e6 / (ms / 1000);

const set = await startEngines();
try {
  // 99 characters and a newline, as a chatty service writes them; detached, so this
  // measures the engine writing its log, not an attached client.
  const line = "x".repeat(99);
  const ids = new Map<string, string>();
  const write = await interleaved(set, 1, (e) => {
    const t0 = performance.now();
    const r = docker(e.host, ["run", "-d", "--network", "none", "busybox", "sh", "-c", `yes ${line} | head -c ${bytes}`]);
    if (r.code !== 0) throw new Error(`${e.label}: run -d: ${r.stderr.trim()}`);
    const id = r.stdout.trim();
    const w = docker(e.host, ["wait", id]);
    if (w.stdout.trim() !== "0") throw new Error(`${e.label}: the writer exited ${w.stdout.trim()} ${w.stderr.trim()}`);
    ids.set(e.name, id);
    return rate(performance.now() - t0);
  }, 0);
  report(row(set, { bench, name: `writing ${mb} MB of log (run -d + wait)`, unit: "MB/s", better: "higher" }, write));

  const api = await interleaved(set, runs, async (e: Engine) => {
    const t0 = performance.now();
    const res = await call(e, "GET", `/containers/${ids.get(e.name)}/logs?stdout=1&stderr=1`);
    let got = 0;
    for await (const c of res.body!) got += c.length;
    // Multiplexed frames add 8 bytes a frame: at least the payload must arrive.
    if (got < bytes) throw new Error(`${e.label}: logs gave ${got} bytes, expected ${bytes}`);
    return rate(performance.now() - t0);
  });
  report(row(set, { bench, name: `GET /containers/{id}/logs of ${mb} MB, API`, unit: "MB/s", better: "higher" }, api));

  const cli = await interleaved(set, runs, (e) => {
    const t0 = performance.now();
    const r = Bun.spawnSync(["docker", "logs", ids.get(e.name)!], { env: { ...process.env, DOCKER_HOST: e.host }, stdout: "pipe", stderr: "ignore" });
    if (r.stdout.length !== bytes) throw new Error(`${e.label}: docker logs gave ${r.stdout.length} bytes, expected ${bytes}`);
    return rate(performance.now() - t0);
  });
  report(row(set, { bench, name: `docker logs of ${mb} MB into a pipe, CLI`, unit: "MB/s", better: "higher" }, cli));
} finally {
  await set.stop();
}
