// A 200 MB pull cut short by `kill -9` of the daemon: no half image afterwards, and the
// pull after the restart fetches only what had not arrived (HTTP Range from the partial
// download), measured by a byte-counting proxy between wharf and the registry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { busyboxLayerTar, makeBigImage, startRegistry, type TestRegistry } from "../helpers/registry.ts";
import { startByteProxy, type ByteProxy } from "../helpers/byteproxy.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** POST /images/create through curl, spawned asynchronously (the proxy shares this event loop). */
function pullAsync(d: TestDaemon, image: string, tag: string) {
  const p = Bun.spawn(["curl", "-s", "-N", "--unix-socket", d.sock, "-XPOST", `http://x/v1.45/images/create?fromImage=${encodeURIComponent(image)}&tag=${tag}`], {
    stdout: "pipe",
    stderr: "pipe",
  });
  return { proc: p, text: new Response(p.stdout).text() };
}

describe("pull resumes after kill -9 of the daemon", () => {
  let reg: TestRegistry;
  let proxy: ByteProxy;
  let d: TestDaemon | undefined;
  let d2: TestDaemon | undefined;
  let total = 0;
  let configDigest = "";

  beforeAll(async () => {
    reg = await startRegistry();
    const img = await makeBigImage(reg, "big", "1", { base: busyboxLayerTar(), filesPerLayer: 122 });
    total = img.compressedBytes;
    configDigest = img.configDigest;
    proxy = await startByteProxy(Number(reg.host.split(":")[1]));
  }, 180_000);
  afterAll(async () => {
    await d2?.cleanup();
    await d?.cleanup();
    await proxy?.close();
    await reg?.stop();
  });

  it("leaves no half image, then refetches at most 10% + 16 MiB of the 200 MB", async () => {
    expect(total).toBeGreaterThan(195e6);
    d = await startDaemon();
    const image = `${proxy.host}/big`;
    const first = pullAsync(d, image, "1");
    const deadline = Date.now() + 120_000;
    while (proxy.downstream() < total / 2 && Date.now() < deadline) await Bun.sleep(5);
    const atKill = proxy.downstream();
    expect(atKill).toBeGreaterThanOrEqual(total / 2);
    expect(atKill).toBeLessThan(total);
    d.proc.kill("SIGKILL");
    await new Promise((r) => d!.proc.once("exit", r));
    await first.proc.exited;

    d2 = await startDaemon(["--data-root", d.dataRoot, "--exec-root", d.execRoot]);
    expect(ok(docker(d2, ["images", "-aq", "--no-trunc"]))).not.toContain(configDigest);
    proxy.reset();
    const again = pullAsync(d2, image, "1");
    await again.proc.exited;
    const out = await again.text;
    const second = proxy.downstream();
    // What came twice: both attempts together minus the image (plus a few KB of manifests).
    const refetched = Math.max(0, atKill + second - total);
    expect(out).toContain(`Status: Downloaded newer image for ${image}:1`);
    expect(ok(docker(d2, ["inspect", "-f", "{{.Id}}", `${image}:1`]))).toBe(`${configDigest}\n`);
    expect(ok(docker(d2, ["run", "--rm", `${image}:1`, "sh", "-c", "ls /layer0 /layer7 | grep -c bin"]))).toBe("244\n");
    console.log(
      `resume: image ${(total / 1e6).toFixed(1)} MB compressed; ${(atKill / 1e6).toFixed(1)} MB had arrived at kill -9; ` +
        `the pull after restart fetched ${(second / 1e6).toFixed(1)} MB, of which ${(refetched / 1e6).toFixed(2)} MB ` +
        `(${((refetched / total) * 100).toFixed(1)}% of the image) had come before`,
    );
    expect(refetched).toBeLessThanOrEqual(0.1 * total + 16 * 2 ** 20);
    // Bytes the first attempt had not received must have come the second time.
    expect(second).toBeGreaterThanOrEqual(total - atKill);
  }, 300_000);
});
