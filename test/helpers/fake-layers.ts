// An in-memory LayerStore for unit tests of the image code (no root, no mounts). It keeps
// each layer's uncompressed tar bytes, counts references and children like the contract
// says, and checks diff ids; the e2e tests use the real store.
import { gunzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { WharfError } from "../../src/errors.ts";
import type { Digest, Layer, LayerStore } from "../../src/storage/types.ts";

const sha = (b: Uint8Array | string): Digest => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export class FakeLayerStore implements LayerStore {
  readonly driverName = "vfs";
  readonly layers = new Map<Digest, Layer & { bytes: Buffer; refs: number }>();
  /** Bytes stored now (stays put when a known layer is registered again). */
  storedBytes = 0;

  async register(tar: AsyncIterable<Uint8Array>, parent: Digest | null, expectedDiffId?: Digest): Promise<Layer> {
    const chunks: Buffer[] = [];
    for await (const c of tar) chunks.push(Buffer.from(c));
    let bytes = Buffer.concat(chunks);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const diffId = sha(bytes);
    if (expectedDiffId && diffId !== expectedDiffId) {
      throw new WharfError("invalidParameter", `layer digest mismatch: expected ${expectedDiffId}, got ${diffId}`);
    }
    if (parent && !this.layers.has(parent)) throw new WharfError("notFound", `no such layer ${parent}`);
    const chainId = parent ? sha(`${parent} ${diffId}`) : diffId;
    const have = this.layers.get(chainId);
    if (have) {
      have.refs++;
      return { chainId, diffId, parent, size: have.size };
    }
    this.layers.set(chainId, { chainId, diffId, parent, size: bytes.length, bytes, refs: 1 });
    this.storedBytes += bytes.length;
    return { chainId, diffId, parent, size: bytes.length };
  }

  get(chainId: Digest): Layer | undefined {
    const l = this.layers.get(chainId);
    return l && { chainId: l.chainId, diffId: l.diffId, parent: l.parent, size: l.size };
  }

  retain(chainId: Digest): void {
    this.layers.get(chainId)!.refs++;
  }

  async release(chainId: Digest): Promise<Digest[]> {
    const removed: Digest[] = [];
    let cur: Digest | null = chainId;
    let drop = true;
    while (cur) {
      const l = this.layers.get(cur);
      if (!l) break;
      if (drop) l.refs--;
      const hasChild = [...this.layers.values()].some((x) => x.parent === cur);
      if (l.refs > 0 || hasChild) break;
      this.layers.delete(cur);
      this.storedBytes -= l.bytes.length;
      removed.push(cur);
      cur = l.parent;
      drop = false;
    }
    return removed;
  }

  async *tarStream(chainId: Digest): AsyncIterable<Uint8Array> {
    const l = this.layers.get(chainId);
    if (!l) throw new WharfError("notFound", `no such layer ${chainId}`);
    for (let i = 0; i < l.bytes.length; i += 65536) yield l.bytes.subarray(i, i + 65536);
  }

  async createRW(): Promise<void> {}
  async mountRW(): Promise<string> {
    return "/nonexistent";
  }
  async unmountRW(): Promise<void> {}
  async removeRW(): Promise<void> {}
  rwDiffPath(): string {
    return "/nonexistent";
  }
  async close(): Promise<void> {}
}
