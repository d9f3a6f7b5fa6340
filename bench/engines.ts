// The engines a benchmark measures side by side: wharf, a real dockerd and Podman, each
// started for this run on its own socket and data root with busybox loaded from the
// same fixture. A peer that cannot run here is reported with its reason, never with a
// figure from elsewhere. Ctrl-C or a failure stops every engine started.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { docker, root, startDockerd, startWharf, type BenchDaemon } from "./lib.ts";
import { startPodman } from "./podman.ts";
import { measured, type Cell, type EngineName, type Row } from "./report.ts";

export const busyboxArchive = resolve(root, "test/fixtures/busybox-docker-save.tar");

export interface Engine {
  name: EngineName;
  label: string;
  host: string;
  sock: string;
  /** The path prefix of the newest API version this engine serves (dockerd 20.10 and Podman 4.3 stop at 1.41). */
  api: string;
  daemon: BenchDaemon;
}

export interface EngineSet {
  engines: Engine[];
  /** Why an engine is not in the set. */
  absent: Partial<Record<EngineName, string>>;
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Rows that need a default bridge: dockerd gets one of its own; Podman's netavark bridge would rewrite the host's iptables, so it sits those out. */
  bridge?: boolean;
  only?: EngineName[];
  extraWharfArgs?: string[];
  /** dockerd runs without iptables here, so its published ports need its userland proxy. */
  userlandProxy?: boolean;
}

const running = new Set<EngineSet>();
let trapped = false;
function trapSignals(): void {
  if (trapped) return;
  trapped = true;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, async () => {
      for (const s of running) await s.stop().catch(() => {});
      process.exit(130);
    });
  }
}

export async function startEngines(opts: EngineOptions = {}): Promise<EngineSet> {
  trapSignals();
  const want = (e: EngineName) => !opts.only || opts.only.includes(e);
  const set: EngineSet = {
    engines: [],
    absent: {},
    async stop() {
      running.delete(set);
      for (const e of set.engines.splice(0)) await e.daemon.stop().catch((err) => console.log(`${e.name}: stop failed: ${err}`));
    },
  };
  running.add(set);
  try {
    if (want("wharf")) {
      const d = await startWharf(opts.extraWharfArgs ?? []);
      set.engines.push({ name: "wharf", label: "wharf", host: d.host, sock: d.sock, api: "/v1.45", daemon: d });
    }
    if (want("docker")) {
      const d = await startDockerd({ bridge: opts.bridge, userlandProxy: opts.userlandProxy });
      if (d) set.engines.push({ name: "docker", label: `Docker ${d.version}`, host: d.host, sock: d.sock, api: "/v1.41", daemon: d });
      else set.absent.docker = "no dockerd could run here";
    }
    if (want("podman")) {
      if (opts.bridge) set.absent.podman = "its bridge (netavark) rewrites the host's iptables";
      else {
        const d = await startPodman();
        if (d) set.engines.push({ name: "podman", label: `Podman ${d.version}`, host: d.host, sock: d.sock, api: "/v1.41", daemon: d });
        else set.absent.podman = "Podman could not run here";
      }
    }
    for (const e of set.engines) {
      const r = docker(e.host, ["load", "-q", "-i", busyboxArchive]);
      if (r.code !== 0) throw new Error(`${e.label}: docker load failed: ${r.stderr.trim()}`);
    }
  } catch (err) {
    await set.stop();
    throw err;
  }
  return set;
}

/**
 * Runs `fn` `runs` times on each engine, interleaved (a round visits every engine, in an
 * order that alternates), after `warmup` unrecorded rounds, so drift in the machine's
 * speed hits all engines alike. `fn` returns the figure of one run.
 */
export async function interleaved(
  set: EngineSet,
  runs: number,
  fn: (e: Engine) => Promise<number> | number,
  warmup = 1,
): Promise<Map<EngineName, number[]>> {
  const out = new Map<EngineName, number[]>(set.engines.map((e) => [e.name, []]));
  for (let r = -warmup; r < runs; r++) {
    const order = r % 2 ? [...set.engines].reverse() : set.engines;
    for (const e of order) {
      const x = await fn(e);
      if (r >= 0) out.get(e.name)!.push(x);
    }
  }
  return out;
}

/** A report row from per-engine runs; engines with no runs say why they are missing. */
export function row(
  set: EngineSet,
  base: Omit<Row, "cells">,
  results: Map<EngineName, number[]>,
  notApplicable: Partial<Record<EngineName, string>> = {},
): Row {
  const cell = (e: EngineName): Cell => {
    const why = notApplicable[e] ?? set.absent[e];
    if (why) return { skipped: why };
    const xs = results.get(e);
    return xs?.length ? measured(xs) : { skipped: "not part of this run" };
  };
  return { ...base, cells: { wharf: cell("wharf"), docker: cell("docker"), podman: cell("podman") } };
}

/** PSS in MB of every process an engine keeps: its daemon, the daemon's descendants, and whatever carries its directory in argv (conmon, shims). */
export function enginePss(e: Engine): number {
  const pids = new Set<number>([e.daemon.pid]);
  const procs = readdirSync("/proc").filter((p) => /^\d+$/.test(p)).map(Number);
  const parent = new Map<number, number>();
  for (const p of procs) {
    try {
      parent.set(p, Number(readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ")[1]));
      if (readFileSync(`/proc/${p}/cmdline`, "utf8").includes(e.daemon.dir)) pids.add(p);
    } catch {}
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of parent) if (!pids.has(p) && pids.has(pp)) (pids.add(p), (grew = true));
  }
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {}
  }
  return kb / 1024;
}
