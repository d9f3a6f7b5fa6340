// `npm run bench:soak [-- --minutes 5 --clients 100]`: a load test. N concurrent clients,
// each one request (or one container lifecycle) at a time over the daemon's unix socket,
// for a fixed time, driving a mix: ping, create/start/wait/rm, inspect, list, exec. It
// reports every error (the goal is 0), latency percentiles per operation (`/_ping` p99
// in particular), and the daemon's and monitor's RSS and open descriptors sampled over
// the run, first minute against last, to show they stay flat. Its own wharf daemon
// lives in a temporary directory and leaves nothing behind, also when the run fails.
// Writes bench/results/soak.json and soak.md (--out NAME for others). Not part of `npm run bench` (it takes
// minutes by design).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { startEngines, type Engine } from "./engines.ts";
import { call, execApi, json, startAndWait } from "./api.ts";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} wants a positive number, got ${process.argv[i + 1]}`);
  return v;
}
const minutes = flag("minutes", 5);
const clients = Math.round(flag("clients", 100));
/** At most this many containers of the lifecycle op exist at once (the rest of the mix goes on meanwhile). */
const maxContainers = Math.round(flag("max-containers", 16));
const sampleEveryMs = 5_000;
/** bench/results/NAME.json and .md. */
const outName = (() => {
  const i = process.argv.indexOf("--out");
  const v = i >= 0 ? process.argv[i + 1] ?? "" : "soak";
  if (!/^[A-Za-z0-9_.-]+$/.test(v)) throw new Error(`--out wants a file name (letters, digits, . _ -), got ${JSON.stringify(v)}`);
  return v;
})();

type Op = "ping" | "lifecycle" | "inspect" | "list" | "exec";
/** Weights of the mix, out of 100. */
const mix: [Op, number][] = [
  ["ping", 40],
  ["inspect", 20],
  ["list", 15],
  ["exec", 10],
  ["lifecycle", 15],
];

interface Sample {
  t: number;
  daemonRssMb: number;
  daemonFds: number;
  daemonThreads: number;
  monitorRssMb?: number;
  monitorFds?: number;
  containers: number;
}

function procStat(pid: number): { rssMb: number; fds: number; threads: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { rssMb: kb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length, threads };
  } catch {
    return undefined;
  }
}

/** The daemon's monitor: argv0 wharf-monitor, its first argument under the daemon's exec root. */
function monitorPid(e: Engine): number | undefined {
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
      if (argv[0] === "wharf-monitor" && argv[1]?.startsWith(e.daemon.execRoot)) return Number(p);
    } catch {}
  }
  return undefined;
}

/** The default bridge the bench gave the daemon (`--bridge NAME` in its argv). */
function bridgeOf(pid: number): string {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  return argv[argv.indexOf("--bridge") + 1] ?? "";
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** What a run could leave on the host: mounts and processes of its directory, its bridge's links and rules. */
function hostState(dir: string, bridge: string): string[] {
  const out: string[] = [];
  for (const l of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) if ((l.split(" ")[4] ?? "").startsWith(dir)) out.push(`mount ${l.split(" ")[4]}`);
  const sh = (c: string) => Bun.spawnSync(["sh", "-c", c], { stderr: "ignore" }).stdout.toString();
  for (const l of sh("ip -o link show").split("\n")) if (bridge && l.includes(bridge)) out.push(`link ${l.split(":")[1]?.trim()}`);
  for (const l of sh("iptables-save").split("\n")) if (bridge && l.includes(bridge)) out.push(`iptables ${l.trim()}`);
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmd.includes(dir)) out.push(`process ${p}: ${cmd.trim().slice(0, 120)}`);
    } catch {}
  }
  if (existsSync(dir)) out.push(`folder ${dir}`);
  return out;
}

const started = new Date();
const set = await startEngines({ only: ["wharf"] });
const e = set.engines[0]!;
const bridge = bridgeOf(e.daemon.pid);
const lat = new Map<Op, number[]>(mix.map(([op]) => [op, []]));
const errors: { t: number; op: Op; message: string }[] = [];
let errorCount = 0;
const samples: Sample[] = [];
let inFlightContainers = 0;
let failed: unknown;
const t0 = performance.now();
try {
  const target = await json<{ Id: string }>(e, "POST", "/containers/create?name=soak-target", {
    Image: "busybox",
    Cmd: ["sleep", "86400"],
    HostConfig: { NetworkMode: "none" },
  });
  await call(e, "POST", `/containers/${target.Id}/start`);

  const ops: Record<Op, () => Promise<void>> = {
    async ping() {
      const r = await call(e, "GET", "/_ping");
      const body = await r.text();
      if (body !== "OK") throw new Error(`/_ping answered ${JSON.stringify(body)}`);
    },
    async inspect() {
      const c = await json<{ State: { Running: boolean } }>(e, "GET", `/containers/${target.Id}/json`);
      if (!c.State.Running) throw new Error("the exec target is not running");
    },
    async list() {
      const cs = await json<{ Id: string }[]>(e, "GET", "/containers/json?all=1");
      if (!cs.some((c) => c.Id === target.Id)) throw new Error("the exec target is not listed");
    },
    async exec() {
      const code = await execApi(e, target.Id, ["true"]);
      if (code !== 0) throw new Error(`exec true exited ${code}`);
    },
    async lifecycle() {
      // Half on the daemon's bridge (veths, addresses, rules to tear down), half without.
      const network = Math.random() < 0.5 ? "bridge" : "none";
      const { Id } = await json<{ Id: string }>(e, "POST", "/containers/create", { Image: "busybox", Cmd: ["true"], HostConfig: { NetworkMode: network } });
      try {
        const StatusCode = await startAndWait(e, Id);
        if (StatusCode !== 0) throw new Error(`true exited ${StatusCode} (${network})`);
      } finally {
        await call(e, "DELETE", `/containers/${Id}?v=1&force=1`);
      }
    },
  };
  const pickOp = (): Op => {
    let x = Math.random() * 100;
    for (const [op, w] of mix) if ((x -= w) < 0) return op;
    return "ping";
  };

  const deadline = t0 + minutes * 60_000;
  const client = async () => {
    while (performance.now() < deadline) {
      let op = pickOp();
      if (op === "lifecycle" && inFlightContainers >= maxContainers) op = "ping";
      if (op === "lifecycle") inFlightContainers++;
      const s = performance.now();
      try {
        await ops[op]();
        lat.get(op)!.push(performance.now() - s);
      } catch (err) {
        errorCount++;
        if (errors.length < 50) errors.push({ t: (s - t0) / 1000, op, message: String((err as Error).message ?? err).slice(0, 300) });
      } finally {
        if (op === "lifecycle") inFlightContainers--;
      }
    }
  };
  const sample = async () => {
    const d = procStat(e.daemon.pid);
    const mp = monitorPid(e);
    const m = mp ? procStat(mp) : undefined;
    const containers = (await json<unknown[]>(e, "GET", "/containers/json?all=1").catch(() => [])).length;
    if (d) {
      samples.push({
        t: (performance.now() - t0) / 1000,
        daemonRssMb: d.rssMb,
        daemonFds: d.fds,
        daemonThreads: d.threads,
        monitorRssMb: m?.rssMb,
        monitorFds: m?.fds,
        containers,
      });
    }
  };
  await sample();
  const sampler = setInterval(() => void sample(), sampleEveryMs);
  const progress = setInterval(() => {
    const done = [...lat.values()].reduce((n, xs) => n + xs.length, 0);
    const last = samples[samples.length - 1];
    console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s: ${done} ops, ${errorCount} errors, daemon ${last?.daemonRssMb.toFixed(0)} MB ${last?.daemonFds} fds`);
  }, 30_000);
  await Promise.all(Array.from({ length: clients }, client));
  clearInterval(sampler);
  clearInterval(progress);
  await sample();
  // After the load: only the target is left, nothing half-removed.
  const left = await json<{ Id: string; Names: string[] }[]>(e, "GET", "/containers/json?all=1");
  if (left.length !== 1) {
    errorCount++;
    errors.push({ t: (performance.now() - t0) / 1000, op: "list", message: `after the run ${left.length} containers exist, expected only soak-target` });
  }
} catch (err) {
  failed = err;
} finally {
  await set.stop();
}
const elapsed = (performance.now() - t0) / 1000;
const leftBehind = hostState(e.daemon.dir, bridge);

