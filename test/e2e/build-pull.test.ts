// docker build's base images from a registry: a FROM image that is not here is pulled
// (with the credentials the docker CLI sends in X-Registry-Config), --pull (pull=1)
// pulls even one that is, and the raw API takes the header as dockerd does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, root, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { busyboxArchive, startRegistry, type TestRegistry } from "../helpers/registry.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The busybox fixture's image id, short: skopeo keeps its config, so the pulled image has it too. */
const busyboxId = "sha256:d6240d91e29b";

describe("docker build: base images pulled from a registry", () => {
  let reg: TestRegistry;
  let d: TestDaemon;
  let work: string;
  let ctx: string;
  beforeAll(async () => {
    reg = await startRegistry({ htpasswd: { ref: "s3cret" } });
    const r = spawnSync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "--dest-creds", "ref:s3cret", busyboxArchive, `docker://${reg.host}/bb:1`], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`skopeo: ${r.stderr}`);
    d = await startDaemon();
    work = mkdtempSync(join(tmpdir(), "wharf-build-pull-"));
    ctx = join(work, "ctx");
    mkdirSync(ctx);
    writeFileSync(join(ctx, "Dockerfile"), `FROM ${reg.host}/bb:1\nRUN echo built > /built\n`);
  });
  afterAll(async () => {
    await d?.cleanup();
    await reg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("without credentials the pull fails as the registry refuses it, and nothing is built", () => {
    const r = docker(d, ["build", ctx]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Step 1/2 : FROM ${reg.host}/bb:1`);
    expect(r.stderr).toContain("no basic auth credentials");
    expect(r.stdout).not.toContain("Step 2/2");
    expect(docker(d, ["image", "inspect", `${reg.host}/bb:1`]).code).toBe(1);
  });

  it("after docker login, the CLI's X-Registry-Config credentials pull the FROM image in the build", () => {
    ok(docker(d, ["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n"));
    const out = ok(docker(d, ["build", "-t", "pulled/built", ctx]));
    expect(out).toContain("Pulling from bb");
    expect(out).toContain(`Status: Downloaded newer image for ${reg.host}/bb:1`);
    expect(out).toContain(` ---> ${busyboxId.slice(7)}\n`);
    expect(out).toMatch(/Successfully tagged pulled\/built:latest\n$/);
    expect(ok(docker(d, ["run", "--rm", "pulled/built", "cat", "/built"]))).toBe("built\n");
    // The pulled image is kept under its name, as a pull keeps it.
    expect(JSON.parse(ok(docker(d, ["image", "inspect", `${reg.host}/bb:1`])))[0].Id.slice(0, 19)).toBe(busyboxId);
  });

  it("a local image of that name is used as it is; --pull (pull=1) fetches the registry's instead", () => {
    // The name now points at another local image: without --pull the build takes it.
    ok(docker(d, ["load", "-i", resolve(root, "test/fixtures/multilayer-docker-save.tar")]));
    ok(docker(d, ["tag", "wharf-fixture/multilayer:1.0", `${reg.host}/bb:1`]));
    const localId = JSON.parse(ok(docker(d, ["image", "inspect", `${reg.host}/bb:1`])))[0].Id as string;
    const local = ok(docker(d, ["build", ctx]));
    expect(local).not.toContain("Pulling from");
    expect(local).toContain(` ---> ${localId.slice(7, 19)}\n`);
    const pulled = ok(docker(d, ["build", "--pull", ctx]));
    expect(pulled).toContain("Pulling from bb");
    expect(pulled).toContain(` ---> ${busyboxId.slice(7)}\n`);
    // The base is busybox again, so the RUN step is the cached one of the earlier build.
    expect(pulled).toContain(" ---> Using cache\n");
    // Up to date the second time.
    expect(ok(docker(d, ["build", "--pull", ctx]))).toContain(`Status: Image is up to date for ${reg.host}/bb:1`);
  });

  it("the raw API: X-Registry-Config as base64url JSON keyed by registry; one that does not decode is no credentials", () => {
    ok(docker(d, ["rmi", "-f", `${reg.host}/bb:1`]));
    const tar = join(work, "ctx.tar");
    spawnSync("tar", ["-cf", tar, "-C", ctx, "."]);
    const post = (header: string | undefined) =>
      spawnSync(
        "curl",
        ["-s", "--unix-socket", d.sock, "-X", "POST", "-H", "Content-Type: application/x-tar", ...(header === undefined ? [] : ["-H", `X-Registry-Config: ${header}`]), "--data-binary", `@${tar}`, "http://x/v1.45/build?pull=1"],
        { encoding: "utf8" },
      ).stdout;
    const garbage = post("not base64 json!");
    expect(garbage).toContain('"errorDetail"');
    expect(garbage).toContain("no basic auth credentials");
    const cfg = Buffer.from(JSON.stringify({ [`http://${reg.host}`]: { username: "ref", password: "s3cret", serveraddress: reg.host } })).toString("base64url");
    const lines = post(cfg).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ stream: `Step 1/2 : FROM ${reg.host}/bb:1` });
    expect(lines).toContainEqual({ status: "Pulling from bb", id: "1" });
    expect(lines.some((l) => l.aux?.ID)).toBe(true);
    expect(lines.some((l) => l.errorDetail)).toBe(false);
  });
});
