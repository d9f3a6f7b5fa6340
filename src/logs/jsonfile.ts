// Docker's json-file log format: one JSON object a line,
// {"log":"text\n","stream":"stdout"|"stderr","time":"RFC3339Nano"}. Reading supports
// tail, since/until and follow (inotify through fs.watch, with a poll as a backstop).
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync, watch } from "node:fs";

export interface LogEntry {
  stream: "stdout" | "stderr";
  time: string;
  log: string;
}

// Text that JSON carries as is (no quote, backslash or control character but a final newline).
const plainText = /^[^"\\\x00-\x1f\x7f\u2028\u2029<>&]*\n?$/;
// Go's encoder (Docker's) escapes these for HTML safety; the bytes on disk match Docker's.
const htmlEscapes: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };

export function encodeEntry(e: LogEntry): string {
  // The common case without JSON.stringify: same bytes, a fraction of the time.
  if (plainText.test(e.log)) {
    const nl = e.log.endsWith("\n");
    return `{"log":"${nl ? e.log.slice(0, -1) + "\\n" : e.log}","stream":"${e.stream}","time":"${e.time}"}\n`;
  }
  return JSON.stringify({ log: e.log, stream: e.stream, time: e.time }).replace(/[<>&\u2028\u2029]/g, (c) => htmlEscapes[c]!) + "\n";
}

/** Nanoseconds since the epoch from an RFC 3339 time with up to nine fraction digits. */
export function timeNano(t: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return 0n;
  const secs = BigInt(Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000));
  return secs * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0").slice(0, 9) || "0");
}

function parseLine(line: string): LogEntry | undefined {
  // Lines in Docker's own field order: only the log text may need JSON's unescaping.
  const at = line.lastIndexOf('","stream":"');
  if (at >= 8 && line.startsWith('{"log":"') && line.endsWith('"}') && line.startsWith('","time":"', at + 18)) {
    const stream = line.slice(at + 12, at + 18);
    const time = line.slice(at + 28, -2);
    if ((stream === "stdout" || stream === "stderr") && !time.includes('"')) {
      const raw = line.slice(8, at);
      const nl = raw.endsWith("\\n");
      const body = nl ? raw.slice(0, -2) : raw;
      const log = body.includes("\\") ? unescape(raw) : nl ? body + "\n" : body;
      if (log !== undefined) return { log, stream, time };
    }
  }
  try {
    const o = JSON.parse(line);
    if (typeof o.log !== "string") return undefined;
    return { log: o.log, stream: o.stream === "stderr" ? "stderr" : "stdout", time: String(o.time ?? "") };
  } catch {
    return undefined; // a torn last line while the writer is mid-write
  }
}

