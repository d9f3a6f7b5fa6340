// The client's plain output. process.stdout and process.stderr are node streams whose
// first touch costs a command ~8 ms of start-up in Bun; Bun's own file sinks cost
// nothing. Each write is flushed at once, so stdout and stderr keep their order; the
// end of clientMain waits for what a full pipe still holds.
import type { FileSink } from "bun";
import { isTerminal } from "../sys/libc.ts";

let stdoutSink: FileSink | undefined;
let stderrSink: FileSink | undefined;
let tty: boolean | undefined;

export function out(s: string): void {
  stdoutSink ??= Bun.stdout.writer();
  stdoutSink.write(s);
  void stdoutSink.flush();
}

export function err(s: string): void {
  stderrSink ??= Bun.stderr.writer();
  stderrSink.write(s);
  void stderrSink.flush();
}

export async function flushOutput(): Promise<void> {
  await stdoutSink?.flush();
  await stderrSink?.flush();
}

/** Whether stdout is a terminal (for colours, widths, progress bars). */
export function stdoutIsTerminal(): boolean {
  tty ??= isTerminal(1);
  return tty;
}
