// Pseudo-terminals of TTY containers and TTY execs. The holder of the master keeps it
// for resizes; the bytes are moved by two `cat` processes. Why not read and write the
// master here: Bun reads a terminal (and a fifo) with blocking reads on its small
// thread pool, so two or three open terminals starve every other file operation of
// the process. A `cat` blocks in its own process, and talks to us over pipes, which
// Bun polls.
import { closeSync } from "node:fs";
import type { Subprocess } from "bun";
import { setWinsize } from "../sys/libc.ts";

const env = { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" };

/**
 * The terminal's output until every slave descriptor is closed (the master then reads
 * EIO, which ends `cat`).
 */
export function masterOutput(master: number): ReadableStream<Uint8Array> {
  const p = Bun.spawn(["cat"], { stdin: master, stdout: "pipe", stderr: "ignore", env });
  return p.stdout;
}

/** Copies `source` (a descriptor we own a copy of, e.g. a fifo) into the terminal. */
export function masterInputFrom(master: number, source: number): Subprocess {
  return Bun.spawn(["cat"], { stdin: source, stdout: master, stderr: "ignore", env });
}

/** A pipe into the terminal: write to `.stdin`, end it to stop. */
export function masterInputPipe(master: number): Subprocess<"pipe", number, "ignore"> {
  return Bun.spawn(["cat"], { stdin: "pipe", stdout: master, stderr: "ignore", env }) as Subprocess<"pipe", number, "ignore">;
}

export function resizeTty(masters: Map<string, number>, id: string, rows: number, cols: number): void {
  const fd = masters.get(id);
  if (fd === undefined || !(rows > 0) || !(cols > 0)) return;
  trySetWinsize(fd, rows, cols);
}

export function trySetWinsize(fd: number, rows: number, cols: number): void {
  try {
    setWinsize(fd, rows, cols);
  } catch {} // the process is ending: nothing left to resize
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {}
}
