// Layer decompression through a native tool when one is on the PATH (igzip, then pigz,
// for gzip; zstd for zstd), which inflates several times faster than zlib in-process.
// Without one, the compressed bytes pass through and the layer store's own zlib
// inflates them.
import { pipeThrough } from "./pipe.ts";
import { compressionOf } from "../archive/tar/decompress.ts";
import type { GrowingFile } from "./blob.ts";

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

/**
 * The layer tar of a blob that is still arriving in its file: a native tool reads the
 * file itself when every byte is already in, and is fed the file as it grows
 * otherwise; without a tool the bytes go as they are (the layer store inflates them).
 */
export async function* nativeDecompressGrowing(src: GrowingFile, onInput?: (consumed: number) => void): AsyncGenerator<Uint8Array> {
  const format = compressionOf(await src.head(6));
  const argv = format === "gzip" || format === "zstd" ? tool(format) : null;
  if (!argv) {
    let consumed = 0;
    for await (const c of src.chunks(false)) {
      consumed += c.length;
      onInput?.(consumed);
      yield c;
    }
    return;
  }
  // pipeThrough copies each chunk into the tool's stdin before it asks for the next.
  yield* pipeThrough(argv, src.complete ? { file: src.path } : src.chunks(true), format!, onInput, src.signal);
}
