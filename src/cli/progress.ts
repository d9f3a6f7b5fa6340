// A JSON-lines progress stream (load, pull, push, import) shown as the docker CLI shows
// it: on a terminal one line per layer id, rewritten in place with its progress bar;
// otherwise plain lines, without the in-between progress updates.
import { errorFromResponse, readAll, type ApiResponse } from "../client/client.ts";
import { ExitError } from "./exit.ts";
import { progressText } from "../distribution/progress.ts";

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

/** Where the terminal's width comes from: the stream's own window, as docker asks its fd. */
function widthOf(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): number {
  return typeof stream.columns === "number" ? stream.columns : 200;
}

/**
 * pkg/jsonmessage's DisplayJSONMessagesStream: a message with an id and a progressDetail
 * owns a line (a new one is opened with "\n", then reached with cursor up/down and
 * cleared); anything else forgets the lines. The bar is drawn here from progressDetail
 * at this terminal's width, not taken from the daemon's 200-column text. Off a terminal,
 * messages whose progress would draw something are left out.
 */
export async function showProgress(res: ApiResponse, opts: ProgressOptions = {}): Promise<void> {
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  const stream = opts.out ?? process.stdout;
  const tty = opts.terminal ?? stream.isTTY === true;
  const width = widthOf(stream as NodeJS.WritableStream & { columns?: number });
  const ids = new Map<string, number>();
  const write = (s: string) => void stream.write(s);
  const progressOf = (m: JsonMessage) => progressText(m.progressDetail?.current ?? 0, m.progressDetail?.total ?? 0, width);
  const display = (m: JsonMessage) => {
    const hasProgress = m.progressDetail !== undefined;
    let endl = "";
    if (tty && m.stream === undefined && hasProgress) {
      endl = "\r";
      write("\x1b[2K\r");
    } else if (hasProgress && progressOf(m) !== "") {
      return;
    }
    if (m.id) write(`${m.id}: `);
    if (hasProgress && tty) write(`${m.status ?? ""} ${progressOf(m)}${endl}`);
    else if (m.stream !== undefined) write(`${m.stream}${endl}`);
    else write(`${m.status ?? ""}${endl}\n`);
  };
  const show = (m: JsonMessage) => {
    if (m.error || m.errorDetail) throw new ExitError(1, m.errorDetail?.message ?? m.error);
    if (m.aux !== undefined || opts.silent) return;
    if (opts.quiet && (m.id || m.progressDetail?.current !== undefined)) return;
    if (m.status === undefined && m.stream === undefined) return;
    let diff = 0;
    if (m.id && m.progressDetail !== undefined) {
      let line = ids.get(m.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(m.id, line);
        if (tty) write("\n");
      }
      diff = ids.size - line;
      if (tty && diff) write(`\x1b[${diff}A`);
    } else {
      // Lines of an earlier part (the previous tag of pull -a) are not updated again.
      ids.clear();
    }
    display(m);
    if (m.id && tty && diff) write(`\x1b[${diff}B`);
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
