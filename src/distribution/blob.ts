// Blob downloads, verified while they stream: every byte is hashed and counted, and the
// blob is accepted only when its sha256 and size match the descriptor. Layer bytes are
// also appended to a partial file, so a download cut off by a dropped connection or a
// daemon kill resumes with `Range` from what it already has instead of from zero.
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, renameSync, rm, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { invalidParameter, WharfError } from "../errors.ts";
import { readFile } from "../image/spool.ts";
import type { Digest } from "../storage/types.ts";
import type { RegistrySession } from "./client.ts";
import { registryError } from "./errors.ts";
import type { Descriptor } from "./manifest.ts";

const retries = 3;
// Every chunk of a blob and of its inflated tar is a fresh buffer that dies at once, but
// Bun frees their memory only in a full collection; without one now and then the
// daemon's RSS grows during a pull by tens of MB of dead chunks. A full collection of
// the daemon's small heap takes a few ms. Measured on the pull bench (interleaved, peak
// RSS above idle): none 61 MiB, one per 24 MiB of compressed bytes 50, per 8 MiB 42
// (at more CPU); per 16 MiB sits between at no measurable cost in time.
const gcEvery = 16 << 20;
let sinceGc = 0;
function noteBytes(n: number): void {
  sinceGc += n;
  if (sinceGc >= gcEvery) {
    sinceGc = 0;
    Bun.gc(true);
  }
}
const stallMs = 60_000;

export class BlobVerificationError extends WharfError {
  constructor(digest: Digest) {
    super("invalidParameter", `filesystem layer verification failed for digest ${digest}`);
  }
}

/** Reads a whole small blob (a config), verified. */
export async function fetchSmallBlob(s: RegistrySession, repo: string, d: Descriptor): Promise<Buffer> {
  const res = await s.request(`/v2/${repo}/blobs/${d.digest}`, { repo, actions: ["pull"] });
  if (!res.ok) throw await registryError(res);
  const raw = Buffer.from(await res.arrayBuffer());
  const got = `sha256:${new Bun.CryptoHasher("sha256").update(raw).digest("hex")}`;
  if (got !== d.digest || (d.size && raw.length !== d.size)) throw invalidParameter(`blob ${d.digest} does not match its digest (got ${got}, ${raw.length} bytes)`);
  return raw;
}

export interface BlobProgress {
  /** Bytes of the blob in hand (replayed from the partial file or fetched). */
  onBytes(current: number): void;
  /** Bytes that came over the network (for resume measurements). */
  fetched: number;
  /** Bytes reused from a partial file left by an earlier attempt. */
  resumedFrom: number;
}

export interface BlobSource {
  chunks: AsyncIterable<Uint8Array>;
  progress: BlobProgress;
  /** Set once the last byte was read and matched the descriptor. */
  readonly verified: boolean;
  /**
   * Drops the partial file once the layer is committed: renamed away at once (so a pull
   * of the same blob starting now never meets it half removed), its blocks freed in the
   * background, off the pull's path.
   */
  discard(): void;
}

/**
 * Streams a layer blob: first the partial file's bytes (if an earlier pull left some),
 * then the rest from the registry, retrying a cut-off transfer from where it stopped.
 */
