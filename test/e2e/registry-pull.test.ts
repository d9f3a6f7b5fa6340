// docker pull against wharf from Debian's docker-registry on loopback, seeded by skopeo
// (from the fixtures real Docker wrote) or by PUTting blobs and manifests the test made.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import {
  blobPath, busyboxArchive, fixtureDir, makeImage, multilayerArchive, putManifest, seed, startRegistry, type TestRegistry,
} from "../helpers/registry.ts";
import { buildTar } from "../helpers/tarbuild.ts";

const busyboxId = "sha256:d6240d91e29b57d92ecfc072547b2b6040f720aa305090ac7ead11b0457dfeec";
const multilayerId = "sha256:aafd41bca126bc679f28cdb37a4593755973c5a98e21c7d9dc8ac4471ebfc26c";

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function busyboxLayer(): Buffer {
  const r = spawnSync("tar", ["-xOf", join(fixtureDir, "busybox-docker-save.tar"), "acaca94dd9216e165e0209c800bdb011c3af7645eece841e34fb55fd8b919ff1/layer.tar"], {
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error("cannot read the busybox layer from the fixture");
  return r.stdout as Buffer;
}

interface Line {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  error?: string;
}

async function apiPull(d: TestDaemon, image: string, tag: string, extra = ""): Promise<{ status: number; lines: Line[]; body: string }> {
  const r = spawnSync("curl", ["-s", "-w", "\n%{http_code}", "--unix-socket", d.sock, "-XPOST", `http://x/v1.45/images/create?fromImage=${encodeURIComponent(image)}&tag=${encodeURIComponent(tag)}${extra}`], {
    encoding: "utf8",
  });
  const text = r.stdout.trimEnd();
  const i = text.lastIndexOf("\n");
  const body = text.slice(0, i);
  const lines = body.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Line);
  return { status: Number(text.slice(i + 1)), lines, body };
}

function imageIds(d: TestDaemon): string[] {
  return ok(docker(d, ["images", "-aq", "--no-trunc"])).split("\n").filter(Boolean);
}

/** Nothing of a failed pull may stay in the layer store's work area. */
function stagingLeft(d: TestDaemon): string[] {
  const out: string[] = [];
  for (const drv of ["overlay2", "vfs"]) {
    const dir = join(d.dataRoot, drv, "staging");
    if (existsSync(dir)) out.push(...readdirSync(dir));
  }
  return out;
}

describe("docker pull from a loopback registry", () => {
  let reg: TestRegistry;
  let d: TestDaemon;

  beforeAll(async () => {
    reg = await startRegistry();
    seed(reg, busyboxArchive, "busybox:1");
    seed(reg, multilayerArchive, "multilayer:1.0");
    d = await startDaemon();
  });
  afterAll(async () => {
    await d?.cleanup();
    await reg?.stop();
  });

  it("pulls busybox with Docker's lines, the same image id and a RepoDigest, and runs it", async () => {
    const out = ok(docker(d, ["pull", `${reg.host}/busybox:1`]));
    const manifest = await fetch(`${reg.url}/v2/busybox/manifests/1`, { headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
    const digest = manifest.headers.get("docker-content-digest");
    expect(out).toBe(
      [
        "1: Pulling from busybox",
        "c381c7f35167: Pulling fs layer",
        "c381c7f35167: Verifying Checksum",
        "c381c7f35167: Download complete",
        "c381c7f35167: Pull complete",
        `Digest: ${digest}`,
        `Status: Downloaded newer image for ${reg.host}/busybox:1`,
        `${reg.host}/busybox:1`,
        "",
      ].join("\n"),
    );
    expect(ok(docker(d, ["inspect", "-f", "{{.Id}} {{json .RepoTags}} {{json .RepoDigests}}", `${reg.host}/busybox:1`]))).toBe(
      `${busyboxId} ["${reg.host}/busybox:1"] ["${reg.host}/busybox@${digest}"]\n`,
    );
    expect(ok(docker(d, ["run", "--rm", `${reg.host}/busybox:1`, "echo", "pulled"]))).toBe("pulled\n");
  });

  it("streams the progress JSON Docker sends, base layer already there, then reports up to date", async () => {
    const r = await apiPull(d, `${reg.host}/multilayer`, "1.0");
    expect(r.status).toBe(200);
    const first = r.lines[0]!;
    expect(first).toEqual({ status: "Pulling from multilayer", id: "1.0" });
    expect(r.lines[1]).toEqual({ status: "Already exists", progressDetail: {}, id: "c381c7f35167" });
    const ids = ["1559546dff62", "789bddd67072", "5922a2ee77c3", "0bbb72176c00"];
    for (const id of ids) {
      // Docker repeats Downloading and Extracting as bytes go: one entry per run of them.
      const mine = r.lines.filter((l) => l.id === id).map((l) => l.status).filter((s, k, all) => s !== all[k - 1]);
      expect(mine[0]).toBe("Pulling fs layer");
      expect(mine.slice(-5)).toEqual(["Downloading", "Verifying Checksum", "Download complete", "Extracting", "Pull complete"]);
      const dl = r.lines.find((l) => l.id === id && l.status === "Downloading")!;
      expect(dl.progressDetail!.total).toBeGreaterThan(0);
      expect(dl.progress).toMatch(/^\[=*>\s*\] +\d+B\/\d+B$/);
    }
    // max-concurrent-downloads is 3: the fourth layer waits.
    expect(r.lines.filter((l) => l.status === "Waiting").map((l) => l.id)).toEqual(["0bbb72176c00"]);
    expect(r.body).toContain('"progress":"[==================================================\\u003e]');
    expect(r.lines.at(-2)!.status).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
    expect(r.lines.at(-1)).toEqual({ status: `Status: Downloaded newer image for ${reg.host}/multilayer:1.0` });
    expect(ok(docker(d, ["inspect", "-f", "{{.Id}}", `${reg.host}/multilayer:1.0`]))).toBe(`${multilayerId}\n`);
    expect(ok(docker(d, ["run", "--rm", `${reg.host}/multilayer:1.0`]))).toBe("hello world from /app\n");

    const again = await apiPull(d, `${reg.host}/multilayer`, "1.0");
    expect(again.lines.map((l) => l.status)).toEqual([
      "Pulling from multilayer",
      r.lines.at(-2)!.status,
      `Status: Image is up to date for ${reg.host}/multilayer:1.0`,
    ]);
  });

  it("answers unknown tags and repositories with Docker's 404 before any stream", async () => {
    const tag = await apiPull(d, `${reg.host}/multilayer`, "nope");
    expect(tag.status).toBe(404);
    expect(JSON.parse(tag.body).message).toBe(`manifest for ${reg.host}/multilayer:nope not found: manifest unknown: manifest unknown`);
    const cli = docker(d, ["pull", `${reg.host}/nope:1`]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(new RegExp(`Error response from daemon: (manifest for ${reg.host}/nope:1 not found: manifest unknown|repository ${reg.host}/nope not found: name unknown)`));
  });

  it("pulls by digest, and run pulls a missing image", async () => {
    const res = await fetch(`${reg.url}/v2/busybox/manifests/1`, { method: "HEAD", headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } });
    const digest = res.headers.get("docker-content-digest")!;
    ok(docker(d, ["rmi", `${reg.host}/busybox:1`]));
    expect(imageIds(d)).not.toContain(busyboxId);
    const out = ok(docker(d, ["pull", `${reg.host}/busybox@${digest}`]));
    expect(out).toContain(`Status: Downloaded newer image for ${reg.host}/busybox@${digest}`);
    expect(ok(docker(d, ["inspect", "-f", "{{.Id}} {{json .RepoTags}}", `${reg.host}/busybox@${digest}`]))).toBe(`${busyboxId} []\n`);

    ok(docker(d, ["rmi", `${reg.host}/busybox@${digest}`]));
    expect(imageIds(d)).not.toContain(busyboxId);
    const run = docker(d, ["run", "--rm", `${reg.host}/busybox:1`, "echo", "ran"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`Unable to find image '${reg.host}/busybox:1' locally`);
    // The multilayer image pulled before holds the base layer.
    expect(run.stderr).toContain("c381c7f35167: Already exists");
    expect(run.stderr).toContain(`Status: Downloaded newer image for ${reg.host}/busybox:1`);
    expect(run.stdout).toBe("ran\n");
  });

  it("pulls zstd and uncompressed OCI layers", async () => {
    const base = busyboxLayer();
    const extra = buildTar([{ name: "hello.txt", data: "from a zstd layer\n" }]);
    await makeImage(reg, "zst", "1", [base, extra], { compression: "zstd" });
    expect(ok(docker(d, ["run", "--rm", `${reg.host}/zst:1`, "cat", "/hello.txt"]))).toBe("from a zstd layer\n");
    const plain = buildTar([{ name: "hello.txt", data: "from a plain layer\n" }]);
    await makeImage(reg, "plain", "1", [base, plain], { compression: "none" });
    expect(ok(docker(d, ["run", "--rm", `${reg.host}/plain:1`, "cat", "/hello.txt"]))).toBe("from a plain layer\n");
  });

  it("refuses a blob whose bytes do not match its digest and keeps nothing of the pull", async () => {
    const base = busyboxLayer();
    const mine = buildTar([{ name: "x.txt", data: "x".repeat(5000) }]);
    const img = await makeImage(reg, "damaged", "1", [base, mine]);
    const before = imageIds(d);
    const layer = img.manifest.layers[1]!;
    const path = blobPath(reg, layer.digest);
    const { gzipSync } = await import("node:zlib");
    const other = gzipSync(buildTar([{ name: "x.txt", data: "y".repeat(5000) }]));
    writeFileSync(path, other.subarray(0, layer.size).length === layer.size ? other.subarray(0, layer.size) : Buffer.concat([other, Buffer.alloc(layer.size - other.length)]));
    const r = await apiPull(d, `${reg.host}/damaged`, "1");
    expect(r.status).toBe(200);
    expect(r.lines.at(-1)!.error).toMatch(/verification failed for digest|not a valid gzip|failed on the gzip stream|unexpected EOF/);
    expect(imageIds(d)).toEqual(before);
    expect(stagingLeft(d)).toEqual([]);
    expect(ok(docker(d, ["images", "--format", "{{.Repository}}"]))).not.toContain("damaged");
  });

  it("refuses a layer with a path traversal entry and keeps nothing", async () => {
    const evil = buildTar([{ name: "../../escaped.txt", data: "out\n" }]);
    await makeImage(reg, "evil", "1", [evil]);
    const before = imageIds(d);
    const r = await apiPull(d, `${reg.host}/evil`, "1");
    expect(r.lines.at(-1)!.error).toContain('layer entry "../../escaped.txt" points outside the layer');
    expect(imageIds(d)).toEqual(before);
    expect(stagingLeft(d)).toEqual([]);
  });

  it("chooses the platform's entry of an OCI index, and fails with Docker's words for an absent one", async () => {
    const base = busyboxLayer();
    const amd = await makeImage(reg, "multi", null, [base, buildTar([{ name: "arch.txt", data: "amd64\n" }])], {
      platform: { os: "linux", architecture: "amd64" },
    });
    const arm = await makeImage(reg, "multi", null, [base, buildTar([{ name: "arch.txt", data: "arm64\n" }])], {
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    });
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: amd.manifestDigest, size: amd.size, platform: { os: "linux", architecture: "amd64" } },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: arm.manifestDigest, size: arm.size, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      ],
    };
    const indexDigest = await putManifest(reg, "multi", "1", index, index.mediaType);
    const out = ok(docker(d, ["pull", `${reg.host}/multi:1`]));
    expect(out).toContain(`Digest: ${indexDigest}`);
    expect(ok(docker(d, ["inspect", "-f", "{{.Id}} {{.Architecture}}", `${reg.host}/multi:1`]))).toBe(`${amd.configDigest} amd64\n`);
    expect(ok(docker(d, ["run", "--rm", `${reg.host}/multi:1`, "cat", "/arch.txt"]))).toBe("amd64\n");

    ok(docker(d, ["pull", "--platform", "linux/arm64", `${reg.host}/multi:1`]));
    expect(ok(docker(d, ["inspect", "-f", "{{.Id}} {{.Architecture}} {{.Variant}}", `${reg.host}/multi:1`]))).toBe(`${arm.configDigest} arm64 v8\n`);

    const r = await apiPull(d, `${reg.host}/multi`, "1", "&platform=linux/s390x");
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).message).toBe("no matching manifest for linux/s390x in the manifest list entries");
    const cli = docker(d, ["pull", "--platform", "linux/arm/v7", `${reg.host}/multi:1`]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("no matching manifest for linux/arm/v7 in the manifest list entries");
  });
});
