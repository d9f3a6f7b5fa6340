// Multi-stage and modern Dockerfile syntax through the classic POST /build with the real
// docker CLI: parallel independent stages, --target, COPY --from into scratch,
// .dockerignore, heredocs, RUN --mount=type=cache, cancel on disconnect, prune and df.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { docker, dockerCli, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe("docker build: stages and modern syntax e2e", () => {
  let d: TestDaemon;
  let work: string;
  const context = (name: string, files: Record<string, string>): string => {
    const dir = join(work, name);
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    return dir;
  };
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "wharf-build-stages-"));
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
    rmSync(work, { recursive: true, force: true });
  });

  it("independent stages build at the same time (their RUNs overlap) and the final stage copies from both", () => {
    const stamp = (n: string) => `RUN cut -d" " -f1 /proc/uptime > /${n}.start && sleep 1 && cut -d" " -f1 /proc/uptime > /${n}.end`;
    const ctx = context("parallel", {
      Dockerfile: `FROM busybox AS a\n${stamp("a")}\nFROM busybox AS b\n${stamp("b")}\nFROM busybox\nCOPY --from=a /a.start /a.end /t/\nCOPY --from=b /b.start /b.end /t/\nCMD cat /t/a.start /t/a.end /t/b.start /t/b.end\n`,
    });
    const out = ok(docker(d, ["build", "-t", "par", ctx]));
    // The stream stays in stage order even though the stages ran together.
    expect(out.indexOf("Step 1/8 : FROM busybox AS a")).toBeLessThan(out.indexOf("Step 3/8 : FROM busybox AS b"));
    const [as, ae, bs, be] = ok(docker(d, ["run", "--rm", "par"])).trim().split("\n").map(Number);
    expect(as! < be! && bs! < ae!).toBe(true);
  });

  it("--target builds only the stages it needs; a final FROM scratch that copies a file is one layer", () => {
    const ctx = context("target", {
      Dockerfile: "FROM busybox AS builder\nRUN echo built > /out.txt\nFROM busybox AS broken\nRUN exit 1\nFROM scratch AS final\nCOPY --from=builder /out.txt /out.txt\n",
    });
    const out = ok(docker(d, ["build", "--target", "final", "-t", "scratchy", ctx]));
    expect(out).not.toContain("RUN exit 1");
    expect(out).toContain("Step 1/4 : FROM busybox AS builder");
    const img = JSON.parse(ok(docker(d, ["image", "inspect", "scratchy"])))[0];
    expect(img.RootFS.Layers).toHaveLength(1);
    const saved = join(work, "scratchy.tar");
    ok(docker(d, ["save", "-o", saved, "scratchy"]));
    const r = docker(d, ["build", "--target", "nosuch", ctx]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("failed to reach build target nosuch in Dockerfile");
    const onlyBuilder = ok(docker(d, ["build", "--target", "builder", ctx]));
    expect(onlyBuilder).toContain("Step 1/2 : FROM busybox AS builder");
    expect(onlyBuilder).not.toContain("scratch");
  });

  it(".dockerignore exclusions and ! exceptions hold (docker CLI and daemon alike)", () => {
    const ctx = context("ignore", {
      Dockerfile: "FROM busybox\nCOPY . /ctx/\nCMD find /ctx -type f\n",
      ".dockerignore": "*.secret\n!keep.secret\nnode_modules\n/top-only.txt\n",
      "a.secret": "s",
      "keep.secret": "k",
      "node_modules/x/y.js": "y",
      "top-only.txt": "t",
      "sub/top-only.txt": "kept",
      "app.js": "a",
    });
    ok(docker(d, ["build", "-t", "ign", ctx]));
    const files = ok(docker(d, ["run", "--rm", "ign"])).trim().split("\n").sort();
    expect(files).toEqual(["/ctx/.dockerignore", "/ctx/Dockerfile", "/ctx/app.js", "/ctx/keep.secret", "/ctx/sub/top-only.txt"]);
  });

  it("a heredoc RUN and COPY <<EOF work", () => {
    const ctx = context("heredoc", {
      Dockerfile: "FROM busybox\nENV WHO=heredoc\nRUN <<EOF\necho one > /h1\necho $WHO >> /h1\nEOF\nCOPY <<EOT /h2\nfile from $WHO\nEOT\nCMD cat /h1 /h2\n",
    });
    ok(docker(d, ["build", "-t", "hd", ctx]));
    expect(ok(docker(d, ["run", "--rm", "hd"]))).toBe("one\nheredoc\nfile from heredoc\n");
  });

  it("RUN --mount=type=cache keeps its contents between builds and out of the image", () => {
    const ctx = context("cachemount", {
      Dockerfile: "FROM busybox\nRUN --mount=type=cache,target=/cache echo run >> /cache/log && wc -l < /cache/log > /count\nCMD cat /count\n",
    });
    ok(docker(d, ["build", "-t", "cm", ctx]));
    expect(ok(docker(d, ["run", "--rm", "cm"])).trim()).toBe("1");
    ok(docker(d, ["build", "--no-cache", "-t", "cm", ctx]));
    expect(ok(docker(d, ["run", "--rm", "cm"])).trim()).toBe("2");
    expect(docker(d, ["run", "--rm", "cm", "ls", "/cache/log"]).code).not.toBe(0);
    const df = ok(docker(d, ["system", "df", "--format", "{{.Type}} {{.TotalCount}}"]));
    expect(df).toMatch(/Build Cache [1-9]\d*/);
    const pruned = ok(docker(d, ["builder", "prune", "-af"]));
    expect(pruned).toMatch(/Total reclaimed space: [1-9]/);
    expect(ok(docker(d, ["system", "df", "--format", "{{.Type}} {{.TotalCount}}"]))).toContain("Build Cache 0");
    ok(docker(d, ["build", "--no-cache", "-t", "cm", ctx]));
    expect(ok(docker(d, ["run", "--rm", "cm"])).trim()).toBe("1");
  });

  it("a client that disconnects mid-build cancels it: nothing is left running", async () => {
    const ctx = context("cancel", { Dockerfile: "FROM busybox\nRUN echo started && sleep 60\n" });
    const child = spawn(dockerCli(), ["build", ctx], { env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    const deadline = Date.now() + 20_000;
    while (!/^started$/m.test(out) && Date.now() < deadline) await Bun.sleep(50);
    expect(out).toContain("Running in");
    expect(ok(docker(d, ["ps", "-q"])).trim()).not.toBe("");
    child.kill("SIGKILL");
    let left = "x";
    for (let i = 0; i < 100 && left; i++) {
      await Bun.sleep(100);
      left = ok(docker(d, ["ps", "-aq"])).trim();
    }
    expect(left).toBe("");
  });
});
