// Builds small tar archives in memory for image tests (good and deliberately bad ones).
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { createHash } from "node:crypto";
import { tarEnd, tarHeader, tarPadding } from "../../src/image/tar.ts";

export const fixtures = resolve(import.meta.dirname, "../fixtures");
export const busyboxId = "sha256:d6240d91e29b57d92ecfc072547b2b6040f720aa305090ac7ead11b0457dfeec";
export const multilayerId = "sha256:aafd41bca126bc679f28cdb37a4593755973c5a98e21c7d9dc8ac4471ebfc26c";
export const multilayerOciId = "sha256:86361e6df12cb93d2bc02849acc094eeb799af907ecdcf10ae15ddb6a315bcf9";

export type Entry =
  | { name: string; data: string | Uint8Array }
  | { name: string; symlink: string }
  | { name: string; dir: true };

export function makeTar(entries: Entry[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if ("data" in e) {
      const d = typeof e.data === "string" ? Buffer.from(e.data) : e.data;
      parts.push(tarHeader({ name: e.name, size: d.length, mtime: 0 }), d, tarPadding(d.length));
    } else if ("symlink" in e) parts.push(tarHeader({ name: e.name, size: 0, type: "symlink", linkname: e.symlink }));
    else parts.push(tarHeader({ name: e.name, size: 0, type: "dir" }));
  }
  parts.push(tarEnd());
  return Buffer.concat(parts);
}

export const sha = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A one-layer docker-archive; `mutate` may break any part of it. */
export function tinyImage(opts: { tag?: string; file?: string } = {}) {
  const layer = makeTar([{ name: "hello.txt", data: opts.file ?? "hello\n" }]);
  const config = JSON.stringify({
    architecture: "amd64",
    os: "linux",
    created: "2026-01-02T03:04:05Z",
    config: { Cmd: ["sh"], Labels: { a: "b" } },
    rootfs: { type: "layers", diff_ids: [sha(layer)] },
    history: [{ created: "2026-01-02T03:04:05Z", created_by: "test" }],
  });
  const cfgName = `blobs/sha256/${sha(config).slice(7)}`;
  const layerName = `blobs/sha256/${sha(layer).slice(7)}`;
  const manifest = JSON.stringify([{ Config: cfgName, RepoTags: [opts.tag ?? "tiny:1"], Layers: [layerName] }]);
  return { layer, config, cfgName, layerName, manifest, id: sha(config) };
}

export function tinyArchive(t = tinyImage(), extra: Entry[] = []): Buffer {
  return makeTar([
    { name: t.layerName, data: t.layer },
    { name: t.cfgName, data: t.config },
    ...extra,
    { name: "manifest.json", data: t.manifest },
  ]);
}

/** Every path under a directory with its size: compared before and after a failed load. */
export function treeListing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      out.push(`${p.slice(dir.length)} ${st.isDirectory() ? "dir" : st.size}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

export async function* chunked(b: Uint8Array, size = 7919): AsyncIterable<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