export function layerBlob(s: RegistrySession, repo: string, d: Descriptor, partialDir: string, onBytes: (n: number) => void, signal?: AbortSignal): BlobSource {
  mkdirSync(partialDir, { recursive: true });
  const path = join(partialDir, d.digest.slice(7));
  const progress: BlobProgress = { onBytes, fetched: 0, resumedFrom: 0 };
  const state = { verified: false };
  const hasher = new Bun.CryptoHasher("sha256");
  const finish = (total: number) => {
    const got = `sha256:${hasher.digest("hex")}`;
    if (total !== d.size || got !== d.digest) {
      rmSync(path, { force: true });
      throw new BlobVerificationError(d.digest);
    }
    state.verified = true;
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let offset = 0;
    let have = existsSync(path) ? statSync(path).size : 0;
    if (have > d.size) have = 0;
    const fd = openSync(path, have ? "r+" : "w");
    try {
      ftruncateSync(fd, have);
      if (have) {
        progress.resumedFrom = have;
        for await (const c of readFile(path)) {
          const part = offset + c.length > have ? c.subarray(0, have - offset) : c;
          hasher.update(part);
          offset += part.length;
          onBytes(offset);
          yield part;
          if (offset >= have) break;
        }
      }
      let failures = 0;
      while (offset < d.size) {
        try {
          for await (const c of fetchFrom(offset)) {
            writeAll(fd, c, offset);
            hasher.update(c);
            offset += c.length;
            progress.fetched += c.length;
            noteBytes(c.length);
            onBytes(offset);
            yield c;
          }
          if (offset < d.size) throw new WharfError("system", "unexpected EOF");
        } catch (e) {
          if (signal?.aborted || e instanceof BlobVerificationError || ++failures > retries) throw e;
          if (e instanceof WharfError && e.kind !== "system") throw e;
          await Bun.sleep(200 * failures);
        }
      }
      finish(offset);
    } finally {
      closeSync(fd);
    }
  }
  async function* fetchFrom(offset: number): AsyncGenerator<Uint8Array> {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    const res = await s.request(`/v2/${repo}/blobs/${d.digest}`, { repo, actions: ["pull"] }, { headers, signal });
    if (res.status !== 200 && res.status !== 206) throw await registryError(res);
    // A registry that ignores Range sends the whole blob: skip what is already here.
    let skip = res.status === 200 ? offset : 0;
    const reader = res.body!.getReader();
    // One watchdog per response rather than a timer raced against every chunk (thousands
    // a layer); it counts only time spent waiting for the registry, not for our own disk.
    let waitingSince = 0;
    let stalled = false;
    const watchdog = setInterval(() => {
      if (!waitingSince || performance.now() - waitingSince < stallMs) return;
      stalled = true;
      reader.cancel().catch(() => {});
    }, Math.min(stallMs, 5000));
    try {
      for (;;) {
        waitingSince = performance.now();
        const r = await reader.read();
        waitingSince = 0;
        if (stalled) throw new WharfError("system", "timeout reading layer data");
        if (r.done || !r.value) return;
        // The request's signal only covers the wait for headers; a pull whose client went away stops here.
        if (signal?.aborted) throw new WharfError("system", "context canceled");
        let c = r.value;
        if (skip) {
          const n = Math.min(skip, c.length);
          skip -= n;
          c = c.subarray(n);
          if (!c.length) continue;
        }
        if (offset + c.length > d.size) throw new BlobVerificationError(d.digest);
        offset += c.length;
        yield c;
      }
    } finally {
      clearInterval(watchdog);
      reader.cancel().catch(() => {});
    }
  }
  return {
    chunks: chunks(),
    progress,
    get verified() {
      return state.verified;
    },
    discard: () => {
      // Out of the partial dir, so nothing there ever looks like a download to resume.
      const goneDir = discardedDir(partialDir);
      const gone = join(goneDir, `${d.digest.slice(7)}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
      try {
        mkdirSync(goneDir, { recursive: true });
        renameSync(path, gone);
      } catch {
        return;
      }
      rm(gone, { force: true }, () => {});
    },
  };
}

const discardedDir = (partialDir: string) => `${partialDir}-gone`;

/** Partial files a daemon stopped before it had freed them (see `discard`). */
export function sweepDiscarded(partialDir: string): void {
  rmSync(discardedDir(partialDir), { recursive: true, force: true });
}

function writeAll(fd: number, c: Uint8Array, position: number): void {
  let off = 0;
  while (off < c.length) off += writeSync(fd, c, off, c.length - off, position + off);
}
