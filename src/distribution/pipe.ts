// Bytes through an external filter (a decompressor or compressor), with backpressure on
// its stdin and its failures surfaced: a nonzero exit, or an error of the input itself.
import { readFileSync } from "node:fs";
import { invalidParameter, WharfError } from "../errors.ts";
import { closeFd, pipe, setPipeSize } from "../sys/libc.ts";
import { noteChurn } from "./churn.ts";

type Chunks = AsyncIterable<Uint8Array>;

/**
 * `input`: chunks to write to the filter's stdin (each copied before the next is asked
 * for), or a file it reads itself. `onInput`: how many input bytes the filter has taken
 * so far, now and then (for a file, its read offset, which only the kernel knows).
 * `signal`: stops the filter (the work it was doing is not wanted any more).
 */
export async function* pipeThrough(
  argv: string[],
  input: Chunks | { file: string },
  format: string,
  onInput?: (consumed: number) => void,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const chunks = "file" in input ? null : input;
  // The filter's output goes through a pipe of 1 MiB rather than Bun's own (a socket of
  // about 200 KB): igzip writes about that much at a time, and with less room each write
  // waits for the reader, so decompressing and applying take turns instead of running
  // side by side. One layer's unpack alone, 7 layers x 5 runs: 159-175 ms with Bun's
  // pipe, 120-127 ms with 1 MiB (512 KiB: 151 ms; 256 KiB: 164 ms).
  const out = bigPipe();
  let proc;
  try {
    proc = Bun.spawn(argv, { stdin: "file" in input ? Bun.file(input.file) : "pipe", stdout: out ? out[1] : "pipe", stderr: "pipe" });
  } catch (e) {
    if (out) closeFd(out[0]);
    throw e;
  } finally {
    if (out) closeFd(out[1]);
  }
  // Bun does not close a descriptor it was handed: ours to close once the stream is over.
  const stdout: ReadableStream<Uint8Array> = out ? Bun.file(out[0]).stream() : (proc.stdout as ReadableStream<Uint8Array>);
  let inputError: unknown;
  let stopped = false;
  const kill = () => {
    try {
      proc.kill("SIGKILL");
    } catch {}
  };
  const stop = () => {
    inputError ??= new WharfError("system", "context canceled");
    kill();
  };
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  const pump = (async () => {
    if (!chunks) return;
    const stdin = proc.stdin as import("bun").FileSink;
    try {
      let pending = 0;
      let consumed = 0;
      for await (const c of chunks) {
        if (stopped) return;
        stdin.write(c);
        consumed += c.length;
        onInput?.(consumed);
        pending += c.length;
        if (pending >= 1 << 20) {
          await stdin.flush();
          pending = 0;
        }
      }
      await stdin.end();
    } catch (e) {
      inputError = e;
      kill();
    }
  })();
  try {
    let polled = 0;
    for await (const c of stdout) {
      noteChurn(c.length);
      if (onInput && !chunks && performance.now() - polled >= 100) {
        polled = performance.now();
        const pos = fileOffset(proc.pid, 0);
        if (pos !== undefined) onInput(pos);
      }
      yield c;
    }
    await pump;
    if (inputError) throw inputError;
    const code = await proc.exited;
    if (code !== 0) {
      const err = (await new Response(proc.stderr).text()).trim();
      throw invalidParameter(`${argv[0]} failed on the ${format} stream${err ? `: ${err}` : ""}`);
    }
  } finally {
    signal?.removeEventListener("abort", stop);
    stopped = true;
    if (proc.exitCode === null) kill();
    if (out) {
      // The loop above has ended or cancelled the stream; with the writer gone too,
      // nothing reads the descriptor any more.
      await proc.exited;
      closeFd(out[0]);
    }
  }
}

const pipeBytes = 1 << 20;

/** A pipe of `pipeBytes`, or null where the kernel will not make one that big. */
function bigPipe(): [read: number, write: number] | null {
  const fds = pipe();
  if (setPipeSize(fds[1], pipeBytes) >= pipeBytes) return fds;
  closeFd(fds[0]);
  closeFd(fds[1]);
  return null;
}

/** The offset of a process's descriptor, from /proc (undefined once it has gone). */
function fileOffset(pid: number, fd: number): number | undefined {
  try {
    const m = /^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
