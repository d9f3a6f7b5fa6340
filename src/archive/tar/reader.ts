// A streaming tar reader that reports every byte that is not file content to a raw
// sink (headers, PAX/GNU metadata, padding, the end marker and trailing bytes), so
// the exact archive can be rebuilt later from those bytes plus the files' contents.
import { invalidParameter } from "../../errors.ts";
import { ByteSource, TruncatedError } from "./source.ts";
import { applyPax, BLOCK, checksumOk, isZeroBlock, parseHeader, parsePax, type Header } from "./header.ts";

export interface RawSink {
  raw(bytes: Uint8Array): void;
}

export interface TarEntry {
  header: Header;
  /** The entry's content (regular files); what is not read is kept as raw bytes. */
  content(): AsyncGenerator<Uint8Array>;
}

/**
 * How a caller words a broken archive: a layer says where it broke, an image archive
 * (docker load) says it in docker's words. `cause` is the header decoder's own error.
 */
export interface TarFaults {
  truncated(offset: number, detail: string): unknown;
  checksum(offset: number, cause?: unknown): unknown;
}

export const layerFaults: TarFaults = {
  truncated: (at, detail) => invalidParameter(`layer tar is truncated at byte ${at}: ${detail}`),
  checksum: (at, cause) => cause ?? invalidParameter(`invalid tar header at byte ${at}: checksum mismatch`),
};

// Go's archive/tar (what Docker uses) reads no content for these types, whatever the size field says.
const HEADER_ONLY = new Set(["1", "2", "3", "4", "5", "6"]);
const MAX_META = 1 << 20;

const padding = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

export async function* readTar(src: ByteSource, sink: RawSink, faults: TarFaults = layerFaults): AsyncGenerator<TarEntry> {
  const globalPax = new Map<string, Buffer>();
  let pax: Map<string, Buffer> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      const at = src.offset;
      const block = await src.readExact(BLOCK);
      if (!block) return; // Go accepts an archive that ends without the end marker
      sink.raw(block);
      if (isZeroBlock(block)) {
        const second = await src.readExact(BLOCK);
        if (second) {
          sink.raw(second);
          if (!isZeroBlock(second)) throw invalidParameter(`invalid tar: a zero block at byte ${at} is followed by data`);
        }
        for await (const b of src.rest()) sink.raw(Buffer.from(b));
        return;
      }
      let ok = false;
      let cause: unknown;
      try {
        ok = checksumOk(block);
      } catch (e) {
        cause = e;
      }
      if (!ok) throw faults.checksum(at, cause);
      const h = parseHeader(block);
      if (h.type === "x" || h.type === "g" || h.type === "L" || h.type === "K") {
        if (h.size > MAX_META) throw invalidParameter(`invalid tar: metadata entry at byte ${at} is ${h.size} bytes`);
        const data = (await src.readExact(h.size)) ?? Buffer.alloc(0);
        if (data.length < h.size) throw new TruncatedError("metadata entry cut short");
        sink.raw(data);
        const pad = await src.readExact(padding(h.size));
        if (pad) sink.raw(pad);
        if (h.type === "x") pax = parsePax(data);
        else if (h.type === "g") for (const [k, v] of parsePax(data)) globalPax.set(k, v);
        else {
          const end = data.indexOf(0);
          const s = data.toString("utf8", 0, end === -1 ? data.length : end);
          if (h.type === "L") longName = s;
          else longLink = s;
        }
        continue;
      }
      if (longName !== undefined) h.name = longName;
      if (longLink !== undefined) h.linkname = longLink;
      applyPax(h, globalPax);
      if (pax) applyPax(h, pax);
      pax = longName = longLink = undefined;
      if (h.legacy && h.type === "0" && h.name.endsWith("/")) h.type = "5";
      if (h.type === "S") throw invalidParameter(`tar entry "${h.name}" is a GNU sparse file, which wharf does not support`);

      const size = HEADER_ONLY.has(h.type) ? 0 : h.size;
      let consumed = false;
      yield {
        header: h,
        content: () => {
          consumed = true;
          return src.stream(size);
        },
      };
      if (!consumed) for await (const b of src.stream(size)) sink.raw(Buffer.from(b));
      const pad = padding(size) ? await src.readExact(padding(size)) : null;
      if (padding(size) && !pad) throw new TruncatedError("padding missing");
      if (pad) sink.raw(pad);
    }
  } catch (e) {
    throw truncation(e, src, faults);
  }
}

/** An input that ended early becomes invalidParameter (file contents are read outside readTar). */
export function truncation(e: unknown, src: ByteSource, faults: TarFaults = layerFaults): unknown {
  if (e instanceof TruncatedError) return faults.truncated(src.offset, e.message);
  return e;
}
