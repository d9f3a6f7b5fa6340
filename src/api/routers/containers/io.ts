// Routes that move a container's bytes: logs (and attach, with the runtime).
import { once } from "node:events";
import type { Route, StreamSink } from "../../types.ts";
import { boolParam } from "../../query.ts";
import { parseTimestampNano } from "../../filters.ts";
import { invalidParameter } from "../../../errors.ts";
import { frame, STDERR, STDOUT } from "../../../streams/stdcopy.ts";
import type { LogEntry } from "../../../logs/jsonfile.ts";
import { compareVersions } from "../../router.ts";
import type { AttachBackend, LogsBackend } from "./backend.ts";

export type { AttachBackend, LogsBackend } from "./backend.ts";

export const multiplexed = "application/vnd.docker.multiplexed-stream";
export const rawStream = "application/vnd.docker.raw-stream";

/** The stream's media type: multiplexed output is labelled so from API 1.42, raw before. */
export function streamType(version: string, tty: boolean): string {
  return tty || compareVersions(version, "1.42") < 0 ? rawStream : multiplexed;
}


/** A batch of entries as one buffer: one write per batch instead of one per line. */
/** Writes one log entry the way the client expects it: framed, or raw for a TTY. */
export function writeEntry(sink: StreamSink, e: LogEntry, tty: boolean, timestamps: boolean): void {
  const text = timestamps ? `${e.time} ${e.log}` : e.log;
  const bytes = new TextEncoder().encode(text);
  sink.write(tty ? bytes : frame(e.stream === "stderr" ? STDERR : STDOUT, bytes));
}

export function encodeEntries(es: LogEntry[], tty: boolean, timestamps: boolean, stdout: boolean, stderr: boolean): Buffer {
  const texts: string[] = [];
  const sizes: number[] = [];
  const kinds: number[] = [];
  let total = 0;
  for (const e of es) {
    if (e.stream === "stdout" ? !stdout : !stderr) continue;
    const text = timestamps ? `${e.time} ${e.log}` : e.log;
    const n = Buffer.byteLength(text);
    texts.push(text);
    sizes.push(n);
    kinds.push(e.stream === "stderr" ? STDERR : STDOUT);
    total += n + (tty ? 0 : 8);
  }
  // One buffer for the batch: headers and texts written in place.
  const buf = Buffer.allocUnsafe(total);
  let off = 0;
  for (let i = 0; i < texts.length; i++) {
    if (!tty) {
      buf[off] = kinds[i]!;
      buf[off + 1] = 0;
      buf[off + 2] = 0;
      buf[off + 3] = 0;
      buf.writeUInt32BE(sizes[i]!, off + 4);
      off += 8;
    }
    off += buf.write(texts[i]!, off, "utf8");
  }
  return buf;
}

export function logRoutes(b: LogsBackend): Route[] {
  return [
    {
      method: "GET",
      path: "/containers/{id}/logs",
      handler: async (req) => {
        const q = req.query;
        const stdout = boolParam(q, "stdout");
        const stderr = boolParam(q, "stderr");
        if (!stdout && !stderr) throw invalidParameter("Bad parameters: you must choose at least one stream");
        const tailRaw = q.get("tail");
        // dockerd: anything strconv.Atoi refuses ("all", "", "x") means every line.
        const tail = tailRaw !== null && /^[+-]?\d+$/.test(tailRaw) ? Number(tailRaw) : undefined;
        const since = q.get("since");
        const until = q.get("until");
        const timestamps = boolParam(q, "timestamps");
        let closeIt!: () => void;
        const closed = new Promise<void>((r) => (closeIt = r));
        const { tty, entries, batches } = await b.containerLogs(req.params.id!, {
          follow: boolParam(q, "follow"),
          tail: tail !== undefined && tail < 0 ? undefined : tail,
          sinceNano: since && since !== "0" ? parseTimestampNano(since, "since") : undefined,
          untilNano: until && until !== "0" ? parseTimestampNano(until, "until") : undefined,
          closed,
        });
        if (batches) {
          // A plain 200 body through the server's hijack path: its writes wait for the
          // socket, so a slow reader of a big log does not have it all buffered here.
          return {
            kind: "hijack",
            contentType: streamType(req.version, tty),
            run: async (out) => {
              let gone = out.destroyed;
              const onGone = () => {
                gone = true;
                closeIt();
              };
              out.once("close", onGone);
              try {
                for await (const es of batches) {
                  if (gone) break;
                  const buf = encodeEntries(es, tty, timestamps, stdout, stderr);
                  if (buf.length && !out.write(buf)) await Promise.race([once(out, "drain"), once(out, "close")]);
                }
                if (!gone) await Promise.race([new Promise((r) => out.end(r)), once(out, "close")]);
              } finally {
                out.off("close", onGone);
                closeIt();
              }
            },
          };
        }
        return {
          kind: "stream",
          status: 200,
          contentType: streamType(req.version, tty),
          run: async (sink) => {
            void sink.closed.then(closeIt);
            for await (const e of entries) {
              if (sink.isClosed) break;
              if ((e.stream === "stdout" && stdout) || (e.stream === "stderr" && stderr)) writeEntry(sink, e, tty, timestamps);
            }
            closeIt();
          },
        };
      },
    },
  ];
}


/** The attach query both attach routes take. */
export function attachOptions(q: URLSearchParams) {
  return {
    stream: boolParam(q, "stream"),
    logs: boolParam(q, "logs"),
    stdin: boolParam(q, "stdin"),
    stdout: boolParam(q, "stdout"),
    stderr: boolParam(q, "stderr"),
    detachKeys: q.get("detachKeys") || undefined,
  };
}

export function attachRoutes(b: AttachBackend): Route[] {
  return [
    {
      method: "POST",
      path: "/containers/{id}/attach",
      handler: async (req) => {
        const q = req.query;
        const a = await b.containerAttach(req.params.id!, attachOptions(q));
        return { kind: "hijack", contentType: streamType(req.version, a.tty), run: a.run };
      },
    },
  ];
}
