// Writes a container's stdout and stderr as Docker's json-file lines. A line is cut at
// each newline, or at 16 KiB as Docker does, and a partial last line is written as is.
import { closeSync, openSync, writeSync } from "node:fs";
import { encodeEntry } from "../logs/jsonfile.ts";

const maxLine = 16 * 1024;

export class JsonLogWriter {
  private readonly fd: number | undefined;

  constructor(path: string) {
    this.fd = path ? openSync(path, "a", 0o640) : undefined;
  }

  /**
   * Reads a stream to its end, writing each line as it completes. With `partial`
   * (a terminal) what is left of each chunk is written at once too: a prompt has no
   * newline, and attach follows this log.
   */
  async pump(stream: AsyncIterable<Uint8Array>, name: "stdout" | "stderr", partial = false): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0 || pending.length >= maxLine) {
        const cut = nl >= 0 && nl < maxLine ? nl + 1 : maxLine;
        this.write(name, pending.slice(0, cut));
        pending = pending.slice(cut);
      }
      if (partial && pending) {
        this.write(name, pending);
        pending = "";
      }
    }
    pending += decoder.decode();
    if (pending) this.write(name, pending);
  }

  private write(stream: "stdout" | "stderr", log: string): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, encodeEntry({ log, stream, time: nowNano() }));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** RFC 3339 with nanoseconds, as Docker stamps log lines and state times. */
export function nowNano(): string {
  const t = performance.timeOrigin + performance.now(); // ms with µs precision
  const ms = Math.floor(t);
  const sub = Math.floor((t - ms) * 1e6); // the nanoseconds below the millisecond
  return new Date(ms).toISOString().slice(0, -1) + String(Math.min(sub, 999_999)).padStart(6, "0") + "Z";
}
