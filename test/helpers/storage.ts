// Helpers for the storage tests: temp data roots that are always unmounted and
// removed, fixture images unpacked with the real tar, store listings and disk usage.
import { execFileSync } from "node:child_process";
import { createReadStream, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dirname, "../fixtures");

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const mp = line.split(" ")[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mp && (mp === dir || mp.startsWith(`${dir}/`))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Unmounts everything under `dir`, then removes it. */
export function removeTree(dir: string): void {
  for (const mp of mountsUnder(dir)) execFileSync("umount", ["-l", mp]);
  rmSync(dir, { recursive: true, force: true });
}

export class TempDirs {
  private readonly dirs: string[] = [];
  make(prefix = "wharf-storage-"): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }
  cleanup(): void {
    for (const d of this.dirs.splice(0)) removeTree(d);
  }
}

export interface FixtureImage {
  diffIds: string[];
  /** Paths of the layer blobs as stored in the archive (plain tars or gzip). */
  layers: string[];
}

/** Unpacks a `docker save` archive into `into` and lists its layers in order. */
export function dockerSaveImage(archive: string, into: string): FixtureImage {
  execFileSync("tar", ["-xf", archive, "-C", into]);
  const [m] = JSON.parse(readFileSync(join(into, "manifest.json"), "utf8"));
  const cfg = JSON.parse(readFileSync(join(into, m.Config), "utf8"));
  return { diffIds: cfg.rootfs.diff_ids, layers: m.Layers.map((l: string) => join(into, l)) };
}

/** Unpacks an OCI layout archive into `into` and lists its (gzip) layers in order. */
export function ociImage(archive: string, into: string): FixtureImage {
  execFileSync("tar", ["-xf", archive, "-C", into]);
  const blob = (d: string) => join(into, "blobs", d.replace(":", "/"));
  const index = JSON.parse(readFileSync(join(into, "index.json"), "utf8"));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), "utf8"));
  const cfg = JSON.parse(readFileSync(blob(manifest.config.digest), "utf8"));
  return { diffIds: cfg.rootfs.diff_ids, layers: manifest.layers.map((l: { digest: string }) => blob(l.digest)) };
}

export const fileStream = (path: string) => createReadStream(path, { highWaterMark: 1 << 20 });

export async function* chunks(...bufs: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const b of bufs) yield b;
}

/** Every path under `dir` with its type, mode and (for files) size and (for symlinks) target. */
export function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, r));
      const kind = st.isDirectory() ? "d" : st.isSymbolicLink() ? `l->${readlinkSync(join(dir, r))}` : st.isFile() ? `f${st.size}` : "o";
      out.push(`${r} ${kind} ${(st.mode & 0o7777).toString(8)}`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk("");
  return out;
}

/** Bytes allocated on disk under `dir`, each inode counted once. */
export function diskUsage(dir: string): number {
  const seen = new Set<number>();
  let total = 0;
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (!seen.has(st.ino)) {
      seen.add(st.ino);
      total += st.blocks * 512;
    }
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return total;
}
