// API version negotiation against a real older daemon: Debian's dockerd 20.10 serves
// API 1.41, so wharf's first request at 1.45 is refused, /_ping names 1.41, and every
// command then speaks 1.41 — printing what the docker CLI prints against it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { dockerCli, requireBinary, wharfBin } from "../helpers/daemon.ts";

describe("wharf against dockerd 20.10 (API 1.41)", () => {
  let dir = "";
  let proc: ChildProcess | undefined;
  let host = "";
  const run = (bin: string, args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(bin, args, { encoding: "utf8", env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(dir, "cfg"), ...env }, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    requireBinary();
    if (spawnSync("sh", ["-c", "command -v dockerd"]).status !== 0) throw new Error("dockerd is missing: .ci/run installs docker.io");
    dir = mkdtempSync(join(tmpdir(), "wharf-negotiate-"));
    host = `unix://${join(dir, "docker.sock")}`;
    // No bridge, no iptables: this dockerd touches nothing outside its directory.
    proc = spawn("dockerd", [
      "-H", host, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), "--pidfile", join(dir, "docker.pid"),
      "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false", "--bridge=none", "--userland-proxy=false",
    ], { stdio: "ignore" });
    for (let i = 0; i < 300; i++) {
      if (existsSync(join(dir, "docker.sock")) && run(dockerCli(), ["version"]).code === 0) return;
      await Bun.sleep(100);
    }
    throw new Error("dockerd did not answer within 30 s");
  }, 60_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once("exit", r));
      proc.kill("SIGTERM");
      await Promise.race([exited, Bun.sleep(20_000)]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
    if (dir) {
      for (const m of spawnSync("sh", ["-c", `grep -o ' ${dir}[^ ]*' /proc/self/mountinfo | sort -r`], { encoding: "utf8" }).stdout.split("\n").filter(Boolean)) {
        spawnSync("umount", ["-l", m.trim()]);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("version shows the downgrade; the server part is docker's", () => {
    const mine = run(wharfBin, ["version"]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toMatch(/^ API version: +1\.41 \(downgraded from 1\.45\)$/m);
    const server = (s: string) => s.slice(s.indexOf("\nServer:"));
    expect(server(mine.stdout)).toBe(server(run(dockerCli(), ["version"]).stdout));
  });

  it("ps, images, info and network ls work at 1.41 and print what docker prints", () => {
    for (const args of [["ps", "-a"], ["images"], ["network", "ls"], ["volume", "ls"], ["info", "--format", "{{.ServerVersion}} {{.Driver}}"]]) {
      const mine = run(wharfBin, args);
      const theirs = run(dockerCli(), args);
      expect({ code: mine.code, stdout: mine.stdout }, args.join(" ")).toEqual({ code: theirs.code, stdout: theirs.stdout });
    }
  });

  it("DOCKER_API_VERSION fixes the version: a newer one than the daemon's is its refusal", () => {
    const ok = run(wharfBin, ["ps"], { DOCKER_API_VERSION: "1.40" });
    expect(ok.code, ok.stderr).toBe(0);
    const bad = run(wharfBin, ["ps"], { DOCKER_API_VERSION: "1.45" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error response from daemon: client version 1\.45 is too new\. Maximum supported API version is 1\.41/);
  });
});
