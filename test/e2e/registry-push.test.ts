// docker push through wharf to Debian's docker-registry on loopback; what arrived is
// checked from the outside with skopeo, and pulled back after a `docker rmi`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, loadBusybox, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { blobPath, fixtureDir, sha256hex, startRegistry, type TestRegistry } from "../helpers/registry.ts";

const busyboxId = "sha256:d6240d91e29b57d92ecfc072547b2b6040f720aa305090ac7ead11b0457dfeec";
const multilayerId = "sha256:aafd41bca126bc679f28cdb37a4593755973c5a98e21c7d9dc8ac4471ebfc26c";

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function skopeoInspect(reg: TestRegistry, image: string): { Digest: string; Layers: string[] } {
  const r = spawnSync("skopeo", ["inspect", "--tls-verify=false", `docker://${reg.host}/${image}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`skopeo inspect: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe("docker push to a loopback registry", () => {
  let reg: TestRegistry;
  let d: TestDaemon;

  beforeAll(async () => {
    reg = await startRegistry();
    d = await startDaemon();
    loadBusybox(d);
    ok(docker(d, ["load", "-i", join(fixtureDir, "multilayer-docker-save.tar")]));
  });
  afterAll(async () => {
    await d?.cleanup();
    await reg?.stop();
  });

  it("pushes the loaded busybox; the registry serves what was pushed; rmi and pull give the same id and RepoDigests", async () => {
    ok(docker(d, ["tag", "busybox:latest", `${reg.host}/busybox:1`]));
    const out = ok(docker(d, ["push", `${reg.host}/busybox:1`]));
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe(`The push refers to repository [${reg.host}/busybox]`);
    expect(lines).toContain("164fb03f7879: Preparing");
    expect(lines).toContain("164fb03f7879: Pushed");
    const m = /^1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(lines.at(-1)!);
    expect(m).not.toBeNull();
    const outside = skopeoInspect(reg, "busybox:1");
    expect(outside.Digest).toBe(m![1]);
    expect(outside.Layers).toHaveLength(1);

    const digests = ok(docker(d, ["inspect", "-f", "{{json .RepoDigests}}", `${reg.host}/busybox:1`]));
    expect(digests).toBe(`["${reg.host}/busybox@${m![1]}"]\n`);
    ok(docker(d, ["rmi", `${reg.host}/busybox:1`, "busybox:latest"]));
    expect(ok(docker(d, ["images", "-q", "--no-trunc"]))).not.toContain(busyboxId);
    const pull = ok(docker(d, ["pull", `${reg.host}/busybox:1`]));
    // The loaded multilayer image still holds the base layer.
    expect(pull).toMatch(/: Already exists\n/);
    expect(ok(docker(d, ["inspect", "-f", "{{.Id}} {{json .RepoDigests}}", `${reg.host}/busybox:1`]))).toBe(`${busyboxId} ${digests}`);
    expect(ok(docker(d, ["run", "--rm", `${reg.host}/busybox:1`, "echo", "back"]))).toBe("back\n");
  });

  it("pushes only the new layers of an image sharing the base, then nothing on a second push", async () => {
    ok(docker(d, ["tag", "wharf-fixture/multilayer:1.0", `${reg.host}/multilayer:1.0`]));
    const out = ok(docker(d, ["push", `${reg.host}/multilayer:1.0`]));
    const lines = out.trim().split("\n");
    // The base came from the registry's busybox repository: mounted, not uploaded.
    expect(lines).toContain("164fb03f7879: Mounted from busybox");
    for (const id of ["e0678828ee08", "cf42e20ad04e", "17cd63789020", "f234da4f61d1"]) expect(lines).toContain(`${id}: Pushed`);
    expect(lines.filter((l) => l.endsWith(": Pushed"))).toHaveLength(4);
    const digest = /^1\.0: digest: (sha256:[0-9a-f]{64}) size: \d+$/.exec(lines.at(-1)!)![1];
    expect(skopeoInspect(reg, "multilayer:1.0").Layers).toHaveLength(5);

    const again = ok(docker(d, ["push", `${reg.host}/multilayer:1.0`])).trim().split("\n");
    expect(again.filter((l) => l.endsWith("Layer already exists"))).toHaveLength(5);
    expect(again.some((l) => l.endsWith("Pushed"))).toBe(false);
    expect(again.at(-1)).toBe(`1.0: digest: ${digest} size: ${lines.at(-1)!.split(" size: ")[1]}`);

    ok(docker(d, ["rmi", `${reg.host}/multilayer:1.0`, "wharf-fixture/multilayer:1.0"]));
    ok(docker(d, ["pull", `${reg.host}/multilayer:1.0`]));
    expect(ok(docker(d, ["inspect", "-f", "{{.Id}} {{json .RepoDigests}}", `${reg.host}/multilayer:1.0`]))).toBe(
      `${multilayerId} ["${reg.host}/multilayer@${digest}"]\n`,
    );
    expect(ok(docker(d, ["run", "--rm", `${reg.host}/multilayer:1.0`]))).toBe("hello world from /app\n");
  });

  it("sends the push stream as JSON with the aux digest, and a missing tag as Docker's 404", async () => {
    const r = spawnSync("curl", ["-s", "-w", "\n%{http_code}", "--unix-socket", d.sock, "-XPOST", "-H", "X-Registry-Auth: e30=", `http://x/v1.45/images/${reg.host}/multilayer/push?tag=1.0`], { encoding: "utf8" });
    const lines = r.stdout.trim().split("\n").filter(Boolean);
    expect(lines.at(-1)).toBe("200");
    const json = lines.slice(0, -1).map((l) => JSON.parse(l));
    expect(json[0]).toEqual({ status: `The push refers to repository [${reg.host}/multilayer]` });
    expect(json[1]).toEqual({ status: "Preparing", progressDetail: {}, id: "e0678828ee08" });
    const aux = json.at(-1);
    expect(aux.aux.Tag).toBe("1.0");
    expect(aux.aux.Digest).toMatch(/^sha256:/);
    const miss = spawnSync("curl", ["-s", "-w", "\n%{http_code}", "--unix-socket", d.sock, "-XPOST", `http://x/v1.45/images/${reg.host}/nothere/push?tag=1`], { encoding: "utf8" });
    const [body, code] = miss.stdout.trim().split("\n").filter(Boolean);
    expect(code).toBe("404");
    expect(JSON.parse(body!).message).toBe(`An image does not exist locally with the tag: ${reg.host}/nothere:1`);
  });

  it("a fresh push uploads gzip blobs the registry stored under their digests, each inflating to its diff id", async () => {
    const fresh = await startRegistry();
    try {
      ok(docker(d, ["load", "-i", join(fixtureDir, "multilayer-docker-save.tar")]));
      ok(docker(d, ["tag", "wharf-fixture/multilayer:1.0", `${fresh.host}/gz/multilayer:1`]));
      const out = ok(docker(d, ["push", `${fresh.host}/gz/multilayer:1`]));
      expect(out).not.toMatch(/Mounted from|Layer already exists/);
      const res = await fetch(`http://${fresh.host}/v2/gz/multilayer/manifests/1`, { headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
      const manifest = (await res.json()) as { layers: { digest: string; size: number; mediaType: string }[] };
      const diffIds: string[] = JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .RootFS.Layers}}", "wharf-fixture/multilayer:1.0"])));
      expect(manifest.layers.map((l) => l.mediaType)).toEqual(diffIds.map(() => "application/vnd.docker.image.rootfs.diff.tar.gzip"));
      for (const [i, l] of manifest.layers.entries()) {
        const stored = readFileSync(blobPath(fresh, l.digest));
        expect(`sha256:${sha256hex(stored)}`).toBe(l.digest);
        expect(stored.length).toBe(l.size);
        expect([...stored.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
        expect(`sha256:${sha256hex(gunzipSync(stored))}`).toBe(diffIds[i]);
      }
      ok(docker(d, ["rmi", `${fresh.host}/gz/multilayer:1`]));
    } finally {
      await fresh.stop();
    }
  });
});
