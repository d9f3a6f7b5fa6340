// Writes a container's stdout and stderr as Docker's json-file lines. A line is cut at
// each newline, or at 16 KiB as Docker does, and a partial last line is written as is.
// With max-size the file is rotated as Docker's LogFile does: once it has reached the
// size, before the next line, `<log>.N-1` becomes `<log>.N` … and `<log>` becomes
// `<log>.1`, keeping max-file files in all; with one file the old one is dropped.
// Rotation renames, never truncates, so a follower still holding the old file drains it.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { encodeEntry } from "../logs/jsonfile.ts";
import { nowNano } from "../time.ts";

const maxLine = 16 * 1024;

export class JsonLogWriter {
  private fd: number | undefined;
  private size = 0;

  constructor(
    private readonly path: string,
    private readonly maxSize?: number,
    private readonly maxFile = 1,
    private readonly compress = false,
  ) {
    this.fd = path ? openSync(path, "a", 0o640) : undefined;
    if (this.fd !== undefined) this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    closeSync(this.fd!);
    this.fd = undefined;
    if (this.maxFile < 2) {
      // Unlink rather than truncate: a reader keeps its open file and drains it.
      unlinkSync(this.path);
    } else {
      const ext = this.compress ? ".gz" : "";
      for (let i = this.maxFile - 1; i > 1; i--) {
        if (existsSync(`${this.path}.${i - 1}${ext}`)) renameSync(`${this.path}.${i - 1}${ext}`, `${this.path}.${i}${ext}`);
      }
      if (this.compress) {
        // Docker's naming: `<log>.1.gz`; written aside and renamed, so readers never see half of it.
        writeFileSync(`${this.path}.1.gz.tmp`, Bun.gzipSync(readFileSync(this.path)));
        renameSync(`${this.path}.1.gz.tmp`, `${this.path}.1.gz`);
        unlinkSync(this.path);
      } else {
        renameSync(this.path, `${this.path}.1`);
      }
    }
    this.fd = openSync(this.path, "a", 0o640);
    this.size = 0;
  }

  /**
   * Reads a stream to its end, writing each line as it completes. The lines of one read
   * go out in one write (a line-at-a-time write and re-slice made chatty containers
   * crawl at a few MB/s). With `partial` (a terminal) what is left of each chunk is
   * written at once too: a prompt has no newline, and attach follows this log.
   */
  async pump(stream: AsyncIterable<Uint8Array>, name: "stdout" | "stderr", partial = false): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true });
      const lines: string[] = [];
      let start = 0;
      for (;;) {
        const nl = pending.indexOf("\n", start);
        if (nl >= 0 && nl - start < maxLine) {
          lines.push(pending.slice(start, nl + 1));
          start = nl + 1;
        } else if (pending.length - start >= maxLine) {
          lines.push(pending.slice(start, start + maxLine));
          start += maxLine;
        } else break;
      }
      if (start) pending = pending.slice(start);
      if (partial && pending) {
        lines.push(pending);
        pending = "";
      }
      if (lines.length) this.write(name, lines);
    }
    pending += decoder.decode();
    if (pending) this.write(name, [pending]);
  }

  private write(stream: "stdout" | "stderr", logs: string[]): void {
    if (this.fd === undefined) return;
    const time = nowNano();
    if (!this.maxSize) {
      let batch = "";
      for (const log of logs) batch += encodeEntry({ log, stream, time });
      this.flush(batch);
      return;
    }
    let batch = "";
    let batchBytes = 0;
    for (const log of logs) {
      if (this.maxSize && this.size + batchBytes >= this.maxSize) {
        this.flush(batch);
        batch = "";
        batchBytes = 0;
        if (this.size >= this.maxSize) this.rotate();
      }
      const e = encodeEntry({ log, stream, time });
      batch += e;
      batchBytes += Buffer.byteLength(e);
    }
    this.flush(batch);
  }

  private flush(text: string): void {
    if (!text) return;
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd!, buf, off, buf.length - off);
    this.size += buf.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}