// --- the report
const r1 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? "—" : x.toFixed(1));
const opStats = mix.map(([op]) => {
  const xs = [...lat.get(op)!].sort((a, b) => a - b);
  return { op, count: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs[xs.length - 1] ?? NaN };
});
const total = opStats.reduce((n, s) => n + s.count, 0);
const inWindow = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t <= to);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
const windows = [
  { name: "first minute", samples: inWindow(0, Math.min(60, elapsed / 2)) },
  { name: "last minute", samples: inWindow(Math.max(elapsed - 60, elapsed / 2), Infinity) },
];
const resource = (get: (s: Sample) => number | undefined) =>
  windows.map((w) => {
    const xs = w.samples.map(get).filter((x): x is number => x !== undefined);
    return { window: w.name, mean: mean(xs), max: maxOf(xs) };
  });
const resources = {
  daemonRssMb: resource((s) => s.daemonRssMb),
  daemonFds: resource((s) => s.daemonFds),
  daemonThreads: resource((s) => s.daemonThreads),
  monitorRssMb: resource((s) => s.monitorRssMb),
  monitorFds: resource((s) => s.monitorFds),
};
/** Mean of each figure per minute of the run, to see a trend rather than two points. */
const perMinute = Array.from({ length: Math.ceil(elapsed / 60) }, (_, i) => {
  const xs = inWindow(i * 60, (i + 1) * 60 - 1e-9);
  const avg = (get: (s: Sample) => number | undefined) => mean(xs.map(get).filter((x): x is number => x !== undefined));
  return { minute: i + 1, samples: xs.length, daemonRssMb: avg((s) => s.daemonRssMb), daemonFds: avg((s) => s.daemonFds), monitorRssMb: avg((s) => s.monitorRssMb), monitorFds: avg((s) => s.monitorFds), containers: avg((s) => s.containers) };
}).filter((m) => m.samples > 0);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`;
const command = `npm run bench:soak -- --minutes ${minutes} --clients ${clients}${outName === "soak" ? "" : ` --out ${outName}`}`;
const result = {
  measured: started.toISOString(),
  machine,
  command,
  minutes,
  clients,
  maxContainers,
  elapsedSeconds: elapsed,
  operations: total,
  perSecond: total / elapsed,
  errors: errorCount,
  errorSamples: errors,
  failed: failed ? String((failed as Error).stack ?? failed) : undefined,
  latencyMs: opStats,
  resources,
  perMinute,
  samples,
  leftBehind,
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", `${outName}.json`), JSON.stringify(result, null, 2) + "\n");
const ping = opStats.find((s) => s.op === "ping")!;
const resRow = (name: string, xs: { mean: number; max: number }[]) => `| ${name} | ${r1(xs[0]?.mean)} (max ${r1(xs[0]?.max)}) | ${r1(xs[1]?.mean)} (max ${r1(xs[1]?.max)}) |`;
const md = [
  `# Soak: ${clients} clients for ${minutes} min`,
  "",
  `Measured ${started.toISOString()} on ${machine}, with \`${command}\`: one wharf daemon of its own, unix socket, ${clients} clients each doing one operation at a time (mix: ${mix.map(([o, w]) => `${o} ${w}%`).join(", ")}; at most ${maxContainers} lifecycle containers at once, half on the default bridge).`,
  "",
  `**${total} operations in ${elapsed.toFixed(0)} s (${(total / elapsed).toFixed(0)}/s), ${errorCount} errors. \`/_ping\` p99 ${r1(ping.p99)} ms.**${failed ? ` The run failed: ${String((failed as Error).message ?? failed)}` : ""}`,
  "",
  "| operation | count | p50 ms | p99 ms | max ms |",
  "|---|---|---|---|---|",
  ...opStats.map((s) => `| ${s.op === "lifecycle" ? "create/start/wait/rm" : s.op} | ${s.count} | ${r1(s.p50)} | ${r1(s.p99)} | ${r1(s.max)} |`),
  "",
  `Resources sampled every ${sampleEveryMs / 1000} s (${samples.length} samples): mean (max) over the window.`,
  "",
  "| | first minute | last minute |",
  "|---|---|---|",
  resRow("daemon RSS MB", resources.daemonRssMb),
  resRow("daemon open fds", resources.daemonFds),
  resRow("daemon threads", resources.daemonThreads),
  resRow("monitor RSS MB", resources.monitorRssMb),
  resRow("monitor open fds", resources.monitorFds),
  "",
  "Per minute (mean of the samples in it):",
  "",
  "| minute | daemon RSS MB | daemon fds | monitor RSS MB | monitor fds | containers |",
  "|---|---|---|---|---|---|",
  ...perMinute.map((m) => `| ${m.minute} | ${r1(m.daemonRssMb)} | ${r1(m.daemonFds)} | ${r1(m.monitorRssMb)} | ${r1(m.monitorFds)} | ${r1(m.containers)} |`),
  "",
  "Latencies are those of a closed loop: every client waits for its answer before its next request, so with the daemon saturated a ping queues behind the other clients' work (by Little's law, about clients ÷ throughput on average).",
  "",
  errors.length ? `Errors (first ${errors.length}):\n\n${errors.map((x) => `- ${x.t.toFixed(1)} s ${x.op}: ${x.message}`).join("\n")}` : "Errors: none.",
  "",
  leftBehind.length ? `Left behind: ${leftBehind.join("; ")}.` : "Left behind: nothing (no mount, process or folder of its directory, no link or iptables rule of its bridge).",
];
writeFileSync(join(import.meta.dir, "results", `${outName}.md`), md.join("\n") + "\n");
console.log(md.join("\n"));
console.log(`\nwritten: bench/results/${outName}.json, bench/results/${outName}.md`);
process.exit(failed || errorCount || leftBehind.length ? 1 : 0);
