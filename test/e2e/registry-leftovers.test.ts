// What a failed or cancelled pull leaves in the data root: nothing but the partial
// downloads resume keeps on purpose (distribution/partial/<digest>, never more than the
// blob), and those go once the pull completes or when no pull came back for them in a
// day. Then --registry-mirror: a mirror that is down, lacks the image or serves a bad
// blob falls back to the origin (a second loopback registry standing in for Docker Hub).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { docker, freePort, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { blobPath, sha256hex, busyboxArchive, busyboxLayerTar, makeBigImage, makeImage, seed, startRegistry, type TestRegistry } from "../helpers/registry.ts";
import { startByteProxy, type ByteProxy } from "../helpers/byteproxy.ts";
import { buildTar } from "../helpers/tarbuild.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Every path under the data root but the SQLite files (their pages change with any read). */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      const rel = relative(root, p);
      if (/^graph\.db/.test(rel)) continue;
      out.push(rel);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

function partialDir(d: TestDaemon): string {
  const found = spawnSync("find", [d.dataRoot, "-type", "d", "-name", "partial", "-path", "*distribution*"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
  return found[0] ?? join(d.dataRoot, "image", "overlay2", "distribution", "partial");
}

/**
 * The partial files, once the discarded ones (moved at once to `partial-gone/` beside
 * them, removed in the background) are gone: what a pull threw away must be freed too.
 */
function partials(d: TestDaemon): string[] {
  const ls = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
  const gone = `${partialDir(d)}-gone`;
  for (let i = 0; i < 250 && ls(gone).length > 0; i++) Bun.sleepSync(20);
  expect(ls(gone), "discarded partial downloads still held after 5 s").toEqual([]);
  return ls(partialDir(d));
}

/** POST /images/create through curl, spawned asynchronously (the proxy shares this event loop). */
function pullAsync(d: TestDaemon, image: string, tag: string) {
  const p = Bun.spawn(["curl", "-s", "-N", "--unix-socket", d.sock, "-XPOST", `http://x/v1.45/images/create?fromImage=${encodeURIComponent(image)}&tag=${tag}`], {
    stdout: "pipe",
    stderr: "pipe",
  });
  return { proc: p, text: new Response(p.stdout).text() };
}

describe("a failed or cancelled pull leaves only what resume keeps", () => {
  let reg: TestRegistry;
  let proxy: ByteProxy;
  let d: TestDaemon;
  let again: ChildProcess | undefined;
  let big: Awaited<ReturnType<typeof makeBigImage>>;

  beforeAll(async () => {
    reg = await startRegistry();
    big = await makeBigImage(reg, "big", "1", { layers: 3, filesPerLayer: 80, base: busyboxLayerTar() });
    proxy = await startByteProxy(Number(reg.host.split(":")[1]));
    d = await startDaemon();
  }, 120_000);
  afterAll(async () => {
    again?.kill("SIGKILL");
    await d?.cleanup();
    await proxy?.close();
    await reg?.stop();
  });

  it("a blob that does not match its digest: the data root is as before", async () => {
    const base = busyboxLayerTar();
    const img = await makeImage(reg, "damaged", "1", [base, buildTar([{ name: "x.txt", data: "x".repeat(9000) }])]);
    const layer = img.manifest.layers[1]!;
    writeFileSync(blobPath(reg, layer.digest), Buffer.alloc(layer.size, 7));
    ok(docker(d, ["images"]));
    const before = tree(d.dataRoot);
    const r = docker(d, ["pull", `${reg.host}/damaged:1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/verification failed for digest|gzip|invalid/);
    // Nothing of the bad blob; the base layer, downloaded and verified beside it, stays
    // whole for the next attempt (and goes when that completes or the file is a day old).
    const baseBlob = img.manifest.layers[0]!;
    expect(partials(d)).toEqual([baseBlob.digest.slice(7)]);
    const kept = readFileSync(join(partialDir(d), baseBlob.digest.slice(7)));
    expect([kept.length, `sha256:${sha256hex(kept)}`]).toEqual([baseBlob.size, baseBlob.digest]);
    expect(tree(d.dataRoot).filter((p) => !/distribution\/(partial|v2metadata)/.test(p))).toEqual(before.filter((p) => !/distribution\/(partial|v2metadata)/.test(p)));
  });

  it("a layer whose bytes match its digest but will not unpack: its partial file goes as well", async () => {
    // The bad entry comes first and 32 MB follow it, so the unpack fails while the download still runs.
    const tail = randomBytes(32 << 20);
    const img = await makeImage(reg, "unappliable", "1", [busyboxLayerTar(), buildTar([{ name: "h", type: "1", linkname: "missing" }, { name: "big", data: tail }])]);
    const bad = img.manifest.layers[1]!;
    const r = docker(d, ["pull", `${reg.host}/unappliable:1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hard link "h" points to "missing", which is not in the layer');
    expect(partials(d)).not.toContain(bad.digest.slice(7));
  });

  it("a manifest whose bytes do not match the digest asked for: Docker's words, the data root as before", async () => {
    const img = await makeImage(reg, "badmanifest", "1", [busyboxLayerTar()]);
    // The registry keeps manifests as blobs too: the same JSON, one more space.
    const path = blobPath(reg, img.manifestDigest);
    writeFileSync(path, readFileSync(path, "utf8").replace("{", "{ "));
    const before = tree(d.dataRoot);
    const r = docker(d, ["pull", `${reg.host}/badmanifest@${img.manifestDigest}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`manifest verification failed for digest ${img.manifestDigest}`);
    expect(tree(d.dataRoot)).toEqual(before);
  });

  it("a registry that stops mid-blob: no image, no staging, only partial files of the image's blobs; the next pull completes and drops them", async () => {
    const image = `${proxy.host}/big`;
    const before = tree(d.dataRoot);
    const earlier = partials(d);
    const pull = pullAsync(d, image, "1");
    const deadline = Date.now() + 60_000;
    while (proxy.downstream() < big.compressedBytes / 3 && Date.now() < deadline) await Bun.sleep(2);
    reg.proc.kill("SIGKILL");
    await new Promise((r) => (reg.proc.exitCode !== null || reg.proc.signalCode !== null ? r(null) : reg.proc.once("exit", r)));
    await pull.proc.exited;
    const out = await pull.text;
    expect(proxy.downstream()).toBeLessThan(big.compressedBytes);
    expect(out).toMatch(/"error":".*(connection refused|unexpected EOF|reset)/);
    expect(ok(docker(d, ["images", "-q", "--no-trunc"]))).not.toContain(big.configDigest);
    const sizes = new Map(big.manifest.layers.map((l) => [l.digest.slice(7), l.size]));
    const kept = partials(d).filter((n) => !earlier.includes(n));
    expect(kept.length).toBeGreaterThan(0);
    for (const n of kept) {
      expect(sizes.has(n)).toBe(true);
      expect(statSync(join(partialDir(d), n)).size).toBeLessThanOrEqual(sizes.get(n)!);
    }
    const changed = tree(d.dataRoot).filter((p) => !before.includes(p) && !/distribution\/partial/.test(p));
    expect(changed).toEqual([]);

    // The registry back on its port: the pull resumes and completes, and keeps nothing partial.
    again = spawn("/usr/bin/docker-registry", ["serve", join(reg.dir, "config.yml")], { stdio: "ignore" });
    for (let i = 0; i < 200; i++) {
      if (await fetch(`${reg.url}/v2/`).then((r) => r.ok, () => false)) break;
      await Bun.sleep(30);
    }
    const done = pullAsync(d, image, "1");
    await done.proc.exited;
    expect(await done.text).toContain(`Status: Downloaded newer image for ${image}:1`);
    expect(partials(d)).toEqual(earlier);
    expect(ok(docker(d, ["run", "--rm", `${image}:1`, "sh", "-c", "ls /layer2 | wc -l"])).trim()).toBe("80");
  }, 120_000);

  it("a cancelled pull (the client goes away) stops, keeps no staging and no image", async () => {
    ok(docker(d, ["rmi", `${proxy.host}/big:1`]));
    const before = tree(d.dataRoot);
    // A registry at 40 MB/s: the whole image would take over a second, time enough to see the pull stop.
    const slow = await startByteProxy(Number(reg.host.split(":")[1]), { bytesPerSec: 40e6 });
    try {
      const pull = pullAsync(d, `${slow.host}/big`, "1");
      const deadline = Date.now() + 60_000;
      while (slow.downstream() < big.compressedBytes / 4 && Date.now() < deadline) await Bun.sleep(2);
      pull.proc.kill("SIGKILL");
      await pull.proc.exited;
      // The daemon notices and stops fetching; what stays is at most partial files.
      let last = -1;
      for (let i = 0; i < 100 && slow.downstream() !== last; i++) {
        last = slow.downstream();
        await Bun.sleep(100);
      }
      expect(slow.downstream()).toBeLessThan(big.compressedBytes * 0.75);
    } finally {
      await slow.close();
    }
    expect(ok(docker(d, ["images", "-q", "--no-trunc"]))).not.toContain(big.configDigest);
    // The layers being unpacked when the client left are dropped once their jobs unwind.
    const extra = () => tree(d.dataRoot).filter((p) => !before.includes(p) && !/distribution\/partial/.test(p));
    for (let i = 0; i < 100 && extra().length; i++) await Bun.sleep(100);
    expect(extra()).toEqual([]);
  }, 120_000);

  it("a partial file no pull came back for in a day is removed; a fresh one stays", async () => {
    const dir = partialDir(d);
    mkdirSync(dir, { recursive: true });
    const old = join(dir, "a".repeat(64));
    const fresh = join(dir, "b".repeat(64));
    writeFileSync(old, "stale bytes");
    writeFileSync(fresh, "recent bytes");
    const twoDays = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    utimesSync(old, twoDays, twoDays);
    const pull = pullAsync(d, `${proxy.host}/big`, "1");
    await pull.proc.exited;
    expect(await pull.text).toContain("Status: Downloaded newer image");
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  }, 120_000);
});

describe("a registry that never answers", () => {
  let d: TestDaemon;
  let hole: Server;
  const held = new Set<Socket>();
  beforeAll(async () => {
    d = await startDaemon();
    // Accepts connections and never says a word.
    hole = createServer((c) => {
      held.add(c);
      // Read (and drop) what comes, so the daemon's hang-up is seen.
      c.resume();
      c.on("close", () => held.delete(c)).on("error", () => {});
    });
    await new Promise<void>((r) => hole.listen(0, "127.0.0.1", () => r()));
  });
  afterAll(async () => {
    for (const c of held) c.destroy();
    hole?.close();
    await d?.cleanup();
  });

  it("the daemon serves others while a pull waits for it; the pull ends when its client goes", async () => {
    const port = (hole.address() as { port: number }).port;
    const pull = pullAsync(d, `127.0.0.1:${port}/x`, "1");
    for (let i = 0; i < 100 && held.size === 0; i++) await Bun.sleep(20);
    expect(held.size).toBeGreaterThan(0);
    const waiting = [...held];
    // Meanwhile: other requests are answered (async: this event loop runs the black hole).
    const ps = Bun.spawn(["curl", "-s", "--unix-socket", d.sock, "http://x/v1.45/containers/json"], { stdout: "pipe" });
    expect((await new Response(ps.stdout).text()).trim()).toBe("[]");
    const images = Bun.spawn(["curl", "-s", "--unix-socket", d.sock, "http://x/v1.45/images/json"], { stdout: "pipe" });
    expect((await new Response(images.stdout).text()).trim()).toBe("[]");
    expect(pull.proc.exitCode).toBeNull();
    pull.proc.kill("SIGKILL");
    await pull.proc.exited;
    // The client gone, the daemon gives up the registry's connection at once (as dockerd's request context).
    const open = () => waiting.filter((c) => held.has(c));
    for (let i = 0; i < 200 && open().length; i++) await Bun.sleep(25);
    expect(open()).toHaveLength(0);
    const after = Bun.spawn(["curl", "-s", "--unix-socket", d.sock, "http://x/_ping"], { stdout: "pipe" });
    expect(await new Response(after.stdout).text()).toBe("OK");
  }, 30_000);
});

describe("--registry-mirror falls back to the origin", () => {
  let origin: TestRegistry;
  let mirror: TestRegistry;
  let d: TestDaemon;
  let deadPort = 0;

  beforeAll(async () => {
    origin = await startRegistry();
    mirror = await startRegistry();
    seed(origin, busyboxArchive, "library/bb:1");
    const base = busyboxLayerTar();
    const layers = [base, buildTar([{ name: "m.txt", data: "from the origin\n".repeat(300) }])];
    // The same image in both; the mirror's copy of the top layer is then damaged.
    await makeImage(origin, "library/cor", "1", layers);
    const m = await makeImage(mirror, "library/cor", "1", layers);
    const top = m.manifest.layers[1]!;
    writeFileSync(blobPath(mirror, top.digest), Buffer.alloc(top.size, 1));
    deadPort = await freePort();
  });
  afterAll(async () => {
    await d?.cleanup();
    await mirror?.stop();
    await origin?.stop();
  });

  async function daemonWithMirror(url: string): Promise<TestDaemon> {
    await d?.cleanup();
    d = await startDaemon(["--registry-mirror", url], { env: { WHARF_TEST_HUB_REGISTRY: origin.url } });
    return d;
  }

  it("a mirror that does not answer: the origin serves the pull", async () => {
    await daemonWithMirror(`http://127.0.0.1:${deadPort}`);
    expect(ok(docker(d, ["info", "--format", "{{json .RegistryConfig.Mirrors}}"]))).toBe(`["http://127.0.0.1:${deadPort}/"]\n`);
    const out = ok(docker(d, ["pull", "bb:1"]));
    expect(out).toContain("Status: Downloaded newer image for bb:1");
    // GET /distribution/{name}/json goes the same way.
    const dist = spawnSync("curl", ["-s", "--unix-socket", d.sock, "http://x/v1.45/distribution/bb:1/json"], { encoding: "utf8" });
    expect(JSON.parse(dist.stdout).Descriptor.digest).toBe(/"bb@(sha256:[0-9a-f]{64})"/.exec(ok(docker(d, ["inspect", "-f", "{{json .RepoDigests}}", "bb:1"])))![1]);
    expect(ok(docker(d, ["run", "--rm", "bb:1", "echo", "via origin"]))).toBe("via origin\n");
  });

  it("a mirror without the image, and a mirror whose blob is bad: the origin's image", async () => {
    await daemonWithMirror(mirror.url);
    ok(docker(d, ["pull", "bb:1"]));
    expect(ok(docker(d, ["inspect", "-f", "{{json .RepoDigests}}", "bb:1"]))).toMatch(/^\["bb@sha256:[0-9a-f]{64}"\]\n$/);
    const r = docker(d, ["pull", "cor:1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Status: Downloaded newer image for cor:1");
    expect(ok(docker(d, ["run", "--rm", "cor:1", "head", "-1", "/m.txt"]))).toBe("from the origin\n");
    expect(partials(d)).toEqual([]);
  });

  it("an image the origin does not have either: the origin's answer, in Docker's words", async () => {
    await daemonWithMirror(`http://127.0.0.1:${deadPort}`);
    const r = docker(d, ["pull", "nothere:1"]);
    expect(r.code).toBe(1);
    // Not the mirror's connection refused: the origin's (open, so not "pull access denied").
    expect(r.stderr).toBe("Error response from daemon: manifest for nothere:1 not found: manifest unknown: manifest unknown\n");
  });
});
