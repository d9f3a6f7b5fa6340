// Debian's Distribution registry (`/usr/bin/docker-registry`) on a free loopback port,
// with a config, storage and (optionally) htpasswd file or token settings of its own in a
// temp folder, stopped and removed again by `stop()`. Seeding goes through skopeo, which
// speaks the registry protocol independently of wharf.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort } from "./daemon.ts";

export const registryBin = "/usr/bin/docker-registry";
export const fixtureDir = resolve(import.meta.dirname, "../fixtures");

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the certificate whose key signs the tokens. */
  rootCertBundle: string;
}

export interface RegistryOptions {
  /** user → password, stored bcrypt-hashed with `htpasswd -B`. */
  htpasswd?: Record<string, string>;
  token?: TokenAuth;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  dir: string;
  storage: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  if (!existsSync(registryBin)) throw new Error(`${registryBin} is missing: .ci/run installs docker-registry`);
  const dir = mkdtempSync(join(tmpdir(), "wharf-registry-"));
  const storage = join(dir, "storage");
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = "";
  if (opts.htpasswd) {
    const file = join(dir, "htpasswd");
    writeFileSync(file, "");
    for (const [user, pass] of Object.entries(opts.htpasswd)) {
      const r = spawnSync("htpasswd", ["-B", "-b", file, user, pass], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
    }
    auth = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${file}\n`;
  } else if (opts.token) {
    const cert = join(dir, "token.crt");
    writeFileSync(cert, opts.token.rootCertBundle);
    const t = opts.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${cert}\n`;
  }
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: ${host}
  secret: wharf-test-${port}
${auth}`,
  );
  const proc = spawn(registryBin, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  const reg: TestRegistry = {
    host,
    url: `http://${host}`,
    dir,
    storage,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited with ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${reg.url}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {}
    if (Date.now() > deadline) {
      await reg.stop();
      throw new Error(`docker-registry did not answer on ${host}:\n${out}`);
    }
    await Bun.sleep(30);
  }
  return reg;
}

/** Copies an image archive into the registry with skopeo (e.g. `docker-archive:…` to `busybox:1`). */
export function seed(reg: TestRegistry, source: string, target: string, extra: string[] = []): void {
  // A fresh HOME: skopeo's blob-info cache would otherwise reuse blobs of another
  // compression it saw before, and the image would not be what the test asked for.
  const home = mkdtempSync(join(reg.dir, "skopeo-"));
  const r = spawnSync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", ...extra, source, `docker://${reg.host}/${target}`], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, "data") },
  });
  if (r.status !== 0) throw new Error(`skopeo copy ${source} → ${target} failed: ${r.stderr}`);
}

export const busyboxArchive = `docker-archive:${join(fixtureDir, "busybox-docker-save.tar")}`;
export const multilayerArchive = `docker-archive:${join(fixtureDir, "multilayer-docker-save.tar")}`;

// ---- images made by the test itself, PUT blob by blob (formats skopeo will not write,
// platforms this host does not have, layers with bad entries)

export const sha256hex = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");

export interface Blob {
  digest: string;
  size: number;
}

export async function putBlob(reg: TestRegistry, repo: string, data: Uint8Array): Promise<Blob> {
  const digest = `sha256:${sha256hex(data)}`;
  const start = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  const loc = new URL(start.headers.get("location")!, reg.url);
  loc.searchParams.set("digest", digest);
  const put = await fetch(loc, { method: "PUT", body: data as unknown as BodyInit, headers: { "Content-Type": "application/octet-stream" } });
  if (put.status !== 201) throw new Error(`blob put: ${put.status} ${await put.text()}`);
  return { digest, size: data.length };
}

export async function putManifest(reg: TestRegistry, repo: string, ref: string, manifest: object, mediaType: string): Promise<string> {
  const body = Buffer.from(JSON.stringify(manifest));
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, { method: "PUT", body, headers: { "Content-Type": mediaType } });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return `sha256:${sha256hex(body)}`;
}

export interface MadeImage {
  manifestDigest: string;
  configDigest: string;
  manifest: { config: Blob; layers: (Blob & { mediaType: string })[] };
  size: number;
}

