// Docker's json-file log format: one JSON object a line,
// {"log":"text\n","stream":"stdout"|"stderr","time":"RFC3339Nano"}. Reading supports
// tail, since/until and follow (inotify through fs.watch, with a poll as a backstop).
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync, watch } from "node:fs";

export interface LogEntry {
  stream: "stdout" | "stderr";
  time: string;
  log: string;
}

export function encodeEntry(e: LogEntry): string {
  return JSON.stringify({ log: e.log, stream: e.stream, time: e.time }) + "\n";
}

/** Nanoseconds since the epoch from an RFC 3339 time with up to nine fraction digits. */
export function timeNano(t: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return 0n;
  const secs = BigInt(Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000));
  return secs * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0").slice(0, 9) || "0");
}

function parseLine(line: string): LogEntry | undefined {
  try {
    const o = JSON.parse(line);
    if (typeof o.log !== "string") return undefined;
    return { log: o.log, stream: o.stream === "stderr" ? "stderr" : "stdout", time: String(o.time ?? "") };
  } catch {
    return undefined; // a torn last line while the writer is mid-write
  }
}

export interface ReadOptions {
  tail?: number; // last N entries; undefined = all
  sinceNano?: bigint;
  untilNano?: bigint;
  follow?: boolean;
  /** While following: resolves when reading should stop (container exited, client left). */
  stop?: Promise<unknown>;
}

/**
 * Yields entries from the file (and its rotated predecessors `.1`, `.2`… for the
 * backlog), then, when following, new entries until `stop` resolves and the file has
 * been drained.
 */
export async function* readLog(path: string, opts: ReadOptions): AsyncGenerator<LogEntry> {
  const keep = (e: LogEntry) => {
    if (opts.sinceNano !== undefined && timeNano(e.time) < opts.sinceNano) return false;
    if (opts.untilNano !== undefined && timeNano(e.time) > opts.untilNano) return false;
    return true;
  };
  const files: string[] = [];
  for (let i = 9; i >= 1; i--) if (existsSync(`${path}.${i}`)) files.push(`${path}.${i}`);
  let backlog: LogEntry[] = [];
  for (const f of files) backlog.push(...readAll(f).filter(keep));
  let offset = 0;
  let partial = "";
  const readNew = (): LogEntry[] => {
    if (!existsSync(path)) return [];
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      if (size < offset) offset = 0; // rotated under us: start the new file
      if (size === offset) return [];
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      const text = partial + buf.toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      return lines.map(parseLine).filter((e): e is LogEntry => !!e);
    } finally {
      closeSync(fd);
    }
  };
  backlog.push(...readNew().filter(keep));
  if (opts.tail !== undefined && opts.tail >= 0) backlog = opts.tail === 0 ? [] : backlog.slice(-opts.tail);
  yield* backlog;
  if (!opts.follow) return;
  let stopped = false;
  void opts.stop?.then(() => (stopped = true));
  let wake: (() => void) | undefined;
  let watcher = safeWatch(path, () => wake?.());
  try {
    for (;;) {
      // Attached before the start, the file appears later: watch it once it does.
      watcher ??= safeWatch(path, () => wake?.());
      for (const e of readNew()) {
        if (opts.untilNano !== undefined && timeNano(e.time) > opts.untilNano) return;
        if (keep(e)) yield e;
      }
      if (stopped) {
        // One last drain: the writer may have flushed after the stop signal.
        for (const e of readNew()) if (keep(e)) yield e;
        return;
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 250);
        void opts.stop?.then(() => r());
      });
    }
  } finally {
    watcher?.close();
  }
}

function readAll(path: string): LogEntry[] {
  const text = readFileSync(path, "utf8");
  return text.split("\n").map(parseLine).filter((e): e is LogEntry => !!e);
}

function safeWatch(path: string, cb: () => void) {
  try {
    if (!existsSync(path)) return undefined;
    statSync(path);
    return watch(path, cb);
  } catch {
    return undefined;
  }
}
