// `run --rm busybox true` through the API and the docker CLI, with network none and on
// the default bridge; create+start+rm of many containers, one after another and ten at
// a time; and the memory an engine holds idle and per running container. wharf, Docker
// and Podman are measured in this run, interleaved.
import { docker } from "./lib.ts";
import { enginePss, interleaved, row, startEngines, type EngineSet } from "./engines.ts";
import { runRm } from "./api.ts";
import { report, type EngineName, type Row } from "./report.ts";
import { timeIt } from "./lib.ts";

const runs = Number(process.env.RUNS ?? 20);
const many = Number(process.env.MANY ?? 100);
const manyRuns = Number(process.env.MANY_RUNS ?? 3);
const bench = "run";

function cliRun(host: string, network: string): void {
  const r = docker(host, ["run", "--rm", "--network", network, "busybox", "true"]);
  if (r.code !== 0) throw new Error(`docker run --network ${network}: ${r.stderr.trim()}`);
}

async function latency(set: EngineSet, network: string, label: string, goal?: Pick<Row, "target" | "goal">): Promise<Map<EngineName, number[]>> {
  const api = await interleaved(set, runs, (e) => timeIt(() => runRm(e, ["true"], network)));
  report(row(set, { bench, name: `run --rm true, ${label}, API`, unit: "ms", better: "lower", ...goal }, api));
  const cli = await interleaved(set, runs, (e) => timeIt(() => cliRun(e.host, network)));
  report(row(set, { bench, name: `docker run --rm true, ${label}, CLI`, unit: "ms", better: "lower" }, cli));
  return api;
}

// wharf gives memory back once quiet (5 s) and lets its warm init go 30 s after the last
// start; every engine gets the same waits, measured at the same moments.
const quietMs = Number(process.env.IDLE_QUIET_MS ?? 12_000);
const afterUseMs = Number(process.env.IDLE_AFTER_USE_MS ?? 66_000);

async function idleMemory(set: EngineSet): Promise<void> {
  await Bun.sleep(quietMs);
  const idle = new Map(set.engines.map((e) => [e.name, [enginePss(e)]]));
  report(row(set, { bench, name: `idle memory, no container, ${quietMs / 1000} s after start (daemon + helpers, PSS)`, unit: "MB", better: "lower", target: "≤ 40 MB", goal: { max: 40 } }, idle));
  for (const e of set.engines) await runRm(e, ["true"]);
  await Bun.sleep(afterUseMs);
  const used = new Map(set.engines.map((e) => [e.name, [enginePss(e)]]));
  report(row(set, { bench, name: `idle memory, no container, ${afterUseMs / 1000} s after one ran and was removed (PSS)`, unit: "MB", better: "lower", target: "≤ 40 MB", goal: { max: 40 } }, used));
  const n = 10;
  const per = new Map<(typeof set.engines)[number]["name"], number[]>();
  for (const e of set.engines) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = docker(e.host, ["run", "-d", "--network", "none", "busybox", "sleep", "300"]);
      if (r.code !== 0) throw new Error(`${e.label}: run -d: ${r.stderr.trim()}`);
      ids.push(r.stdout.trim());
    }
    await Bun.sleep(1000);
    per.set(e.name, [(enginePss(e) - used.get(e.name)![0]!) / n]);
    docker(e.host, ["rm", "-f", ...ids]);
  }
  report(row(set, { bench, name: `memory per running container (${n} × sleep, PSS incl. the container)`, unit: "MB", better: "lower" }, per));
}

const none = await startEngines();
try {
  await idleMemory(none);
  await latency(none, "none", "network none", { target: "API ≤ 12 ms", goal: { max: 12 } });
  const seq = await interleaved(none, manyRuns, (e) => timeIt(async () => {
    for (let i = 0; i < many; i++) await runRm(e, ["true"]);
  }), 0);
  report(row(none, { bench, name: `create+start+rm of ${many} containers, sequential, API`, unit: "ms", better: "lower" }, seq));
  const par = await interleaved(none, manyRuns, (e) => timeIt(() => Promise.all(Array.from({ length: 10 }, () => runRm(e, ["true"])))), 0);
  report(row(none, { bench, name: "create+start+rm of 10 containers in parallel, API", unit: "ms", better: "lower" }, par));
} finally {
  await none.stop();
}

const bridged = await startEngines({ bridge: true, only: ["wharf", "docker", "podman"] });
try {
  // Both modes on the same engines, so their difference is the bridge's own cost.
  const plain = await latency(bridged, "none", "network none (on the engines with a bridge)");
  const bridge = await latency(bridged, "bridge", "default bridge");
  const adds = new Map([...bridge].map(([e, xs]) => {
    const base = [...(plain.get(e) ?? [])].sort((a, b) => a - b)[Math.floor((plain.get(e)?.length ?? 0) / 2)] ?? 0;
    return [e, xs.map((x) => x - base)];
  }));
  report(row(bridged, { bench, name: "what the default bridge adds to run --rm true (bridge − none median), API", unit: "ms", better: "lower", target: "≤ 8 ms", goal: { max: 8 } }, adds));
} finally {
  await bridged.stop();
}
