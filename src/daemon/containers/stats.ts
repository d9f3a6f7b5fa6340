// docker stats: cgroup counters in the shape dockerd sends (cpu_stats and precpu_stats
// with the host's system_cpu_usage from /proc/stat, memory_stats with the raw stat
// keys, pids, networks from the container's /proc/<pid>/net/dev).
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import type { Container } from "../../container/container.ts";
import type { ContainerContext } from "./context.ts";
import { zeroTime } from "../../time.ts";

// USER_HZ: /proc/stat counts in 1/100 s on every Linux Docker runs on.
const tick = 1e9 / 100;

export function systemCpuUsage(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return 0;
  // user nice system idle iowait irq softirq steal (guest is already counted in user)
  return line.trim().split(/\s+/).slice(1, 9).reduce((n, v) => n + Number(v), 0) * tick;
}

function networks(pid: number): Record<string, Record<string, number>> | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/dev`, "utf8");
  } catch {
    return undefined;
  }
  const out: Record<string, Record<string, number>> = {};
  for (const line of text.split("\n").slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === "lo") continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out[m[1]!] = {
      rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!,
      tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]!,
    };
  }
  return out;
}

const emptyBlkio = () => ({
  io_service_bytes_recursive: [], io_serviced_recursive: [], io_queue_recursive: [],
  io_service_time_recursive: [], io_wait_time_recursive: [], io_merged_recursive: [],
  io_time_recursive: [], sectors_recursive: [],
});

function cpuBlock(total = 0, percpu: number[] = [], system = 0, online = 0) {
  return {
    cpu_usage: { total_usage: total, ...(percpu.length ? { percpu_usage: percpu } : {}), usage_in_kernelmode: 0, usage_in_usermode: 0 },
    ...(system ? { system_cpu_usage: system } : {}),
    ...(online ? { online_cpus: online } : {}),
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/** The stats of a container that is not running: dockerd's zero sample with name and id. */
function emptySample(c: Container) {
  return {
    read: zeroTime, preread: zeroTime, pids_stats: {}, blkio_stats: emptyBlkio(), num_procs: 0, storage_stats: {},
    cpu_stats: cpuBlock(), precpu_stats: cpuBlock(), memory_stats: {}, name: `/${c.name}`, id: c.id,
  };
}

interface Sample {
  read: string;
  cpu: ReturnType<typeof cpuBlock>;
  body: Record<string, unknown>;
}

function sample(ctx: ContainerContext, c: Container): Sample | undefined {
  if (!c.state.s.Running || !ctx.exec.stats) return undefined;
  const st = ctx.exec.stats(c);
  const online = st.cpuPerCpuNanos.length || cpus().length;
  const cpu = cpuBlock(st.cpuUsageNanos, st.cpuPerCpuNanos, systemCpuUsage(), online);
  // An unlimited cgroup reports a huge limit; dockerd shows the machine's memory instead.
  const limit = !st.memoryLimit || st.memoryLimit > totalmem() ? totalmem() : st.memoryLimit;
  const body: Record<string, unknown> = {
    pids_stats: { current: st.pidsCurrent, ...(st.pidsLimit > 0 ? { limit: st.pidsLimit } : {}) },
    blkio_stats: st.blkio
      ? { ...emptyBlkio(), io_service_bytes_recursive: st.blkio.serviceBytes, io_serviced_recursive: st.blkio.serviced }
      : emptyBlkio(),
    num_procs: 0,
    storage_stats: {},
    memory_stats: {
      usage: st.memoryUsage,
      ...(st.memoryMaxUsage ? { max_usage: st.memoryMaxUsage } : {}),
      stats: st.memoryStat,
      ...(st.memoryFailcnt ? { failcnt: st.memoryFailcnt } : {}),
      limit,
    },
  };
  const net = networks(c.state.s.Pid);
  if (net) body.networks = net;
  return { read: new Date().toISOString(), cpu, body };
}

function compose(c: Container, cur: Sample, prev: Sample | undefined) {
  return {
    read: cur.read,
    preread: prev?.read ?? zeroTime,
    pids_stats: cur.body.pids_stats,
    blkio_stats: cur.body.blkio_stats,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cur.cpu,
    precpu_stats: prev?.cpu ?? cpuBlock(),
    memory_stats: cur.body.memory_stats,
    name: `/${c.name}`,
    id: c.id,
    ...(cur.body.networks ? { networks: cur.body.networks } : {}),
  };
}

/**
 * The samples to send: one (one-shot: without precpu; else two reads a second apart,
 * as dockerd's collector gives), or one a second while streaming until the container
 * stops or `closed` resolves.
 */
export async function* containerStats(
  ctx: ContainerContext,
  ref: string,
  o: { stream: boolean; oneShot: boolean; closed: Promise<void> },
): AsyncGenerator<Record<string, unknown>> {
  const c = ctx.store.lookup(ref);
  let gone = false;
  void o.closed.then(() => (gone = true));
  let prev = sample(ctx, c);
  if (!prev) {
    yield emptySample(c);
    return;
  }
  if (o.oneShot || o.stream) {
    // A live view shows a first line at once (its CPU % reads 0 until the next one).
    yield compose(c, prev, undefined);
    if (!o.stream) return;
  }
  for (;;) {
    await Promise.race([Bun.sleep(1000), o.closed]);
    if (gone) return;
    const cur = sample(ctx, c);
    if (!cur) {
      if (o.stream) yield emptySample(c);
      return;
    }
    yield compose(c, cur, prev);
    if (!o.stream) return;
    prev = cur;
  }
}
