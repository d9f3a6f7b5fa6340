// Push upload modes against Debian's docker-registry: by default a layer streams in one
// PATCH (as dockerd sends it) and the config goes monolithic (POST, then one PUT with
// the bytes); for a registry that asks for chunks with OCI-Chunk-Min-Length, the layer
// goes in PATCHes with Content-Range, each at least that long. A recording HTTP proxy in
// front of the registry adds the header and notes each upload request; the registry
// stores what came, and the image is pulled back from it with the same id. A connection
// cut in the middle of an upload is retried after dockerd's countdown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { connect, createServer, type Socket } from "node:net";
import { startDaemon, dockerCli, type TestDaemon } from "../helpers/daemon.ts";
import { makeBigImage, startRegistry, type TestRegistry } from "../helpers/registry.ts";

interface Seen {
  method: string;
  path: string;
  range: string | null;
  length: number;
}

/** Forwards to the registry, rewriting Location to itself; optionally asks for chunks. */
function startRecordingProxy(reg: TestRegistry) {
  const seen: Seen[] = [];
  const state = { minChunk: 0 };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const u = new URL(req.url);
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await req.arrayBuffer());
      if (u.pathname.includes("/blobs/uploads/")) seen.push({ method: req.method, path: u.pathname + u.search, range: req.headers.get("content-range"), length: body?.length ?? 0 });
      const headers = new Headers(req.headers);
      headers.delete("host");
      const res = await fetch(`${reg.url}${u.pathname}${u.search}`, { method: req.method, headers, body, redirect: "manual" });
      const out = new Headers(res.headers);
      const loc = out.get("location");
      if (loc) out.set("location", loc.replace(reg.url, `http://${host}`));
      if (state.minChunk && req.method === "POST" && res.status === 202) out.set("OCI-Chunk-Min-Length", String(state.minChunk));
      out.delete("content-encoding");
      return new Response(req.method === "HEAD" ? null : await res.arrayBuffer(), { status: res.status, headers: out });
    },
  });
  const host = `127.0.0.1:${server.port}`;
  return { host, seen, state, stop: () => server.stop(true) };
}