/** An OCI image of the given layer tars, compressed as asked, under `repo` (tagged `tag` unless null). */
export async function makeImage(
  reg: TestRegistry,
  repo: string,
  tag: string | null,
  layers: Buffer[],
  opts: { compression?: "gzip" | "zstd" | "none"; platform?: { os: string; architecture: string; variant?: string }; cmd?: string[] } = {},
): Promise<MadeImage> {
  const compression = opts.compression ?? "gzip";
  const platform = opts.platform ?? { os: "linux", architecture: "amd64" };
  const zlib = await import("node:zlib");
  const blobs = [];
  for (const tar of layers) {
    const data = compression === "gzip" ? zlib.gzipSync(tar) : compression === "zstd" ? zlib.zstdCompressSync(tar) : tar;
    const b = await putBlob(reg, repo, data);
    const mediaType = `application/vnd.oci.image.layer.v1.tar${compression === "none" ? "" : `+${compression}`}`;
    blobs.push({ mediaType, ...b });
  }
  const config = Buffer.from(
    JSON.stringify({
      ...platform,
      created: "2024-01-01T00:00:00Z",
      config: { Cmd: opts.cmd ?? ["sh"], Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
      rootfs: { type: "layers", diff_ids: layers.map((l) => `sha256:${sha256hex(l)}`) },
      history: layers.map(() => ({ created: "2024-01-01T00:00:00Z", created_by: "test" })),
    }),
  );
  const cfg = await putBlob(reg, repo, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...cfg },
    layers: blobs,
  };
  const body = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = tag === null ? `sha256:${sha256hex(body)}` : await putManifest(reg, repo, tag, manifest, manifest.mediaType);
  if (tag === null) await putManifest(reg, repo, manifestDigest, manifest, manifest.mediaType);
  return { manifestDigest, configDigest: cfg.digest, manifest, size: body.length };
}

/** Where the registry keeps a blob's bytes (to damage it on purpose). */
export function blobPath(reg: TestRegistry, digest: string): string {
  const hex = digest.replace(/^sha256:/, "");
  return join(reg.storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
}

/**
 * A big image of `layers` layers, each `filesPerLayer` files of `fileSize` bytes under
 * `/layerN/`, of bytes that gzip to about three quarters (like binaries), compressed with
 * pigz -1 for speed of making; on top of the busybox layer when `base` is given.
 */
export async function makeBigImage(
  reg: TestRegistry,
  repo: string,
  tag: string,
  opts: { layers?: number; filesPerLayer?: number; fileSize?: number; base?: Buffer } = {},
): Promise<MadeImage & { compressedBytes: number }> {
  const { buildTar } = await import("./tarbuild.ts");
  const { randomBytes } = await import("node:crypto");
  const n = opts.layers ?? 8;
  const files = opts.filesPerLayer ?? 100;
  const size = opts.fileSize ?? 256 * 1024;
  const tars: Buffer[] = opts.base ? [opts.base] : [];
  for (let l = 0; l < n; l++) {
    const entries = [{ name: `layer${l}/`, type: "5" as const }];
    for (let f = 0; f < files; f++) {
      const b = randomBytes(size);
      for (let i = 0; i < b.length; i++) b[i] = 0x30 + (b[i]! & 0x3f);
      entries.push({ name: `layer${l}/f${f}.bin`, data: b } as never);
    }
    tars.push(buildTar(entries));
  }
  const blobs: (Blob & { mediaType: string })[] = [];
  for (const t of tars) {
    const z = spawnSync("pigz", ["-1", "-c", "-n"], { input: t, maxBuffer: 1 << 30 });
    if (z.status !== 0) throw new Error("pigz failed");
    blobs.push({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...(await putBlob(reg, repo, z.stdout)) });
  }
  const config = Buffer.from(
    JSON.stringify({
      os: "linux",
      architecture: "amd64",
      created: "2024-01-01T00:00:00Z",
      config: { Cmd: ["sh"], Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
      rootfs: { type: "layers", diff_ids: tars.map((t) => `sha256:${sha256hex(t)}`) },
      history: tars.map(() => ({ created: "2024-01-01T00:00:00Z", created_by: "bench" })),
    }),
  );
  const cfg = await putBlob(reg, repo, config);
  const manifest = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", ...cfg }, layers: blobs };
  const manifestDigest = await putManifest(reg, repo, tag, manifest, manifest.mediaType);
  return {
    manifestDigest,
    configDigest: cfg.digest,
    manifest,
    size: Buffer.byteLength(JSON.stringify(manifest)),
    compressedBytes: blobs.reduce((a, b) => a + b.size, 0),
  };
}

/** The busybox layer tar of the fixture (a base that makes images runnable). */
export function busyboxLayerTar(): Buffer {
  const r = spawnSync("tar", ["-xOf", join(fixtureDir, "busybox-docker-save.tar"), "acaca94dd9216e165e0209c800bdb011c3af7645eece841e34fb55fd8b919ff1/layer.tar"], {
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error("cannot read the busybox layer from the fixture");
  return r.stdout as Buffer;
}
