// Layer decompression through a native tool when one is on the PATH (igzip, then pigz,
// for gzip; zstd for zstd), which inflates several times faster than zlib in-process.
// Without one, the compressed bytes pass through and the layer store's own zlib
// inflates them.
import { pipeThrough } from "./pipe.ts";
import { sniff } from "../archive/tar/decompress.ts";

type Chunks = AsyncIterable<Uint8Array>;

const toolCache = new Map<string, string[] | null>();

function tool(format: "gzip" | "zstd"): string[] | null {
  if (process.env.WHARF_NATIVE_DECOMPRESS === "0") return null;
  const known = toolCache.get(format);
  if (known !== undefined) return known;
  const candidates = format === "gzip" ? [["igzip", "-dc"], ["pigz", "-dc"]] : [["zstd", "-dcq"]];
  let found: string[] | null = null;
  for (const [name, ...args] of candidates) {
    const path = Bun.which(name!);
    if (path) {
      found = [path, ...args];
      break;
    }
  }
  toolCache.set(format, found);
  return found;
}

/** The native decompressor that would be used for a format (for reports and tests). */
export function nativeTool(format: "gzip" | "zstd"): string | undefined {
  return tool(format)?.[0];
}

/** Yields the layer tar, inflated natively when it can be; otherwise the bytes as they came. */
export async function* nativeDecompress(input: Chunks): AsyncGenerator<Uint8Array> {
  const { format, rest } = await sniff(input);
  const argv = format === "gzip" || format === "zstd" ? tool(format) : null;
  if (!argv) return yield* rest;
  yield* pipeThrough(argv, rest, format!);
}
