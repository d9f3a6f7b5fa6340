// Routes that move a container's bytes: logs (and attach, with the runtime).
import type { Route, StreamSink } from "../../types.ts";
import { boolParam, intParam } from "../../query.ts";
import { parseTimestampNano } from "../../filters.ts";
import { invalidParameter } from "../../../errors.ts";
import { frame, STDERR, STDOUT } from "../../../streams/stdcopy.ts";
import type { LogEntry } from "../../../logs/jsonfile.ts";

export const multiplexed = "application/vnd.docker.multiplexed-stream";
export const rawStream = "application/vnd.docker.raw-stream";

export interface LogsBackend {
  containerLogs(
    ref: string,
    opts: { follow: boolean; tail?: number; sinceNano?: bigint; untilNano?: bigint; closed: Promise<void> },
  ): Promise<{ tty: boolean; entries: AsyncIterable<LogEntry> }>;
}

/** Writes one log entry the way the client expects it: framed, or raw for a TTY. */
export function writeEntry(sink: StreamSink, e: LogEntry, tty: boolean, timestamps: boolean): void {
  const text = timestamps ? `${e.time} ${e.log}` : e.log;
  const bytes = new TextEncoder().encode(text);
  sink.write(tty ? bytes : frame(e.stream === "stderr" ? STDERR : STDOUT, bytes));
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
        const tail = tailRaw === null || tailRaw === "" || tailRaw === "all" ? undefined : intParam(q, "tail");
        const since = q.get("since");
        const until = q.get("until");
        const timestamps = boolParam(q, "timestamps");
        let closeIt!: () => void;
        const closed = new Promise<void>((r) => (closeIt = r));
        const { tty, entries } = await b.containerLogs(req.params.id!, {
          follow: boolParam(q, "follow"),
          tail: tail !== undefined && tail < 0 ? undefined : tail,
          sinceNano: since && since !== "0" ? parseTimestampNano(since, "since") : undefined,
          untilNano: until && until !== "0" ? parseTimestampNano(until, "until") : undefined,
          closed,
        });
        return {
          kind: "stream",
          status: 200,
          contentType: tty ? rawStream : multiplexed,
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

export interface AttachBackend {
  containerAttach(
    ref: string,
    opts: { stream: boolean; logs: boolean; stdin: boolean; stdout: boolean; stderr: boolean; detachKeys?: string },
  ): Promise<{ tty: boolean; run(socket: import("node:stream").Duplex): Promise<void> }>;
}

export function attachRoutes(b: AttachBackend): Route[] {
  return [
    {
      method: "POST",
      path: "/containers/{id}/attach",
      handler: async (req) => {
        const q = req.query;
        const a = await b.containerAttach(req.params.id!, {
          stream: boolParam(q, "stream"),
          logs: boolParam(q, "logs"),
          stdin: boolParam(q, "stdin"),
          stdout: boolParam(q, "stdout"),
          stderr: boolParam(q, "stderr"),
          detachKeys: q.get("detachKeys") || undefined,
        });
        return { kind: "hijack", contentType: a.tty ? rawStream : multiplexed, run: a.run };
      },
    },
  ];
}
