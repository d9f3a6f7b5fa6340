// Blob downloads, verified while they stream: every byte is hashed and counted, and the
// blob is accepted only when its sha256 and size match the descriptor. Layer bytes go
// to a partial file that the unpack follows as it grows, so a download cut off by a
// dropped connection or a daemon kill resumes with `Range` from what it already has.
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, rm, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { invalidParameter, WharfError } from "../errors.ts";
import { readFile, readPrefix } from "../image/spool.ts";
import type { Digest } from "../storage/types.ts";
import type { RegistrySession } from "./client.ts";
import { noteChurn } from "./churn.ts";
import { registryError } from "./errors.ts";
import type { Descriptor } from "./manifest.ts";

const retries = 3;
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

/** A file that grows while it is read: the blob as it arrives in its partial file. */
export interface GrowingFile {
  readonly path: string;
  /** Whether every byte is in and matched the descriptor. */
  readonly complete: boolean;
  /** Aborted when whatever reads the file should stop (the pull was cancelled). */
  readonly signal?: AbortSignal;
  /** The first `n` bytes (fewer only if the blob is shorter), once they are in. */
  head(n: number): Promise<Uint8Array>;
  /**
   * The bytes from the start, following the download until it completes; throws what
   * stopped the download. `reuse`: every chunk is a view into one buffer, valid only
   * until the next is asked for (for a consumer that copies at once).
   */
  chunks(reuse: boolean): AsyncGenerator<Uint8Array>;
}

/** A blob whose every byte is already in a file (verified elsewhere). */
export function blobFile(path: string): GrowingFile {
  return {
    path,
    complete: true,
    head: async (n) => readPrefix(path, n),
    chunks: () => readFile(path),
  };
}

const followChunk = 1 << 20;

/**
 * One layer blob's download into its partial file, hashed as it arrives and accepted
 * only if its sha256 and size match the descriptor. The download runs at the network's
 * pace, not the unpack's: whoever unpacks the layer follows the partial file (see
 * `GrowingFile`), so a download slot is free again as soon as the bytes are in. A
 * download cut off by a dropped connection or a daemon kill resumes with `Range` from
 * what the partial file already holds instead of from zero.
 */
export class LayerDownload implements GrowingFile {
  readonly path: string;
  readonly progress: BlobProgress;
  /** Bytes in the partial file that a reader may take. */
  private have = 0;
  private verifiedFlag = false;
  private failure: unknown;
  private started = false;
  private waiters: (() => void)[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly s: RegistrySession,
    private readonly repo: string,
    private readonly d: Descriptor,
    partialDir: string,
    onBytes: (n: number) => void,
    signal?: AbortSignal,
  ) {
    mkdirSync(partialDir, { recursive: true });
    this.path = join(partialDir, d.digest.slice(7));
    this.progress = { onBytes, fetched: 0, resumedFrom: 0 };
    this.abort.signal.addEventListener("abort", () => this.wake(), { once: true });
    if (signal?.aborted) this.abort.abort();
    else signal?.addEventListener("abort", () => this.abort.abort(), { once: true });
  }

  get complete(): boolean {
    return this.verifiedFlag;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Whether the download stopped short of a verified blob: cut off, refused, or cancelled. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Stops the download and its readers; the partial file stays unless `discard` drops it. */
  cancel(): void {
    this.abort.abort();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private changed(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  /** For readers: what stopped the download, if something did. */
  private throwIfStopped(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.abort.signal.aborted) throw new WharfError("system", "context canceled");
  }

  /** Downloads what the partial file lacks; resolves once the blob is verified. */
  async run(): Promise<void> {
    if (this.started) throw new Error("LayerDownload.run: called twice");
    this.started = true;
    try {
      await this.download();
      this.verifiedFlag = true;
    } catch (e) {
      this.failure = e;
      // Bytes that do not make the blob are worth nothing to a later attempt.
      if (e instanceof BlobVerificationError) rmSync(this.path, { force: true });
      throw e;
    } finally {
      this.wake();
    }
  }

  private async download(): Promise<void> {
    const { d, path, progress } = this;
    const hasher = new Bun.CryptoHasher("sha256");
    let have = existsSync(path) ? statSync(path).size : 0;
    if (have > d.size) have = 0;
    const fd = openSync(path, have ? "r+" : "w");
    try {
      ftruncateSync(fd, have);
      let offset = 0;
      if (have) {
        progress.resumedFrom = have;
        for await (const c of readFile(path)) {
          const part = offset + c.length > have ? c.subarray(0, have - offset) : c;
          hasher.update(part);
          offset += part.length;
          this.have = offset;
          progress.onBytes(offset);
          this.wake();
          if (offset >= have) break;
        }
      }
      let failures = 0;
      while (offset < d.size) {
        try {
          for await (const c of this.fetchFrom(offset)) {
            writeAll(fd, c, offset);
            hasher.update(c);
            offset += c.length;
            this.have = offset;
            progress.fetched += c.length;
            noteChurn(c.length);
            progress.onBytes(offset);
            this.wake();
          }
          if (offset < d.size) throw new WharfError("system", "unexpected EOF");
        } catch (e) {
          if (this.abort.signal.aborted || e instanceof BlobVerificationError || ++failures > retries) throw e;
          if (e instanceof WharfError && e.kind !== "system") throw e;
          await Bun.sleep(200 * failures);
        }
      }
      const got = `sha256:${hasher.digest("hex")}`;
      if (offset !== d.size || got !== d.digest) throw new BlobVerificationError(d.digest);
    } finally {
      closeSync(fd);
    }
  }

  private async *fetchFrom(offset: number): AsyncGenerator<Uint8Array> {
    const { s, repo, d } = this;
    const signal = this.abort.signal;
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
        if (signal.aborted) throw new WharfError("system", "context canceled");
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

  async head(n: number): Promise<Uint8Array> {
    const want = Math.min(n, this.d.size);
    while (this.have < want && !this.verifiedFlag) {
      this.throwIfStopped();
      await this.changed();
    }
    return readPrefix(this.path, want);
  }

  async *chunks(reuse: boolean): AsyncGenerator<Uint8Array> {
    // Opened before the first wait: a verification failure removes the file, and the
    // open fd still reads what was there until the failure is seen.
    while (!existsSync(this.path)) {
      this.throwIfStopped();
      await this.changed();
    }
    this.throwIfStopped();
    const fd = openSync(this.path, "r");
    const shared = reuse ? Buffer.allocUnsafe(followChunk) : undefined;
    let pos = 0;
    try {
      for (;;) {
        if (pos < this.have) {
          const n = Math.min(this.have - pos, followChunk);
          const b = shared ?? Buffer.allocUnsafe(n);
          const got = readSync(fd, b, 0, n, pos);
          if (got <= 0) throw new WharfError("system", `partial file of ${this.d.digest} ends at byte ${pos}`);
          pos += got;
          if (!shared) noteChurn(got);
          yield b.subarray(0, got);
          continue;
        }
        this.throwIfStopped();
        if (this.verifiedFlag) return;
        await this.changed();
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Drops the partial file once the layer is committed: renamed away at once (so a pull
   * of the same blob starting now never meets it half removed), its blocks freed in the
   * background, off the pull's path.
   */
  discard(): void {
    // Out of the partial dir, so nothing there ever looks like a download to resume.
    const partialDir = dirname(this.path);
    const goneDir = discardedDir(partialDir);
    const gone = join(goneDir, `${this.d.digest.slice(7)}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
    try {
      mkdirSync(goneDir, { recursive: true });
      renameSync(this.path, gone);
    } catch {
      return;
    }
    rm(gone, { force: true }, () => {});
  }
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
