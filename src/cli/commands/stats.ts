// docker stats: one row per container, computed as the docker CLI computes them
// (CPU % from the cpu/precpu deltas, memory without the inactive page cache), once
// with --no-stream, else redrawn as new samples arrive.
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { humanSize } from "../common.ts";
import { formatList } from "../render/format.ts";
import { errorFromResponse, readAll } from "../../client/client.ts";

const defaultFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";
const headers = {
  ID: "CONTAINER ID", Container: "CONTAINER", Name: "NAME", CPUPerc: "CPU %", MemUsage: "MEM USAGE / LIMIT",
  MemPerc: "MEM %", NetIO: "NET I/O", BlockIO: "BLOCK I/O", PIDs: "PIDS",
};

/** go-units BytesSize: binary units, four significant digits. */
export function bytesSize(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

export interface StatsRow {
  ID: string;
  Container: string;
  Name: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

/** One table row from one API sample, as docker's CLI computes it. */
/** One stats sample as the daemon streams it (docker's types.StatsJSON; only what a row reads). */
export interface StatsSample {
  id?: string;
  name?: string;
  read?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value: number }[] | null };
  pids_stats?: { current?: number };
}
type CpuStats = { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };

export function statsRow(s: StatsSample, ref: string, noTrunc: boolean): StatsRow {
  const id: string = s.id ?? "";
  const name = String(s.name ?? "").replace(/^\//, "");
  if (!s.read || s.read.startsWith("0001-")) {
    return { ID: noTrunc ? id : id.slice(0, 12), Container: ref, Name: name || "--", CPUPerc: "0.00%", MemUsage: "0B / 0B", MemPerc: "0.00%", NetIO: "0B / 0B", BlockIO: "0B / 0B", PIDs: "0" };
  }
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const online = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
  const cpu = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * online * 100 : 0;
  const m = s.memory_stats ?? {};
  const st = m.stats ?? {};
  // cgroup v1 counts the page cache; docker subtracts the inactive part (v2: inactive_file).
  const inactive = st.total_inactive_file ?? st.inactive_file ?? 0;
  const usage = Math.max(0, (m.usage ?? 0) - (inactive < (m.usage ?? 0) ? inactive : 0));
  const limit = m.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  let read = 0;
  let write = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = String(e.op ?? "").toLowerCase();
    if (op === "read") read += e.value;
    if (op === "write") write += e.value;
  }
  return {
    ID: noTrunc ? id : id.slice(0, 12),
    Container: ref,
    Name: name,
    CPUPerc: `${cpu.toFixed(2)}%`,
    MemUsage: `${bytesSize(usage)} / ${bytesSize(limit)}`,
    MemPerc: `${(limit ? (usage / limit) * 100 : 0).toFixed(2)}%`,
    NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
    BlockIO: `${humanSize(read)} / ${humanSize(write)}`,
    PIDs: String(s.pids_stats?.current ?? 0),
  };
}

async function* samples(ref: string, stream: boolean): AsyncGenerator<StatsSample> {
  const res = await getClient().request("GET", `/containers/${encodeURIComponent(ref)}/stats`, { query: { stream: stream ? 1 : 0 } });
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  let buf = "";
  const dec = new TextDecoder();
  for await (const chunk of res) {
    buf += dec.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as StatsSample;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as StatsSample;
}

export const stats: Runner = async (p) => {
  const client = getClient();
  let refs = p.positionals;
  if (!refs.length) {
    const list = await client.json<{ Id: string }[]>("GET", "/containers/json", { query: { all: bool(p, "all") ? 1 : undefined } });
    refs = list.map((c) => c.Id);
  }
  const format = str(p, "format") || defaultFormat;
  const noTrunc = bool(p, "no-trunc");
  const render = (rows: StatsRow[]) => formatList(format, rows, headers);
  if (bool(p, "no-stream")) {
    const rows: StatsRow[] = [];
    const errors: string[] = [];
    await Promise.all(
      refs.map(async (ref, i) => {
        try {
          for await (const s of samples(ref, false)) rows[i] = statsRow(s, ref, noTrunc);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }),
    );
    process.stdout.write(render(rows.filter(Boolean)));
    if (errors.length) throw new ExitError(1, errors.join("\n"));
    return;
  }
  // Live: each container streams; the table is redrawn from the latest rows.
  const latest = new Map<string, StatsRow>();
  let dirty = true;
  const streams = refs.map(async (ref) => {
    try {
      for await (const s of samples(ref, true)) {
        latest.set(ref, statsRow(s, ref, noTrunc));
        dirty = true;
      }
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
    }
  });
  const tty = process.stdout.isTTY;
  const timer = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    const rows = refs.map((r) => latest.get(r)).filter((r): r is StatsRow => !!r);
    process.stdout.write((tty ? "\x1b[2J\x1b[H" : "") + render(rows));
  }, 500);
  try {
    await Promise.all(streams);
  } finally {
    clearInterval(timer);
  }
};
