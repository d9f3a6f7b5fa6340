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

/** The rotated files of a log, oldest first: `<log>.N` … `<log>.1`. */
export function rotatedFiles(path: string): string[] {
  const out: string[] = [];
  for (let i = 1; existsSync(`${path}.${i}`); i++) out.unshift(`${path}.${i}`);
  return out;
}

/**
 * Reads one log file through an open descriptor from where it left off. The writer
 * rotates by renaming (or unlinking), so after the descriptor is drained a new inode
 * at the path means the file was rotated: the reader moves on to it from its start.
 */
class Cursor {
  private fd: number | undefined;
  private ino = -1;
  private offset = 0;
  private partial = "";

  constructor(private readonly path: string) {
    this.open();
  }

  private open(): boolean {
    try {
      this.fd = openSync(this.path, "r");
    } catch {
      return false;
    }
    this.ino = fstatSync(this.fd).ino;
    this.offset = 0;
    this.partial = "";
    return true;
  }

  private drain(out: LogEntry[]): void {
    if (this.fd === undefined) return;
    for (;;) {
      const size = fstatSync(this.fd).size;
      if (size < this.offset) this.offset = 0; // truncated by someone else: start over
      if (size === this.offset) return;
      const buf = Buffer.alloc(Math.min(size - this.offset, 8 << 20));
      const n = readSync(this.fd, buf, 0, buf.length, this.offset);
      if (n <= 0) return;
      this.offset += n;
      const lines = (this.partial + buf.toString("utf8", 0, n)).split("\n");
      this.partial = lines.pop() ?? "";
      for (const l of lines) {
        const e = parseLine(l);
        if (e) out.push(e);
      }
    }
  }

  /** New entries since the last call, across rotations. */
  read(): LogEntry[] {
    const out: LogEntry[] = [];
    for (let hops = 0; hops < 100; hops++) {
      this.drain(out);
      let st;
      try {
        st = statSync(this.path);
      } catch {
        return out; // rotated away, the new file not there yet
      }
      if (this.fd !== undefined && st.ino === this.ino) return out;
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      if (!this.open()) return out;
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
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
  // Open the current file first: a rotation meanwhile then shows up as a new inode.
  const cur = new Cursor(path);
  try {
    const tail = opts.tail !== undefined && opts.tail >= 0 ? opts.tail : undefined;
    if (tail === 0) {
      cur.read(); // skip the backlog
    } else {
      let backlog: LogEntry[] = [];
      for (const f of rotatedFiles(path)) {
        backlog.push(...readAll(f).filter(keep));
        if (tail !== undefined && backlog.length > tail) backlog = backlog.slice(-tail);
      }
      backlog.push(...cur.read().filter(keep));
      if (tail !== undefined) backlog = backlog.slice(-tail);
      yield* backlog;
    }
    if (!opts.follow) return;
    let stopped = false;
    void opts.stop?.then(() => (stopped = true));
    let wake: (() => void) | undefined;
    let watcher = safeWatch(path, () => wake?.());
    try {
      for (;;) {
        // Attached before the start, the file appears later: watch it once it does.
        watcher ??= safeWatch(path, () => wake?.());
        for (const e of cur.read()) {
          if (opts.untilNano !== undefined && timeNano(e.time) > opts.untilNano) return;
          if (keep(e)) yield e;
        }
        if (stopped) {
          // One last drain: the writer may have flushed after the stop signal.
          for (const e of cur.read()) if (keep(e)) yield e;
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
  } finally {
    cur.close();
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
