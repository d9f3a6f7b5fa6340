// Every instruction and flag through a real build: build args (global and per stage),
// ONBUILD, COPY --chown/--chmod/--exclude/--parents, ADD of a local tar, HEALTHCHECK,
// SHELL, STOPSIGNAL, --label; and `wharf build` itself (-t, --build-arg, --iidfile,
// a Dockerfile on stdin, a Dockerfile outside the context).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, dockerCli, loadBusybox, removeAllAndCleanup, startDaemon, wharfBin, type TestDaemon } from "../helpers/daemon.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe("build instructions e2e", () => {
  let d: TestDaemon;
  let work: string;
  const wharf = (args: string[], input?: string) => {
    const r = spawnSync(wharfBin, ["-H", d.host, ...args], { encoding: "utf8", input, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const context = (name: string, files: Record<string, string>): string => {
    const dir = join(work, name);
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    return dir;
  };
  const inspect = (ref: string) => JSON.parse(ok(docker(d, ["image", "inspect", ref])))[0];
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "wharf-build-ins-"));
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
    rmSync(work, { recursive: true, force: true });
  });

  it("build args: global ARG in FROM, per-stage defaults, --build-arg, ENV shadowing, the history prefix, unused ones warned", () => {
    const ctx = context("args", {
      Dockerfile: "ARG BASE=busybox\nFROM ${BASE}\nARG GREETING=hi\nARG WHO\nENV KEPT=${GREETING:-none}-${WHO:+set}\nRUN echo \"$GREETING $WHO\" > /args\nCMD cat /args\n",
    });
    const out = ok(docker(d, ["build", "--build-arg", "WHO=you", "--build-arg", "UNUSED=1", "-t", "args", ctx]));
    expect(out).toContain("[Warning] One or more build-args [UNUSED] were not consumed");
    expect(ok(docker(d, ["run", "--rm", "args"]))).toBe("hi you\n");
    const img = inspect("args");
    expect(img.Config.Env).toContain("KEPT=hi-set");
    expect(img.Config.Env.some((e: string) => e.startsWith("WHO="))).toBe(false);
    const hist = ok(docker(d, ["history", "--no-trunc", "--format", "{{.CreatedBy}}", "args"]));
    expect(hist).toContain('|2 GREETING=hi WHO=you /bin/sh -c echo "$GREETING $WHO" > /args');
    // Another value of a build arg in use is another cache key.
    const other = ok(docker(d, ["build", "--build-arg", "WHO=them", "-t", "args2", ctx]));
    expect(other).toContain("Running in");
    expect(ok(docker(d, ["run", "--rm", "args2"]))).toBe("hi them\n");
  });

  it("config instructions: USER, WORKDIR, EXPOSE ranges, VOLUME, SHELL, STOPSIGNAL, HEALTHCHECK, LABEL, MAINTAINER and --label", () => {
    const ctx = context("config", {
      Dockerfile: [
        "FROM busybox", "MAINTAINER someone", "SHELL [\"/bin/sh\", \"-ec\"]", "RUN echo shell-form > /s", "WORKDIR rel", "WORKDIR sub",
        "EXPOSE 7000-7001/udp 80", "VOLUME [\"/v1\", \"/v2\"]", "STOPSIGNAL SIGUSR1", "HEALTHCHECK --interval=5s --retries=2 CMD true",
        "LABEL a=b \"c d\"=\"e f\"", "USER 1000:1000", "CMD [\"id\", \"-u\"]",
      ].join("\n"),
    });
    ok(docker(d, ["build", "--label", "extra=yes", "-t", "cfg", ctx]));
    const c = inspect("cfg").Config;
    expect(c.WorkingDir).toBe("/rel/sub");
    expect(Object.keys(c.ExposedPorts).sort()).toEqual(["7000/udp", "7001/udp", "80/tcp"]);
    expect(Object.keys(c.Volumes).sort()).toEqual(["/v1", "/v2"]);
    expect(c.Shell).toEqual(["/bin/sh", "-ec"]);
    expect(c.StopSignal).toBe("SIGUSR1");
    expect(c.Healthcheck).toEqual({ Test: ["CMD-SHELL", "true"], Interval: 5e9, Retries: 2 });
    expect(c.Labels).toEqual({ a: "b", "c d": "e f", extra: "yes" });
    expect(c.User).toBe("1000:1000");
    expect(inspect("cfg").Author).toBe("someone");
    expect(ok(docker(d, ["run", "--rm", "cfg"]))).toBe("1000\n");
    expect(ok(docker(d, ["run", "--rm", "--entrypoint", "cat", "cfg", "/s"]))).toBe("shell-form\n");
  });

  it("ONBUILD triggers run in the child build", () => {
    ok(docker(d, ["build", "-t", "onb-base", context("onb-base", { Dockerfile: "FROM busybox\nONBUILD RUN echo triggered > /t\nONBUILD COPY f /f\n" })]));
    expect(inspect("onb-base").Config.OnBuild).toEqual(["RUN echo triggered > /t", "COPY f /f"]);
    const out = ok(docker(d, ["build", "-t", "onb-child", context("onb-child", { Dockerfile: "FROM onb-base\nCMD cat /t /f\n", f: "file\n" })]));
    expect(out).toContain("# Executing 2 build triggers");
    expect(ok(docker(d, ["run", "--rm", "onb-child"]))).toBe("triggered\nfile\n");
    expect(inspect("onb-child").Config.OnBuild).toBeNull();
  });

  it("COPY --chown/--chmod/--exclude/--parents, wildcards, and ADD unpacking a local tar", () => {
    const dir = context("copy", {
      Dockerfile: [
        "FROM busybox", "COPY --chown=1:2 --chmod=600 a.txt /o/", "COPY --exclude=*.tmp src/ /src/", "COPY --parents x/y/z.txt /p/",
        "COPY *.md /md/", "ADD arch.tar.gz /unpacked/", "ADD arch.tar.gz plain.txt /u2/",
        "CMD stat -c '%u:%g %a' /o/a.txt && find /src /p /md /unpacked -type f | sort && cat /u2/plain.txt",
      ].join("\n"),
      "a.txt": "a",
      "src/keep.c": "c",
      "src/drop.tmp": "t",
      "x/y/z.txt": "z",
      "one.md": "1",
      "two.md": "2",
      "plain.txt": "plain\n",
      "inner/in.txt": "in",
    });
    spawnSync("tar", ["-czf", join(dir, "arch.tar.gz"), "-C", join(dir, "inner"), "in.txt"]);
    ok(docker(d, ["build", "-t", "cp", dir]));
    expect(ok(docker(d, ["run", "--rm", "cp"])).split("\n")).toEqual([
      "1:2 600", "/md/one.md", "/md/two.md", "/p/x/y/z.txt", "/src/keep.c", "/unpacked/in.txt", "plain", "",
    ]);
  });

  it("COPY --link is a plain COPY, as dockerd's classic builder takes it: same files, same history line, one cache", () => {
    const files = { "f.txt": "linked\n", "d/g.txt": "g\n" };
    const linked = context("link", { ...files, Dockerfile: "FROM busybox\nCOPY --link f.txt /f.txt\nCOPY --link --chown=5:6 d/ /d/\nCMD cat /f.txt && stat -c '%u:%g' /d/g.txt\n" });
    const out = ok(docker(d, ["build", "-t", "linked", linked]));
    expect(out).toContain("Step 2/4 : COPY --link f.txt /f.txt\n");
    expect(ok(docker(d, ["run", "--rm", "linked"]))).toBe("linked\n5:6\n");
    const plain = context("nolink", { ...files, Dockerfile: "FROM busybox\nCOPY f.txt /f.txt\nCOPY --chown=5:6 d/ /d/\nCMD cat /f.txt && stat -c '%u:%g' /d/g.txt\n" });
    const again = ok(docker(d, ["build", "-t", "plain", plain]));
    expect(again.split("\n").filter((l) => l === " ---> Using cache")).toHaveLength(3);
    expect(inspect("plain").Id).toBe(inspect("linked").Id);
    const hist = (ref: string) => ok(docker(d, ["history", "--no-trunc", "--format", "{{.CreatedBy}}", ref]));
    expect(hist("linked")).toMatch(/#\(nop\) COPY file:[0-9a-f]{64} in \/f\.txt /);
    expect(hist("linked")).not.toContain("--link");
  });

  it("ADD of a URL is fetched by the daemon, checked against --checksum", async () => {
    const body = "served over http\n";
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(body) });
    try {
      const url = `http://127.0.0.1:${server.port}/dir/remote.txt`;
      const sum = `sha256:${new Bun.CryptoHasher("sha256").update(body).digest("hex")}`;
      const good = context("add-url", { Dockerfile: `FROM busybox\nADD --checksum=${sum} ${url} /fetched/\nCMD stat -c %a /fetched/remote.txt && cat /fetched/remote.txt\n` });
      // The server lives in this process: the CLI runs without blocking it.
      const build = async (dir: string, extra: string[] = []) => {
        const p = Bun.spawn([dockerCli(), "build", ...extra, dir], { env: { ...process.env, DOCKER_HOST: d.host }, stdout: "pipe", stderr: "pipe" });
        const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
        return { code, stdout, stderr };
      };
      ok(await build(good, ["-t", "addurl"]));
      expect(ok(docker(d, ["run", "--rm", "addurl"]))).toBe(`600\n${body}`);
      const bad = context("add-url-bad", { Dockerfile: `FROM busybox\nADD --checksum=sha256:${"0".repeat(64)} ${url} /f\n` });
      const r = await build(bad);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("digest mismatch");
    } finally {
      server.stop(true);
    }
  });

  it("wharf build: -t, --build-arg, --iidfile, quiet, a Dockerfile on stdin and one outside the context", () => {
    const ctx = context("cli", { Dockerfile: "FROM busybox\nARG V\nRUN echo $V > /v\nCMD cat /v\n" });
    const iid = join(work, "iid");
    const out = ok(wharf(["build", "-t", "cli:1", "--build-arg", "V=cli", "--iidfile", iid, ctx]));
    expect(out).toContain("Step 1/4 : FROM busybox");
    expect(out).toContain("Successfully tagged cli:1");
    const id = readFileSync(iid, "utf8");
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(inspect("cli:1").Id).toBe(id);
    expect(ok(docker(d, ["run", "--rm", "cli:1"]))).toBe("cli\n");
    expect(ok(wharf(["build", "-q", "--build-arg", "V=cli", ctx])).trim()).toBe(id);
    const stdin = ok(wharf(["build", "-t", "from-stdin", "-"], "FROM busybox\nRUN echo stdin > /x\nCMD cat /x\n"));
    expect(stdin).toContain("Successfully tagged from-stdin:latest");
    expect(ok(docker(d, ["run", "--rm", "from-stdin"]))).toBe("stdin\n");
    const outside = join(work, "Outside.Dockerfile");
    writeFileSync(outside, "FROM busybox\nCOPY Dockerfile /copied\nCMD head -1 /copied\n");
    ok(wharf(["build", "-f", outside, "-t", "outside", ctx]));
    expect(ok(docker(d, ["run", "--rm", "outside"]))).toBe("FROM busybox\n");
    ok(docker(d, ["build", "-f", outside, "-t", "outside-docker", ctx]));
    expect(ok(docker(d, ["run", "--rm", "outside-docker"]))).toBe("FROM busybox\n");
    const failing = wharf(["build", context("cli-fail", { Dockerfile: "FROM busybox\nRUN exit 7\n" })]);
    expect(failing.code).toBe(7);
    expect(failing.stderr).toContain("The command '/bin/sh -c exit 7' returned a non-zero code: 7");
  });

  it("docker-py's images.build and docker-compose build drive the same endpoint", () => {
    const ctx = context("sdk", { Dockerfile: "FROM busybox\nRUN echo sdk > /s\nCMD cat /s\n", "docker-compose.yml": 'version: "3"\nservices:\n  app:\n    build: .\n    image: comp/app:1\n' });
    const py = spawnSync("python3", ["-c", `import docker
c = docker.DockerClient(base_url="${d.host}")
img, logs = c.images.build(path="${ctx}", tag="py:1", rm=True)
print(img.id, img.tags)`], { encoding: "utf8", timeout: 60_000 });
    expect(py.stderr).toBe("");
    expect(py.stdout).toMatch(/^sha256:[0-9a-f]{64} \['py:1'\]\n$/);
    const comp = spawnSync("docker-compose", ["build"], { cwd: ctx, encoding: "utf8", env: { ...process.env, DOCKER_HOST: d.host }, timeout: 60_000 });
    expect(comp.status).toBe(0);
    expect(comp.stdout + comp.stderr).toContain("Successfully tagged comp/app:1");
    expect(ok(docker(d, ["run", "--rm", "comp/app:1"]))).toBe("sdk\n");
  });
});
