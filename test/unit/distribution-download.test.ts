// LayerDownload against a real registry on loopback: the download runs at the network's
// pace whether or not anyone reads, a reader follows the partial file to the last byte,
// a blob that fails its digest is refused to the reader too, and a cancelled download
// stops its reader.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobVerificationError, blobFile, LayerDownload } from "../../src/distribution/blob.ts";
import { RegistrySession } from "../../src/distribution/client.ts";
import { defaultRegistryOptions, endpointsFor } from "../../src/distribution/endpoint.ts";
import { nativeDecompressGrowing } from "../../src/distribution/decompress.ts";
import type { Descriptor } from "../../src/distribution/manifest.ts";
import { pipeSize } from "../../src/sys/libc.ts";
import { putBlob, sha256hex, startRegistry, type TestRegistry } from "../helpers/registry.ts";

const repo = "unit/download";

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe("LayerDownload", () => {
  let reg: TestRegistry;
  let dir: string;
  let session: RegistrySession;
  const data = Buffer.alloc(24 << 20);
  let desc: Descriptor;

  beforeAll(async () => {
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    reg = await startRegistry();
    const b = await putBlob(reg, repo, data);
    desc = { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: b.digest as Descriptor["digest"], size: b.size };
    session = new RegistrySession(endpointsFor(reg.host, defaultRegistryOptions)[0]!, {});
    dir = mkdtempSync(join(tmpdir(), "wharf-download-"));
  }, 60_000);
  afterAll(async () => {
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("completes with nobody reading, and a reader that comes later gets every byte", async () => {
    const partial = join(dir, "a");
    const seen: number[] = [];
    const dl = new LayerDownload(session, repo, desc, partial, (n) => seen.push(n));
    const reader = dl.chunks(true);
    await dl.run();
    expect(dl.complete).toBe(true);
    expect(dl.progress.fetched).toBe(data.length);
    expect(seen.at(-1)).toBe(data.length);
    // `reuse`: one buffer handed out again and again, so copy as the contract says.
    const got = await collect(reader);
    expect(sha256hex(got)).toBe(sha256hex(data));
    expect(readFileSync(dl.path).equals(data)).toBe(true);
  });

  it("a reader started first follows the file as it grows, to the last byte", async () => {
    const dl = new LayerDownload(session, repo, desc, join(dir, "b"), () => {});
    const reading = collect(dl.chunks(false));
    await dl.run();
    expect((await reading).equals(data)).toBe(true);
  });

  it("a blob longer than its descriptor fails the download and its reader, and leaves no partial file", async () => {
    const dl = new LayerDownload(session, repo, { ...desc, size: desc.size - 1 }, join(dir, "c"), () => {});
    const reading = collect(dl.chunks(false));
    await expect(dl.run()).rejects.toBeInstanceOf(BlobVerificationError);
    await expect(reading).rejects.toBeInstanceOf(BlobVerificationError);
    expect(dl.failed).toBe(true);
    expect(existsSync(dl.path)).toBe(false);
  });

  it("cancel stops the download and a reader waiting on it", async () => {
    const dl = new LayerDownload(session, repo, desc, join(dir, "d"), () => {});
    const reading = collect(dl.chunks(false));
    dl.cancel();
    await expect(dl.run()).rejects.toThrow();
    await expect(reading).rejects.toThrow();
    expect(dl.complete).toBe(false);
  });

  it("a cancelled unpack stops the native tool reading the file and says so", async () => {
    const file = join(dir, "big.gz");
    await Bun.write(file, Bun.gzipSync(data, { level: 1 }));
    const ac = new AbortController();
    let got = 0;
    const run = (async () => {
      for await (const c of nativeDecompressGrowing({ ...blobFile(file), signal: ac.signal })) {
        got += c.length;
        ac.abort();
      }
    })();
    await expect(run).rejects.toThrow("context canceled");
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(data.length);
  });

  it("the decompressor's pipe is closed after its stream, also when the reader stops early or the tool fails", async () => {
    const file = join(dir, "fd.gz");
    await Bun.write(file, Bun.gzipSync(data.subarray(0, 4 << 20), { level: 1 }));
    const junk = join(dir, "junk.gz");
    await Bun.write(junk, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(4096, 0xff)]));
    // Test files run side by side in this process and open descriptors of their own:
    // count only pipes of the decompressor's 1 MiB, which nothing else here makes.
    const fds = () => readdirSync("/proc/self/fd").filter((n) => pipeSize(Number(n)) === 1 << 20).length;
    const before = fds();
    for (let i = 0; i < 6; i++) {
      if (i % 3 === 0) expect((await collect(nativeDecompressGrowing(blobFile(file)))).length).toBe(4 << 20);
      else if (i % 3 === 1) for await (const _ of nativeDecompressGrowing(blobFile(file))) break;
      else await expect(collect(nativeDecompressGrowing(blobFile(junk)))).rejects.toThrow(/failed on the gzip stream/);
    }
    expect(fds()).toBe(before);
  });

  it("a blob already in a file: the native tool reads it itself and gives back the tar", async () => {
    const file = join(dir, "layer.gz");
    const tar = Buffer.concat([Buffer.from("hello "), data.subarray(0, 1 << 20)]);
    await Bun.write(file, Bun.gzipSync(tar));
    expect((await collect(nativeDecompressGrowing(blobFile(file)))).equals(tar)).toBe(true);
  });
});