function unescape(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`);
  } catch {
    return undefined;
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

/** The rotated files of a log, oldest first: `<log>.N` … `<log>.1` (or `.N.gz` with compress). */
export function rotatedFiles(path: string): string[] {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    if (existsSync(`${path}.${i}`)) out.unshift(`${path}.${i}`);
    else if (existsSync(`${path}.${i}.gz`)) out.unshift(`${path}.${i}.gz`);
    else break;
  }
  return out;
}

/** The entries of a gzipped rotated file, in chunks. */
function* gzipChunks(path: string): Generator<LogEntry[]> {
  let text: string;
  try {
    text = Buffer.from(Bun.gunzipSync(readFileSync(path))).toString("utf8");
  } catch {
    return; // rotated away meanwhile
  }
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 50_000) {
    const out: LogEntry[] = [];
    for (const l of lines.slice(i, i + 50_000)) {
      const e = parseLine(l);
      if (e) out.push(e);
    }
    if (out.length) yield out;
  }
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

  /** `fixed`: a rotated file, read to its end only (its name may move on meanwhile). */
  constructor(
    private readonly path: string,
    private readonly fixed = false,
  ) {
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

  /** Reads up to one chunk; false at the end of the file. */
  private drainOnce(out: LogEntry[]): boolean {
    if (this.fd === undefined) return false;
    const size = fstatSync(this.fd).size;
    if (size < this.offset) this.offset = 0; // truncated by someone else: start over
    if (size === this.offset) return false;
    const buf = Buffer.allocUnsafe(Math.min(size - this.offset, chunkBytes));
    const n = readSync(this.fd, buf, 0, buf.length, this.offset);
    if (n <= 0) return false;
    this.offset += n;
    const lines = (this.partial + buf.toString("utf8", 0, n)).split("\n");
    this.partial = lines.pop() ?? "";
    for (const l of lines) {
      const e = parseLine(l);
      if (e) out.push(e);
    }
    return true;
  }

  /**
   * The next entries, a chunk at a time, across rotations; an empty array means
   * everything there is has been read.
   */
  read(): LogEntry[] {
    const out: LogEntry[] = [];
    for (let hops = 0; hops < 100; hops++) {
      while (this.drainOnce(out)) if (out.length) return out;
      if (this.fixed) return out;
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

  /** Everything up to the end of the file now, in chunks. */
  *chunks(): Generator<LogEntry[]> {
    for (;;) {
      const es = this.read();
      if (!es.length) return;
      yield es;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

const chunkBytes = 4 << 20;

/**
 * Yields entries from the file (and its rotated predecessors `.1`, `.2`… for the
 * backlog), then, when following, new entries until `stop` resolves and the file has
 * been drained.
 */
export async function* readLog(path: string, opts: ReadOptions): AsyncGenerator<LogEntry> {
  for await (const batch of readLogBatches(path, opts)) yield* batch;
}

/** readLog in batches: whatever one read of the files gave, so a sender can write it at once. */
export async function* readLogBatches(path: string, opts: ReadOptions): AsyncGenerator<LogEntry[]> {
  const sinceNano = opts.sinceNano;
  const untilNano = opts.untilNano;
  const keep = (e: LogEntry) => {
    if (sinceNano !== undefined && timeNano(e.time) < sinceNano) return false;
    if (untilNano !== undefined && timeNano(e.time) > untilNano) return false;
    return true;
  };
  const filter = (es: LogEntry[]) => (sinceNano === undefined && untilNano === undefined ? es : es.filter(keep));
  // Open the current file first: a rotation meanwhile then shows up as a new inode.
  const cur = new Cursor(path);
  try {
    const tail = opts.tail !== undefined && opts.tail >= 0 ? opts.tail : undefined;
    // The backlog: rotated files oldest first, then the current file, a chunk at a time.
    const backlog = function* () {
      for (const f of rotatedFiles(path)) {
        if (f.endsWith(".gz")) {
          yield* gzipChunks(f);
          continue;
        }
        const r = new Cursor(f, true);
        try {
          yield* r.chunks();
        } finally {
          r.close();
        }
      }
      yield* cur.chunks();
    };
    if (tail === 0) {
      for (const _ of cur.chunks()); // skip the backlog
    } else if (tail === undefined) {
      for (const es of backlog()) {
        const kept = filter(es);
        if (kept.length) yield kept;
      }
    } else {
      let last: LogEntry[] = [];
      for (const es of backlog()) {
        last = last.concat(filter(es));
        if (last.length > tail) last = last.slice(-tail);
      }
      if (last.length) yield last;
    }
    if (!opts.follow) return;
    let stopped = false;
    void opts.stop?.then(() => (stopped = true));
    let wake: (() => void) | undefined;
    let wakeNow = false;
    let watcher = safeWatch(path, () => wake?.());
    try {
      for (;;) {
        // Attached before the start, the file appears later: watch it once it does.
        watcher ??= safeWatch(path, () => wake?.());
        const es = cur.read();
        if (es.length && !stopped) {
          // More may be there already: no wait before the next chunk.
          wakeNow = true;
        }
        if (untilNano !== undefined) {
          const over = es.findIndex((e) => timeNano(e.time) > untilNano);
          if (over >= 0) {
            const head = filter(es.slice(0, over));
            if (head.length) yield head;
            return;
          }
        }
        const fresh = filter(es);
        if (fresh.length) yield fresh;
        if (stopped) {
          // One last drain: the writer may have flushed after the stop signal.
          for (const es2 of cur.chunks()) {
            const last = filter(es2);
            if (last.length) yield last;
          }
          return;
        }
        if (wakeNow) {
          wakeNow = false;
          continue;
        }
        // Following with `until` ends once that time has passed, new lines or not.
        if (untilNano !== undefined && BigInt(Date.now()) * 1_000_000n > untilNano) {
          const last = filter(cur.read());
          if (last.length) yield last;
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

function safeWatch(path: string, cb: () => void) {
  try {
    if (!existsSync(path)) return undefined;
    statSync(path);
    return watch(path, cb);
  } catch {
    return undefined;
  }
}
