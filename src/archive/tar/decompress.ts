// Layer blobs come plain, gzip or zstd: sniff the magic bytes and inflate on the fly.
// Errors from the compressed stream become invalidParameter naming the format; errors
// from the input itself pass through unchanged.
import zlib from "node:zlib";
import type { Transform } from "node:stream";
import { invalidParameter } from "../../errors.ts";

type Chunks = AsyncIterable<Uint8Array>;

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const BZIP2 = [0x42, 0x5a, 0x68];

const startsWith = (b: Uint8Array, magic: number[]) => magic.every((m, i) => b[i] === m);

export type LayerCompression = "gzip" | "zstd" | "xz" | "bzip2" | null;

/** A stream's compression, told by the magic bytes at its start. */
export function compressionOf(head: Uint8Array): LayerCompression {
  return startsWith(head, GZIP) ? "gzip" : startsWith(head, ZSTD) ? "zstd" : startsWith(head, XZ) ? "xz" : startsWith(head, BZIP2) ? "bzip2" : null;
}

/** Reads chunks until `min` bytes are in (or the stream ends): those bytes, and whether it ended. */
export async function readHead(next: () => Promise<IteratorResult<Uint8Array>>, min: number): Promise<{ first: Buffer; done: boolean }> {
  const head: Uint8Array[] = [];
  let have = 0;
  while (have < min) {
    const r = await next();
    if (r.done) return { first: Buffer.concat(head), done: true };
    head.push(r.value);
    have += r.value.length;
  }
  return { first: Buffer.concat(head), done: false };
}

/**
 * Reads just enough of a stream to tell its compression by magic bytes; `rest` yields
 * the whole stream again, the bytes read included.
 */
export async function sniff(input: Chunks): Promise<{ format: LayerCompression; rest: Chunks }> {
  const it = input[Symbol.asyncIterator]();
  const { first, done } = await readHead(() => it.next(), 6);
  const rest: Chunks = {
    async *[Symbol.asyncIterator]() {
      if (first.length) yield first;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    },
  };
  return { format: compressionOf(first), rest };
}

export async function* decompress(input: Chunks): AsyncGenerator<Uint8Array> {
  const { format, rest } = await sniff(input);
  if (format === "gzip") yield* inflate(rest, zlib.createGunzip(), "gzip");
  else if (format === "zstd") yield* inflate(rest, zlib.createZstdDecompress(), "zstd");
  else if (format) throw invalidParameter(`layer is ${format}-compressed, which wharf does not support (use gzip, zstd or plain tar)`);
  else yield* rest;
}
/** Pumps input into a zlib transform and yields its output, with backpressure both ways. */
async function* inflate(input: Chunks, z: Transform, format: string): AsyncGenerator<Uint8Array> {
  const out: Buffer[] = [];
  let ended = false;
  let zlibError: Error | undefined;
  let inputError: unknown;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  z.on("data", (d: Buffer) => {
    out.push(d);
    if (out.length > 16) z.pause();
    signal();
  });
  z.on("end", () => {
    ended = true;
    signal();
  });
  z.on("error", (e: Error) => {
    zlibError = e;
    signal();
  });
  let stopped = false;
  const pump = (async () => {
    try {
      for await (const c of input) {
        if (stopped || zlibError) return;
        if (!z.write(c)) await new Promise<void>((r) => z.once("drain", r).once("error", () => r()).once("close", () => r()));
      }
      if (!stopped) z.end();
    } catch (e) {
      inputError = e;
      signal();
    }
  })();
  try {
    for (;;) {
      if (out.length) {
        const b = out.shift()!;
        if (out.length < 4) z.resume();
        yield b;
        continue;
      }
      if (inputError) throw inputError;
      if (zlibError) throw invalidParameter(`layer is not a valid ${format} stream: ${zlibError.message}`);
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    stopped = true;
    z.destroy();
    // The pump may wait on a slow input; it sees `stopped` at its next chunk.
    void pump;
  }
}
