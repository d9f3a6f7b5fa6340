// The compiled binary, driven by the real docker CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, readPid, startDaemon, wharf, wharfBin, type TestDaemon } from "../helpers/daemon.ts";

describe("foundation e2e", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  it("docker version shows the wharf server and API 1.45", () => {
    const r = docker(d, ["version"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Server: wharf$/m);
    expect(r.stdout).toMatch(/API version:\s+1\.45 \(minimum version 1\.24\)/);
    const f = docker(d, ["version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}"]);
    expect(f.stdout.trim()).toBe("1.45 linux");
  });

  it("docker info shows the daemon's real values", () => {
    const r = docker(d, ["info", "--format", "{{json .}}"]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    const os = require("node:os");
    expect(info.NCPU).toBe(os.cpus().length);
    expect(info.MemTotal).toBe(os.totalmem());
    expect(info.DockerRootDir).toBe(d.dataRoot);
    expect(info.KernelVersion).toBe(os.release());
    expect(info.OperatingSystem).toMatch(/\S/);
    expect(info.ID).toMatch(/^[0-9a-f-]{36}$/);
    const text = docker(d, ["info"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Docker Root Dir: ${d.dataRoot}`);
  });

  it("wharf version and info talk to the daemon through -H and DOCKER_HOST", () => {
    const v = wharf(["-H", d.host, "version"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/Server: wharf/);
    expect(v.stdout).toMatch(/API version:\s+1\.45 \(minimum version 1\.24\)/);
    const i = wharf(["info"], { DOCKER_HOST: d.host });
    expect(i.code).toBe(0);
    expect(i.stdout).toContain(`Docker Root Dir: ${d.dataRoot}`);
    expect(wharf(["-H", d.host, "info", "--format", "{{.DockerRootDir}} {{.NCPU}}"]).stdout).toBe(
      `${d.dataRoot} ${require("node:os").cpus().length}\n`,
    );
    expect(wharf(["-H", d.host, "version", "-f", "{{.Server.APIVersion}}"]).stdout).toBe("1.45\n");
  });

  it("answers versioned and unversioned paths, 400 for a newer version, 404 for unknown", () => {
    const curl = (path: string) => {
      const r = spawnSync("curl", ["-s", "-o", "-", "-w", "\n%{http_code}", "--unix-socket", d.sock, `http://x${path}`], { encoding: "utf8" });
      const lines = r.stdout.trimEnd().split("\n");
      return { status: Number(lines.pop()), body: lines.join("\n").trim() };
    };
    expect(curl("/version").status).toBe(200);
    expect(curl("/v1.24/version").status).toBe(200);
    expect(curl("/v1.45/info").status).toBe(200);
    const tooNew = curl("/v1.99/version");
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(tooNew.body).message).toBe("client version 1.99 is too new. Maximum supported API version is 1.45");
    const unknown = curl("/v1.45/no/such/route");
    expect(unknown).toEqual({ status: 404, body: '{"message":"page not found"}' });
  });

  it("refuses a second daemon on the same data root and leaves the first intact", async () => {
    const other = mkdtempSync(join(tmpdir(), "wharf-second-"));
    try {
      const r = spawnSync(
        wharfBin,
        ["-d", "-H", `unix://${other}/s.sock`, "--data-root", d.dataRoot, "--exec-root", join(other, "exec")],
        { encoding: "utf8", timeout: 10_000 },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`already using data root ${d.dataRoot}`);
      expect(existsSync(join(other, "s.sock"))).toBe(false);
      expect(docker(d, ["version"]).code).toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe("daemon lifecycle", () => {
  it("SIGTERM shuts down cleanly: no socket, no pidfile; the ID survives a restart", async () => {
    const d = await startDaemon();
    try {
      expect(readPid(d.pidfile)).toBe(d.proc.pid);
      const id1 = JSON.parse(docker(d, ["info", "--format", "{{json .ID}}"]).stdout);
      expect(await d.stop("SIGTERM")).toBe(0);
      expect(existsSync(d.sock)).toBe(false);
      expect(existsSync(d.pidfile)).toBe(false);
      const again = await startDaemon(["--data-root", d.dataRoot]);
      try {
        expect(JSON.parse(docker(again, ["info", "--format", "{{json .ID}}"]).stdout)).toBe(id1);
      } finally {
        await again.cleanup();
      }
    } finally {
      await d.cleanup();
    }
  });

  it("an unreachable daemon is one clear line naming the address and exit 1", () => {
    const r = wharf(["-H", "unix:///nonexistent/wharf.sock", "version"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      "Cannot connect to the wharf daemon at unix:///nonexistent/wharf.sock. Is the wharf daemon running?",
    ]);
  });

  it("invoked as dockerinit, the binary takes the init path and refuses to run by hand", () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-init-"));
    try {
      symlinkSync(wharfBin, join(dir, "dockerinit"));
      const r = spawnSync(join(dir, "dockerinit"), [], { encoding: "utf8" });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^dockerinit: not started by the wharf daemon/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
