// The container runtime through the real docker CLI: issue 4's "Done when" list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, startDaemon, root, type TestDaemon, loadBusybox, removeAllAndCleanup } from "../helpers/daemon.ts";

const busybox = resolve(root, "test/fixtures/busybox-docker-save.tar");

describe("container runtime e2e", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    if (d) {
      // Leave nothing running behind, whatever a test did.
      const ids = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
      if (ids.length) docker(d, ["rm", "-f", ...ids]);
      await d.cleanup();
    }
  });

  it("runs a shell as PID 1 with the container's hostname as root", () => {
    const r = docker(d, ["run", "--rm", "busybox", "sh", "-c", "echo $$; hostname; id; cat /proc/1/cmdline"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [pid, hostname, id, cmdline] = r.stdout.split("\n");
    expect(pid).toBe("1");
    expect(hostname).toMatch(/^[0-9a-f]{12}$/);
    expect(id).toMatch(/^uid=0\(root\) gid=0\(root\)/);
    // busybox sh execs its last command, so PID 1 is cat by then (as under Docker).
    expect(cmdline).toBe("cat\0/proc/1/cmdline\0");
  });

  it("passes exit codes through: false is 1, a missing command is 127", () => {
    expect(docker(d, ["run", "--rm", "busybox", "false"]).code).toBe(1);
    const r = docker(d, ["run", "--rm", "busybox", "nosuchcmd"]);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/executable file not found/);
  });

  it("stop -t 1 of a process that ignores SIGTERM kills it after a second (137)", () => {
    const id = docker(d, ["run", "-d", "busybox", "sleep", "300"]).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const t0 = Date.now();
    const r = docker(d, ["stop", "-t", "1", id]);
    const took = Date.now() - t0;
    expect(r.code).toBe(0);
    expect(took).toBeLessThan(5000); // generous bound for a loaded CI machine; the bench measures
    const code = Number(docker(d, ["inspect", "-f", "{{.State.ExitCode}}", id]).stdout.trim());
    expect([137, 143]).toContain(code);
    expect(docker(d, ["stop", id]).code).toBe(0); // 304 for a stopped container is not an error to the CLI
    docker(d, ["rm", id]);
  });

  it("a container over its memory limit is OOM killed (137, OOMKilled true)", () => {
    const r = docker(d, ["run", "--name", "oom", "-m", "32m", "busybox", "sh", "-c", "x=a; while true; do x=$x$x; done"]);
    expect(r.code).toBe(137);
    expect(docker(d, ["inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "oom"]).stdout.trim()).toBe("true 137");
    docker(d, ["rm", "oom"]);
  });

  it("--pids-limit stops a fork bomb", () => {
    // Bounded: 50 background sleeps against a limit of 10; the shell reports fork failures.
    const r = docker(d, ["run", "--rm", "--pids-limit", "10", "busybox", "sh", "-c", "for i in $(seq 50); do sleep 5 & done 2>&1 | head -1; echo done"]);
    expect(r.stdout + r.stderr).toMatch(/can't fork|Resource temporarily unavailable|fork/i);
  });

  it("has Docker's default capabilities, and none with --cap-drop ALL", () => {
    const caps = docker(d, ["run", "--rm", "busybox", "grep", "Cap", "/proc/self/status"]).stdout;
    expect(caps).toMatch(/CapEff:\s+00000000a80425fb/);
    expect(caps).toMatch(/CapBnd:\s+00000000a80425fb/);
    const none = docker(d, ["run", "--rm", "--cap-drop", "ALL", "busybox", "grep", "CapEff", "/proc/self/status"]).stdout;
    expect(none).toMatch(/CapEff:\s+0000000000000000/);
    // ping needs a raw socket (NET_RAW): allowed by default, refused without it.
    const ping = docker(d, ["run", "--rm", "--cap-drop", "ALL", "--network", "none", "busybox", "ping", "-c", "1", "127.0.0.1"]);
    expect(ping.code).not.toBe(0);
    expect(ping.stderr).toMatch(/permission denied|Operation not permitted/i);
    const ok = docker(d, ["run", "--rm", "--network", "none", "busybox", "ping", "-c", "1", "127.0.0.1"]);
    expect(ok.code).toBe(0);
  });

  it("create, start, pause, unpause, restart, rename, wait, rm", () => {
    const id = docker(d, ["create", "--name", "life", "busybox", "sleep", "300"]).stdout.trim();
    expect(docker(d, ["inspect", "-f", "{{.State.Status}}", id]).stdout.trim()).toBe("created");
    expect(docker(d, ["start", "life"]).code).toBe(0);
    expect(docker(d, ["inspect", "-f", "{{.State.Status}} {{.State.Running}}", "life"]).stdout.trim()).toBe("running true");
    expect(docker(d, ["pause", "life"]).code).toBe(0);
    expect(docker(d, ["inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "life"]).stdout.trim()).toBe("paused true");
    const rmPaused = docker(d, ["rm", "life"]);
    expect(rmPaused.code).not.toBe(0);
    expect(docker(d, ["unpause", "life"]).code).toBe(0);
    expect(docker(d, ["rename", "life", "life2"]).code).toBe(0);
    expect(docker(d, ["inspect", "-f", "{{.Name}}", id]).stdout.trim()).toBe("/life2");
    const rmRunning = docker(d, ["rm", "life2"]);
    expect(rmRunning.code).toBe(1);
    expect(rmRunning.stderr).toMatch(/container is running: stop the container before removing or force remove/);
    expect(docker(d, ["kill", "life2"]).code).toBe(0);
    expect(docker(d, ["wait", "life2"]).stdout.trim()).toBe("137");
    expect(docker(d, ["rm", "life2"]).code).toBe(0);
    expect(docker(d, ["inspect", id]).code).toBe(1);
  });

  it("refuses a taken name with 409 and a missing image with 404", () => {
    docker(d, ["create", "--name", "taken", "busybox", "true"]);
    const r = docker(d, ["create", "--name", "taken", "busybox", "true"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Conflict. The container name "\/taken" is already in use/);
    docker(d, ["rm", "taken"]);
    // The API answers 404; the CLI then tries a pull, which wharf cannot do yet.
    const api = spawnSync("curl", ["-s", "-w", "\n%{http_code}", "--unix-socket", d.sock, "-H", "Content-Type: application/json",
      "-d", '{"Image":"nosuchimage:1.0","Cmd":["true"]}', "http://x/v1.45/containers/create"], { encoding: "utf8" });
    const lines = api.stdout.trim().split("\n");
    expect(lines.pop()).toBe("404");
    expect(JSON.parse(lines.join("\n")).message).toBe("No such image: nosuchimage:1.0");
    const missing = docker(d, ["create", "nosuchimage:1.0"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/Unable to find image 'nosuchimage:1.0' locally/);
  });

  it("separates stdout and stderr and reads stdin until EOF", () => {
    const r = docker(d, ["run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2"]);
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe("err\n");
    const cat = docker(d, ["run", "-i", "--rm", "busybox", "cat"], "hi\n");
    expect(cat.stdout).toBe("hi\n");
    expect(cat.code).toBe(0);
    const wc = docker(d, ["run", "-i", "--rm", "busybox", "sh", "-c", "wc -l; exit 3"], "a\nb\n");
    expect(wc.stdout.trim()).toBe("2");
    expect(wc.code).toBe(3);
  });

  it("keeps logs and answers logs --tail and -t", () => {
    docker(d, ["run", "--name", "logger", "busybox", "sh", "-c", "echo one; echo two; echo three >&2"]);
    const all = docker(d, ["logs", "logger"]);
    expect(all.stdout).toBe("one\ntwo\n");
    expect(all.stderr).toBe("three\n");
    expect(docker(d, ["logs", "--tail", "1", "logger"]).stderr).toBe("three\n");
    expect(docker(d, ["logs", "-t", "logger"]).stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z one\n/);
    docker(d, ["rm", "logger"]);
  });

  it("leaves no cgroup, mount or process behind after rm -f in any state", () => {
    const ids = [
      docker(d, ["create", "busybox", "sleep", "300"]).stdout.trim(),
      docker(d, ["run", "-d", "busybox", "sleep", "300"]).stdout.trim(),
      docker(d, ["run", "-d", "busybox", "true"]).stdout.trim(),
    ];
    const paused = docker(d, ["run", "-d", "busybox", "sleep", "300"]).stdout.trim();
    docker(d, ["pause", paused]);
    ids.push(paused);
    expect(docker(d, ["rm", "-f", ...ids]).code).toBe(0);
    const mounts = readFileSync("/proc/self/mountinfo", "utf8");
    for (const id of ids) {
      expect(mounts).not.toContain(id);
      expect(existsSync(join(d.dataRoot, "containers", id))).toBe(false);
    }
  });
});

describe("live restore", () => {
  it("containers outlive a daemon kill -9; a new daemon stops them and records exit codes", async () => {
    const d = await startDaemon();
    let d2: TestDaemon | undefined;
    try {
      expect(docker(d, ["load", "-i", busybox]).code).toBe(0);
      const ids = ["ra", "rb", "rc"].map((n) => docker(d, ["run", "-d", "--name", n, "busybox", "sleep", "300"]).stdout.trim());
      const quick = docker(d, ["run", "-d", "--name", "quick", "busybox", "sh", "-c", "sleep 1; exit 7"]).stdout.trim();
      expect(ids.every((i) => /^[0-9a-f]{64}$/.test(i))).toBe(true);
      await d.stop("SIGKILL");
      await Bun.sleep(1500); // "quick" exits while no daemon runs
      d2 = await startDaemon(["--data-root", d.dataRoot, "--exec-root", d.execRoot]);
      for (const n of ["ra", "rb", "rc"]) {
        expect(docker(d2, ["inspect", "-f", "{{.State.Running}}", n]).stdout.trim()).toBe("true");
      }
      expect(docker(d2, ["inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", quick]).stdout.trim()).toBe("false 7");
      expect(docker(d2, ["stop", "-t", "1", "ra", "rb", "rc"]).code).toBe(0);
      for (const n of ["ra", "rb", "rc"]) {
        expect(docker(d2, ["inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", n]).stdout.trim()).toMatch(/^false (137|143)$/);
      }
    } finally {
      await removeAllAndCleanup(d2 ?? d);
      if (d2) await d.cleanup();
    }
  });
});
