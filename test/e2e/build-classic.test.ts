// docker build (the classic POST /build) end to end with the real docker CLI: the
// Dockerfile behind the multilayer fixture builds an image with the fixture's config,
// history and layer count; the cache is content-keyed and survives a daemon restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, loadBusybox, removeAllAndCleanup, root, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

const multilayerDockerfile = `FROM busybox
ENV GREETING=hello APP_HOME=/app
WORKDIR /app
RUN mkdir -p /app/data /opt/gone /opt/keep && echo one > /app/data/one.txt && echo two > /opt/gone/two.txt && echo k > /opt/keep/k.txt && ln -s /app/data/one.txt /app/link-to-one && ln /app/data/one.txt /app/hardlink-to-one
RUN rm -rf /opt/gone && rm /opt/keep/k.txt && echo replaced > /opt/keep/new.txt && chmod 4755 /app/data/one.txt
COPY hello.sh /usr/local/bin/hello.sh
LABEL org.example.fixture=multi-layer
EXPOSE 8080
VOLUME /app/data
USER 0:0
ENTRYPOINT ["/bin/sh", "/usr/local/bin/hello.sh"]
CMD ["world"]
`;
const helloSh = '#!/bin/sh\necho "$GREETING $1 from $(pwd)"\n';

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function context(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
  return dir;
}

const inspect = (d: TestDaemon, ref: string) => JSON.parse(ok(docker(d, ["image", "inspect", ref])))[0];
const steps = (out: string) => out.split("\n").filter((l) => l.startsWith("Step "));
const cached = (out: string) => out.split("\n").filter((l) => l === " ---> Using cache").length;

