// A JSON-lines progress stream (load, pull, push, import) shown as the docker CLI shows
// it: on a terminal one line per layer id, rewritten in place with its progress bar;
// otherwise plain lines, without the in-between progress updates.
import { errorFromResponse, readAll, type ApiResponse } from "../client/client.ts";
import { ExitError } from "./exit.ts";

interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
  aux?: unknown;
}

export interface ProgressOptions {
  /** No per-layer progress, only the final lines (`Loaded image: …`): `-q`. */
  quiet?: boolean;
  terminal?: boolean;
  /** Nothing shown but an error (pull -q, run -q: docker discards the stream). */
  silent?: boolean;
  /** stdout unless told (run and create show a pull on stderr). */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function showProgress(res: ApiResponse, opts: ProgressOptions = {}): Promise<void> {
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  const stream = opts.out ?? process.stdout;
  const tty = opts.terminal ?? stream.isTTY === true;
  const lines = new Map<string, number>(); // id -> its line, counted from the first
  let total = 0;
  const write = (s: string) => void stream.write(s);
  const show = (m: JsonMessage) => {
    if (m.error || m.errorDetail) throw new ExitError(1, m.errorDetail?.message ?? m.error);
    if (m.stream !== undefined) {
      write(m.stream);
      return;
    }
    if (m.status === undefined || opts.silent) return;
    const updating = m.progressDetail?.current !== undefined;
    if (opts.quiet && (m.id || updating)) return;
    const text = `${m.id ? `${m.id}: ` : ""}${m.status}${tty && m.progress ? ` ${m.progress}` : ""}`;
    if (!tty) {
      if (!updating) write(`${text}\n`);
      return;
    }
    if (m.id) {
      const at = lines.get(m.id);
      if (at !== undefined) {
        const up = total - at;
        write(`\x1b[${up}A\r\x1b[2K${text}\r\x1b[${up}B`);
        return;
      }
      lines.set(m.id, total);
    } else {
      lines.clear();
    }
    total++;
    write(`${text}\n`);
  };
  let buf = "";
  for await (const c of res) {
    buf += Buffer.from(c).toString("utf8");
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) show(JSON.parse(line));
    }
  }
  if (buf.trim()) show(JSON.parse(buf));
}
