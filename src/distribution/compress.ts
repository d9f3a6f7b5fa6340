// Layer compression for push: pigz when it is on the PATH (parallel deflate), Bun's zlib
// otherwise. Either way the output is gzip, Docker's layer media type.
import zlib from "node:zlib";
import { Readable } from "node:stream";
import { pipeThrough } from "./pipe.ts";

type Chunks = AsyncIterable<Uint8Array>;

let pigz: string | null | undefined;

export function gzipTool(): string | null {
  if (pigz === undefined) pigz = process.env.WHARF_NATIVE_COMPRESS === "0" ? null : Bun.which("pigz");
  return pigz;
}

export async function* gzip(input: Chunks): AsyncGenerator<Uint8Array> {
  const tool = gzipTool();
  if (tool) return yield* pipeThrough([tool, "-c", "-n", "-6"], input, "gzip");
  const z = zlib.createGzip({ level: 6 });
  const src = Readable.from(input);
  src.on("error", (e) => z.destroy(e));
  src.pipe(z);
  for await (const c of z) yield c as Uint8Array;
}
