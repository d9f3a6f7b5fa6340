// `exec CONTAINER true` latency through the API (create, attached start until the
// stream ends, inspect for the exit code) and through the real docker CLI end to end,
// for wharf, Docker and Podman in this run, interleaved.
import { docker, timeIt } from "./lib.ts";
import { interleaved, row, startEngines } from "./engines.ts";
import { execApi } from "./api.ts";
import { report } from "./report.ts";

const runs = Number(process.env.RUNS ?? 20);
const set = await startEngines();
try {
  const ids = new Map<string, string>();
  for (const e of set.engines) {
    const r = docker(e.host, ["run", "-d", "--network", "none", "busybox", "sleep", "600"]);
    if (r.code !== 0) throw new Error(`${e.label}: could not start a container: ${r.stderr.trim()}`);
    ids.set(e.name, r.stdout.trim());
  }
  const api = await interleaved(set, runs, (e) =>
    timeIt(async () => {
      const code = await execApi(e, ids.get(e.name)!, ["true"]);
      if (code !== 0) throw new Error(`${e.label}: exec true exited ${code}`);
    }),
  );
  report(row(set, { bench: "exec", name: "exec true, API", unit: "ms", better: "lower" }, api));
  const cli = await interleaved(set, runs, (e) =>
    timeIt(() => {
      const r = docker(e.host, ["exec", ids.get(e.name)!, "true"]);
      if (r.code !== 0) throw new Error(`${e.label}: docker exec failed: ${r.stderr.trim()}`);
    }),
  );
  report(row(set, { bench: "exec", name: "docker exec true, CLI", unit: "ms", better: "lower" }, cli));
} finally {
  await set.stop();
}