/** The docker CLI without blocking this event loop (the proxy runs in it). */
async function dockerAsync(d: TestDaemon, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([dockerCli(), ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") } });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

async function ok(r: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const x = await r;
  if (x.code !== 0) throw new Error(`exit ${x.code}: ${x.stderr}${x.stdout}`);
  return x.stdout;
}

/** The manifest as the registry serves it: its digest and its one layer. */
async function remote(reg: TestRegistry, repo: string, tag: string): Promise<{ Digest: string; layer: { digest: string; size: number } }> {
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, { headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
  if (!res.ok) throw new Error(`manifest ${repo}:${tag}: ${res.status}`);
  const m = (await res.json()) as { layers: { digest: string; size: number }[] };
  return { Digest: res.headers.get("docker-content-digest")!, layer: m.layers[0]! };
}

/** A TCP proxy that cuts the first connection to carry more than `after` bytes upstream (a PATCH body), once. */
async function startCuttingProxy(port: number, after: number) {
  let cut = 0;
  const socks = new Set<Socket>();
  const server = createServer((client) => {
    const up = connect(port, "127.0.0.1");
    socks.add(client).add(up);
    let sent = 0;
    client.on("data", (c: Buffer) => {
      sent += c.length;
      if (!cut && sent > after) {
        cut++;
        client.destroy();
        up.destroy();
        return;
      }
      up.write(c);
    });
    up.on("data", (c: Buffer) => client.write(c));
    const end = () => {
      client.destroy();
      up.destroy();
    };
    up.on("close", end).on("error", end);
    client.on("close", end).on("error", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    cuts: () => cut,
    close: async () => {
      for (const x of socks) x.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe("push uploads: streamed, monolithic and chunked", () => {
  let src: TestRegistry;
  let dst: TestRegistry;
  let dst2: TestRegistry;
  let proxy: ReturnType<typeof startRecordingProxy>;
  let proxy2: ReturnType<typeof startRecordingProxy>;
  let d: TestDaemon;
  let configDigest = "";

  beforeAll(async () => {
    src = await startRegistry();
    dst = await startRegistry();
    // A registry of its own for the chunked push, or the layer would be mounted, not sent.
    dst2 = await startRegistry();
    // One layer of ~16 MB (about 12 MB gzipped): several 5 MiB chunks.
    const img = await makeBigImage(src, "big", "1", { layers: 1, filesPerLayer: 64 });
    configDigest = img.configDigest;
    proxy = startRecordingProxy(dst);
    proxy2 = startRecordingProxy(dst2);
    proxy2.state.minChunk = 4 << 20;
    d = await startDaemon();
    await ok(dockerAsync(d, ["pull", `${src.host}/big:1`]));
  }, 120_000);
  afterAll(async () => {
    proxy?.stop();
    proxy2?.stop();
    await d?.cleanup();
    await dst?.stop();
    await dst2?.stop();
    await src?.stop();
  });

  it("by default: the layer in one streamed PATCH, the config in one monolithic PUT", async () => {
    proxy.seen.length = 0;
    await ok(dockerAsync(d, ["tag", `${src.host}/big:1`, `${proxy.host}/streamed:1`]));
    const out = await ok(dockerAsync(d, ["push", `${proxy.host}/streamed:1`]));
    expect(out).toMatch(/: Pushed\n/);
    const patches = proxy.seen.filter((s) => s.method === "PATCH");
    expect(patches).toHaveLength(1);
    expect(patches[0]!.range).toBeNull();
    const { layer } = await remote(dst, "streamed", "1");
    expect(patches[0]!.length).toBe(layer.size);
    const puts = proxy.seen.filter((s) => s.method === "PUT");
    // The layer's PUT only commits; the config's carries the bytes.
    expect(puts.map((p) => p.length > 0).sort()).toEqual([false, true]);
    expect(puts.find((p) => p.length > 0)!.path).toContain(`digest=${encodeURIComponent(configDigest)}`);
  }, 60_000);

  it("a registry asking for chunks: Content-Range PATCHes of at least its minimum, in order, then PUT ?digest=", async () => {
    await ok(dockerAsync(d, ["tag", `${src.host}/big:1`, `${proxy2.host}/chunked:1`]));
    const out = await ok(dockerAsync(d, ["push", `${proxy2.host}/chunked:1`]));
    const digest = /1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(out)![1];
    const r = await remote(dst2, "chunked", "1");
    expect(r.Digest).toBe(digest);
    const layer = r.layer;
    const patches = proxy2.seen.filter((s) => s.method === "PATCH");
    expect(patches.length).toBeGreaterThanOrEqual(2);
    let next = 0;
    for (const [i, p] of patches.entries()) {
      const m = /^(\d+)-(\d+)$/.exec(p.range ?? "");
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(next);
      expect(Number(m![2]) - Number(m![1]) + 1).toBe(p.length);
      if (i < patches.length - 1) expect(p.length).toBeGreaterThanOrEqual(4 << 20);
      next += p.length;
    }
    expect(next).toBe(layer.size);
    const commit = proxy2.seen.filter((s) => s.method === "PUT" && s.path.includes(encodeURIComponent(layer.digest)));
    expect(commit).toHaveLength(1);

    // What the registry assembled is the image: pulled back, the same id and contents.
    await ok(dockerAsync(d, ["rmi", `${proxy2.host}/chunked:1`, `${proxy.host}/streamed:1`, `${src.host}/big:1`]));
    expect(await ok(dockerAsync(d, ["images", "-q", "--no-trunc"]))).not.toContain(configDigest);
    await ok(dockerAsync(d, ["pull", `${dst2.host}/chunked:1`]));
    expect(await ok(dockerAsync(d, ["inspect", "-f", "{{.Id}}", `${dst2.host}/chunked:1`]))).toBe(`${configDigest}\n`);
  }, 60_000);
  it("a connection cut mid-upload: Docker's countdown, then the layer is sent again and the image arrives whole", async () => {
    const reg = await startRegistry();
    const cutter = await startCuttingProxy(Number(reg.host.split(":")[1]), 2 << 20);
    try {
      await ok(dockerAsync(d, ["pull", `${src.host}/big:1`]));
      await ok(dockerAsync(d, ["tag", `${src.host}/big:1`, `${cutter.host}/again:1`]));
      const out = await ok(dockerAsync(d, ["push", `${cutter.host}/again:1`]));
      expect(cutter.cuts()).toBe(1);
      const lines = out.trim().split("\n");
      const id = lines.find((l) => l.endsWith(": Retrying in 5 seconds"))?.split(":")[0];
      expect(id).toMatch(/^[0-9a-f]{12}$/);
      expect(lines.filter((l) => l.startsWith(`${id}: Retrying in`))).toEqual([5, 4, 3, 2].map((n) => `${id}: Retrying in ${n} seconds`).concat(`${id}: Retrying in 1 second`));
      expect(lines).toContain(`${id}: Pushed`);
      const digest = /1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(out)![1];
      expect((await remote(reg, "again", "1")).Digest).toBe(digest);
      await ok(dockerAsync(d, ["rmi", `${cutter.host}/again:1`, `${src.host}/big:1`]));
      await ok(dockerAsync(d, ["pull", `${reg.host}/again:1`]));
      expect(await ok(dockerAsync(d, ["inspect", "-f", "{{.Id}}", `${reg.host}/again:1`]))).toBe(`${configDigest}\n`);
    } finally {
      await cutter.close();
      await reg.stop();
    }
  }, 90_000);
});