describe("docker build (classic) e2e", () => {
  let d: TestDaemon;
  let first: TestDaemon | undefined;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "wharf-build-e2e-"));
    d = await startDaemon();
    loadBusybox(d);
    ok(docker(d, ["load", "-i", resolve(root, "test/fixtures/multilayer-docker-save.tar")]));
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
    if (first && first !== d) await first.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it("builds the multilayer fixture's Dockerfile: config, history and layers match the fixture's; the image runs", () => {
    const ctx = context(join(work, "ml"), { Dockerfile: multilayerDockerfile, "hello.sh": helloSh });
    const out = ok(docker(d, ["build", "-t", "built/multilayer:1", ctx]));
    expect(steps(out)).toHaveLength(12);
    expect(steps(out)[0]).toBe("Step 1/12 : FROM busybox");
    expect(out).toContain(" ---> d6240d91e29b\n");
    expect(out).toMatch(/ ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n/);
    expect(out).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged built\/multilayer:1\n$/);
    const built = inspect(d, "built/multilayer:1");
    const fixture = inspect(d, "wharf-fixture/multilayer:1.0");
    for (const k of ["Entrypoint", "Cmd", "WorkingDir", "Env", "Labels", "ExposedPorts", "Volumes", "User"]) {
      expect([k, built.Config[k]]).toEqual([k, fixture.Config[k]]);
    }
    expect(built.RootFS.Layers).toHaveLength(5);
    expect(built.RootFS.Layers[0]).toBe(fixture.RootFS.Layers[0]);
    const hist = (ref: string) => JSON.parse(`[${ok(docker(d, ["history", "--no-trunc", "--format", "{{json .}}", ref])).trim().split("\n").join(",")}]`);
    const bh = hist("built/multilayer:1");
    const fh = hist("wharf-fixture/multilayer:1.0");
    expect(bh).toHaveLength(12);
    // The COPY line names the file by a content hash: Docker's tarsum and wharf's sha256 differ.
    const norm = (s: string) => s.replace(/file:[0-9a-f]{64}/, "file:<sum>");
    expect(bh.map((h: { CreatedBy: string }) => norm(h.CreatedBy))).toEqual(fh.map((h: { CreatedBy: string }) => norm(h.CreatedBy)));
    expect(bh.map((h: { Size: string }) => h.Size === "0B")).toEqual(fh.map((h: { Size: string }) => h.Size === "0B"));
    expect(ok(docker(d, ["run", "--rm", "built/multilayer:1"]))).toBe("hello world from /app\n");
    expect(ok(docker(d, ["run", "--rm", "built/multilayer:1", "there"]))).toBe("hello there from /app\n");
    const fsCheck = "test ! -e /opt/gone && test ! -e /opt/keep/k.txt && cat /opt/keep/new.txt && stat -c %a /app/data/one.txt && readlink /app/link-to-one && stat -c %a /app/hardlink-to-one";
    expect(ok(docker(d, ["run", "--rm", "--entrypoint", "sh", "built/multilayer:1", "-c", fsCheck]))).toBe("replaced\n4755\n/app/data/one.txt\n644\n");
    // No intermediate container is left (rm is the default).
    expect(ok(docker(d, ["ps", "-aq"]))).toBe("");
  });

  it("a second build is all cache; one changed file rebuilds from its step; a fresh copy hits", async () => {
    const ctx = join(work, "ml");
    const id = inspect(d, "built/multilayer:1").Id;
    const again = ok(docker(d, ["build", "-t", "built/multilayer:1", ctx]));
    expect(cached(again)).toBe(11);
    expect(again).not.toContain("Running in");
    expect(inspect(d, "built/multilayer:1").Id).toBe(id);

    // A fresh copy (other mtimes, other inode numbers) of the same content still hits.
    const copy = join(work, "ml-copy");
    cpSync(ctx, copy, { recursive: true });
    utimesSync(join(copy, "hello.sh"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const fresh = ok(docker(d, ["build", copy]));
    expect(cached(fresh)).toBe(11);

    writeFileSync(join(copy, "hello.sh"), helloSh.replace("from", "in"));
    const changed = ok(docker(d, ["build", "-t", "built/changed", copy]));
    // Steps 2-5 (ENV, WORKDIR, two RUNs) hit; COPY and everything after it rebuild.
    expect(cached(changed)).toBe(4);
    expect(changed.split("Step 6/12")[1]).not.toContain("Using cache");
    expect(ok(docker(d, ["run", "--rm", "built/changed"]))).toBe("hello world in /app\n");
  });

  it("--cache-from: the steps of another image's history stand in for the local cache (a Docker-built one too)", () => {
    const ctx = join(work, "ml");
    ok(docker(d, ["builder", "prune", "-af"]));
    const own = ok(docker(d, ["build", "--cache-from", "built/multilayer:1", "-t", "built/cf", ctx]));
    expect(cached(own)).toBe(11);
    expect(own).not.toContain("Running in");
    ok(docker(d, ["builder", "prune", "-af"]));
    // The fixture was built by dockerd: its ENV, WORKDIR and both RUN lines match ours, its COPY hash (tarsum) does not.
    const fromDocker = ok(docker(d, ["build", "--cache-from", "wharf-fixture/multilayer:1.0", "-t", "built/cf-docker", ctx]));
    expect(cached(fromDocker)).toBe(4);
    const layers = inspect(d, "built/cf-docker").RootFS.Layers;
    expect(layers.slice(0, 4)).toEqual(inspect(d, "wharf-fixture/multilayer:1.0").RootFS.Layers.slice(0, 4));
    expect(ok(docker(d, ["run", "--rm", "built/cf-docker"]))).toBe("hello world from /app\n");
  });

  it("a failing RUN stops the build with its exit code; --force-rm removes its container, the default keeps it", () => {
    const ctx = context(join(work, "fail"), { Dockerfile: "FROM busybox\nRUN echo about to fail && exit 3\nRUN echo never\n" });
    const r = docker(d, ["build", "--force-rm", ctx]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("about to fail\n");
    expect(r.stdout).toMatch(/Removing intermediate container [0-9a-f]{12}\n/);
    expect(r.stderr).toContain("The command '/bin/sh -c echo about to fail && exit 3' returned a non-zero code: 3");
    expect(r.stdout).not.toContain("Step 3/3");
    expect(ok(docker(d, ["ps", "-aq"]))).toBe("");
    const kept = docker(d, ["build", "--no-cache", ctx]);
    expect(kept.code).toBe(3);
    expect(kept.stdout).not.toContain("Removing intermediate container");
    const left = ok(docker(d, ["ps", "-aq", "--filter", "status=exited"])).trim().split("\n").filter(Boolean);
    expect(left).toHaveLength(1);
    ok(docker(d, ["rm", ...left]));
  });

  it("--rm=false keeps every intermediate container of a successful build, as Docker's does", () => {
    const ctx = context(join(work, "keep"), { Dockerfile: "FROM busybox\nENV K=1\nRUN echo kept > /k\n" });
    const out = ok(docker(d, ["build", "--rm=false", "--no-cache", ctx]));
    expect(out).not.toContain("Removing intermediate container");
    const ran = [...out.matchAll(/ ---> Running in ([0-9a-f]{12})\n/g)].map((m) => m[1]!);
    expect(ran).toHaveLength(2);
    const left = ok(docker(d, ["ps", "-aq"])).trim().split("\n").filter(Boolean);
    expect(left.sort()).toEqual([...ran].sort());
    ok(docker(d, ["rm", ...left]));
  });

  it("a RUN whose container cannot start fails with the start error, and its container goes", () => {
    // FROM scratch with one file: there is no /bin/sh to run.
    const ctx = context(join(work, "nostart"), { Dockerfile: "FROM scratch\nCOPY f /f\nRUN true\nRUN never\n", f: "x" });
    const r = docker(d, ["build", ctx]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("/bin/sh");
    expect(r.stderr).not.toContain("returned a non-zero code");
    expect(r.stdout).not.toContain("Step 4/4");
    expect(ok(docker(d, ["ps", "-aq"]))).toBe("");
  });

  it("broken Dockerfiles fail with the line and Docker's wording before any step", () => {
    const ctx = context(join(work, "bad"), { Dockerfile: "FROM busybox\nNOTANINSTRUCTION foo\n" });
    const r = docker(d, ["build", ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error response from daemon: dockerfile parse error line 2: unknown instruction: NOTANINSTRUCTION");
    expect(r.stdout).not.toContain("Step");
    // A base image that is not here is pulled, as dockerd's classic builder does: no registry answers on port 1.
    const missing = context(join(work, "missing"), { Dockerfile: "FROM 127.0.0.1:1/nosuchimage:1\nRUN true\n" });
    const m = docker(d, ["build", missing]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('"http://127.0.0.1:1/v2/"');
    expect(m.stdout).not.toContain("Step 2/2");
    const squash = docker(d, ["build", "--squash", missing]);
    expect(squash.code).not.toBe(0);
  });

  it("the raw API: the message stream as dockerd writes it, gzip and zstd contexts, a bare Dockerfile body", () => {
    const ctx = context(join(work, "api"), { Dockerfile: "FROM busybox\nENV A=1\nCOPY f.txt /f.txt\nRUN cat /f.txt > /g.txt\nCMD [\"cat\",\"/g.txt\"]\n", "f.txt": "hi\n" });
    const curl = (file: string, query: string, type = "application/x-tar") =>
      spawnSync("curl", ["-s", "--unix-socket", d.sock, "-X", "POST", "-H", `Content-Type: ${type}`, "--data-binary", `@${file}`, `http://x/v1.45/build?${query}`], { encoding: "utf8" }).stdout;
    const tar = join(work, "api.tar");
    spawnSync("tar", ["-cf", tar, "-C", ctx, "."]);
    const raw = curl(tar, "t=ref/b1:latest&rm=1");
    // Line for line what dockerd 20.10 wrote for the same build, ids aside (docs/reference).
    const ids = (t: string) => t.replace(/\r\n/g, "\n").replace(/[0-9a-f]{64}/g, "<id64>").replace(/[0-9a-f]{12}/g, "<id>");
    const ref = (f: string) => ids(readFileSync(resolve(root, "docs/reference/dockerd-20.10/build", f), "utf8"));
    expect(ids(raw)).toBe(ref("build.jsonl"));
    const lines = raw.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ stream: "Step 1/5 : FROM busybox" });
    expect(lines[1]).toEqual({ stream: "\n" });
    expect(lines[2]).toEqual({ stream: " ---> d6240d91e29b\n" });
    const aux = lines.find((l) => l.aux);
    expect(aux.aux.ID).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines.at(-2)).toEqual({ stream: `Successfully built ${aux.aux.ID.slice(7, 19)}\n` });
    expect(lines.at(-1)).toEqual({ stream: "Successfully tagged ref/b1:latest\n" });
    expect(ids(curl(tar, "t=ref/b1:latest&rm=1"))).toBe(ref("build-cached.jsonl"));
    for (const [tool, ext] of [["gzip", "gz"], ["zstd", "zst"]] as const) {
      spawnSync(tool, ["-kf", tar]);
      const again = curl(`${tar}.${ext}`, "t=ref/b1:latest").trim().split("\n").map((l) => JSON.parse(l));
      expect(again.find((l) => l.aux).aux.ID).toBe(aux.aux.ID);
      expect(again.filter((l) => l.stream === " ---> Using cache\n")).toHaveLength(4);
    }
    const bare = join(work, "Dockerfile.bare");
    writeFileSync(bare, "FROM busybox\nRUN echo from-stdin\n");
    const b = curl(bare, "q=0", "application/octet-stream");
    expect(b).toContain('{"stream":"from-stdin\\n"}');
  });

  // Last: containers started by a restarted daemon on the same data root fail (setns EINVAL, not the builder's).
  it("the cache is on disk: a restarted daemon still builds it all from cache", async () => {
    const ctx = join(work, "ml");
    const id = inspect(d, "built/multilayer:1").Id;
    await d.stop();
    first = d;
    d = await startDaemon(["--data-root", d.dataRoot, "--exec-root", d.execRoot], {});
    const restarted = ok(docker(d, ["build", ctx]));
    expect(cached(restarted)).toBe(11);
    expect(inspect(d, "built/multilayer:1").Id).toBe(id);
  });
});
