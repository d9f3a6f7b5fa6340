// Bytes through an external filter (a decompressor or compressor), with backpressure on
// its stdin and its failures surfaced: a nonzero exit, or an error of the input itself.
import { invalidParameter } from "../errors.ts";
import { noteChurn } from "./churn.ts";

type Chunks = AsyncIterable<Uint8Array>;

/** `input`: chunks to write to the filter's stdin (each copied before the next is asked for), or a file it reads itself. */
export async function* pipeThrough(argv: string[], input: Chunks | { file: string }, format: string): AsyncGenerator<Uint8Array> {
  const chunks = "file" in input ? null : input;
  const proc = Bun.spawn(argv, { stdin: "file" in input ? Bun.file(input.file) : "pipe", stdout: "pipe", stderr: "pipe" });
  let inputError: unknown;
  let stopped = false;
  const pump = (async () => {
    if (!chunks) return;
    const stdin = proc.stdin as import("bun").FileSink;
    try {
      let pending = 0;
      for await (const c of chunks) {
        if (stopped) return;
        stdin.write(c);
        pending += c.length;
        if (pending >= 1 << 20) {
          await stdin.flush();
          pending = 0;
        }
      }
      await stdin.end();
    } catch (e) {
      inputError = e;
      try {
        proc.kill("SIGKILL");
      } catch {}
    }
  })();
  try {
    for await (const c of proc.stdout) {
      noteChurn(c.length);
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
    stopped = true;
    if (proc.exitCode === null) {
      try {
        proc.kill("SIGKILL");
      } catch {}
    }
  }
}
