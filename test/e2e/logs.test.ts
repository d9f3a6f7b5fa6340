// Logs through the real docker CLI: json-file rotation, driver none, follow, tail,
// since, timestamps, and following across a daemon kill -9 (issue 5, part B).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawn } from "node:child_process";
import { docker, dockerCli, startDaemon, root, type TestDaemon, removeAllAndCleanup } from "../helpers/daemon.ts";

const busybox = resolve(root, "test/fixtures/busybox-docker-save.tar");

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** `docker logs -f` in the background: its output so far, and its exit. */
function follow(d: TestDaemon, args: string[]) {
  const p = spawn(dockerCli(), ["logs", "-f", ...args], {
    env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  p.stdout.on("data", (c) => (out += c));
  p.stderr.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((r) => p.on("exit", (code) => r(code)));
  return { out: () => out, exited, kill: () => p.kill("SIGKILL") };
}

async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await Bun.sleep(50);
  }
  return cond();
}

describe("logs e2e", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    ok(docker(d, ["load", "-i", busybox]));
  });
  afterAll(() => removeAllAndCleanup(d));

  it("splits stdout and stderr; --tail, -t and --since give what Docker gives", () => {
    ok(docker(d, ["run", "--name", "lg", "busybox", "sh", "-c", "for i in 1 2 3 4; do echo out$i; echo err$i >&2; done"]));
    const all = docker(d, ["logs", "lg"]);
    expect(all.stdout).toBe("out1\nout2\nout3\nout4\n");
    expect(all.stderr).toBe("err1\nerr2\nerr3\nerr4\n");
    // stdout and stderr are separate pipes (as under Docker): order within each stream only.
    ok(docker(d, ["run", "--name", "lg2", "busybox", "sh", "-c", "for i in 1 2 3 4 5; do echo l$i; done"]));
    expect(ok(docker(d, ["logs", "--tail", "2", "lg2"]))).toBe("l4\nl5\n");
    expect(ok(docker(d, ["logs", "--tail", "0", "lg2"]))).toBe("");
    expect(ok(docker(d, ["logs", "--tail", "all", "lg2"]))).toBe("l1\nl2\nl3\nl4\nl5\n");
    expect(ok(docker(d, ["logs", "-t", "--tail", "1", "lg2"]))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z l5\n$/);
    const future = ok(docker(d, ["logs", "--since", String(Math.floor(Date.now() / 1000) + 60), "lg"]));
    expect(future).toBe("");
    const past = ok(docker(d, ["logs", "--since", "10m", "lg"]));
    expect(past).toBe("out1\nout2\nout3\nout4\n");
    const none = ok(docker(d, ["logs", "--until", "2000-01-01T00:00:00Z", "lg"]));
    expect(none).toBe("");
  });

  it("a container's command starts with default signal actions: yes | head ends", () => {
    const r = docker(d, ["run", "--rm", "busybox", "sh", "-c", "grep -E 'Sig(Ign|Blk)' /proc/self/status; yes | head -c 4"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\ny\ny\n");
  });

  it("rotates json-file logs with max-size/max-file and reads across the files", () => {
    const id = ok(docker(d, ["run", "--name", "rot", "--log-opt", "max-size=2k", "--log-opt", "max-file=3", "busybox", "sh", "-c",
      "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done"])).trim() || ok(docker(d, ["inspect", "-f", "{{.Id}}", "rot"])).trim();
    const logPath = ok(docker(d, ["inspect", "-f", "{{.LogPath}}", "rot"])).trim();
    expect(logPath.endsWith(`-json.log`)).toBe(true);
    expect(existsSync(logPath)).toBe(true);
    expect(existsSync(`${logPath}.1`)).toBe(true);
    expect(existsSync(`${logPath}.2`)).toBe(true);
    expect(existsSync(`${logPath}.3`)).toBe(false);
    for (const f of [logPath, `${logPath}.1`]) expect(readFileSync(f).length).toBeLessThan(2000 + 100);
    const lines = ok(docker(d, ["logs", "rot"])).trim().split("\n");
    // The newest lines, contiguous across the three files, in order, ending at the last.
    expect(lines.at(-1)).toBe("line-299");
    const first = Number(lines[0]!.slice(5));
    expect(first).toBeGreaterThan(0);
    expect(lines).toEqual(Array.from({ length: 300 - first }, (_, i) => `line-${first + i}`));
    expect(id).toBeTruthy();
  });

  it("compress=true gzips rotated files as <log>.N.gz and logs reads through them", () => {
    ok(docker(d, ["run", "--name", "gz", "--log-opt", "max-size=2k", "--log-opt", "max-file=3", "--log-opt", "compress=true", "busybox", "sh", "-c",
      "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done"]));
    const logPath = ok(docker(d, ["inspect", "-f", "{{.LogPath}}", "gz"])).trim();
    expect(existsSync(`${logPath}.1.gz`)).toBe(true);
    expect(existsSync(`${logPath}.2.gz`)).toBe(true);
    expect(existsSync(`${logPath}.1`)).toBe(false);
    const first = JSON.parse(Buffer.from(Bun.gunzipSync(readFileSync(`${logPath}.1.gz`))).toString().split("\n")[0]!);
    expect(first.stream).toBe("stdout");
    const lines = ok(docker(d, ["logs", "gz"])).trim().split("\n");
    expect(lines.at(-1)).toBe("line-299");
    const n = Number(lines[0]!.slice(5));
    expect(lines).toEqual(Array.from({ length: 300 - n }, (_, i) => `line-${n + i}`));
    expect(ok(docker(d, ["logs", "--tail", "3", "gz"]))).toBe("line-297\nline-298\nline-299\n");
    const bad = docker(d, ["create", "--log-opt", "compress=true", "busybox", "true"]);
    expect(bad.stderr).toContain("compress cannot be true when max-file is less than 2 or max-size is not set");
  });

  it("max-file 1 keeps one file; bad drivers and options fail with Docker's messages", () => {
    ok(docker(d, ["run", "--name", "rot1", "--log-opt", "max-size=1k", "busybox", "sh", "-c", "i=0; while [ $i -lt 200 ]; do echo l$i; i=$((i+1)); done"]));
    const logPath = ok(docker(d, ["inspect", "-f", "{{.LogPath}}", "rot1"])).trim();
    expect(existsSync(`${logPath}.1`)).toBe(false);
    expect(ok(docker(d, ["logs", "rot1"])).trim().split("\n").at(-1)).toBe("l199");
    const bad = docker(d, ["run", "--log-driver", "nosuch", "busybox", "true"]);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain("logger: no log driver named 'nosuch' is registered");
    const opt = docker(d, ["run", "--log-opt", "colour=red", "busybox", "true"]);
    expect(opt.code).toBe(125);
    expect(opt.stderr).toContain("unknown log opt 'colour' for json-file log driver");
    const size = docker(d, ["create", "--log-opt", "max-size=0", "busybox", "true"]);
    expect(size.stderr).toContain("max-size must be a positive number");
  });

  it("--log-driver none: nothing is written and logs says the driver cannot read", () => {
    ok(docker(d, ["run", "--name", "quiet", "--log-driver", "none", "busybox", "echo", "hi"]));
    expect(ok(docker(d, ["inspect", "-f", "{{.LogPath}}", "quiet"])).trim()).toBe("");
    const r = docker(d, ["logs", "quiet"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("configured logging driver does not support reading");
  });

  it("logs -f follows a running container and ends when it exits", async () => {
    ok(docker(d, ["run", "-d", "--name", "fol", "busybox", "sh", "-c", "for i in 1 2 3; do echo tick$i; sleep 0.5; done"]));
    const f = follow(d, ["fol"]);
    expect(await until(() => f.out().includes("tick1"))).toBe(true);
    const code = await Promise.race([f.exited, Bun.sleep(10_000).then(() => "timeout")]);
    if (code === "timeout") f.kill();
    expect(code).toBe(0);
    expect(f.out()).toBe("tick1\ntick2\ntick3\n");
    // Following with --until ends when that time comes, though the container runs on.
    ok(docker(d, ["run", "-d", "--name", "fol2", "busybox", "sh", "-c", "echo once; sleep 300"]));
    const t0 = Date.now();
    const u = docker(d, ["logs", "-f", "--until", "2s", "fol2"]);
    expect(u.stdout).toBe("");
    expect(Date.now() - t0).toBeLessThan(10_000);
    const u2 = docker(d, ["logs", "-f", "--until", String(Math.floor(Date.now() / 1000) + 2), "fol2"]);
    expect(u2.stdout).toBe("once\n");
    docker(d, ["rm", "-f", "fol2"]);
    // Following an exited container returns what is there and ends.
    expect(ok(docker(d, ["logs", "-f", "fol"]))).toBe("tick1\ntick2\ntick3\n");
  });
});

describe("logs across a daemon kill -9", () => {
  it("a container that kept running keeps logging; logs -f on the new daemon sees new lines and ends at exit", async () => {
    const d = await startDaemon();
    let d2: TestDaemon | undefined;
    try {
      ok(docker(d, ["load", "-i", busybox]));
      ok(docker(d, ["run", "-d", "--name", "survivor", "--log-opt", "max-size=300", "--log-opt", "max-file=5", "busybox", "sh", "-c",
        "i=0; while [ $i -lt 40 ]; do echo n$i; i=$((i+1)); sleep 0.1; done"]));
      await until(() => docker(d, ["logs", "survivor"]).stdout.includes("n3"));
      await d.stop("SIGKILL");
      await Bun.sleep(600); // lines written while no daemon runs
      d2 = await startDaemon(["--data-root", d.dataRoot, "--exec-root", d.execRoot]);
      const f = follow(d2, ["survivor"]);
      const code = await Promise.race([f.exited, Bun.sleep(20_000).then(() => "timeout")]);
      if (code === "timeout") f.kill();
      expect(code).toBe(0);
      const lines = f.out().trim().split("\n");
      expect(lines.at(-1)).toBe("n39");
      const first = Number(lines[0]!.slice(1));
      expect(lines).toEqual(Array.from({ length: 40 - first }, (_, i) => `n${first + i}`));
    } finally {
      await removeAllAndCleanup(d2 ?? d);
      if (d2) await d.cleanup();
    }
  });
});
