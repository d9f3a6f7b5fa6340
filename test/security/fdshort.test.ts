// A daemon out of file descriptors when a container exits: once it has descriptors
// again it records the real exit code (not 255 for "lost") and tears the network down
// (veth, network namespace, port rules) and unmounts its root, as it would have at once.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

function nofile(pid: number): string {
  const r = spawnSync("prlimit", ["--pid", String(pid), "--nofile", "--raw", "--noheadings", "-o", "SOFT,HARD"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`prlimit: ${r.stderr}`);
  return r.stdout.trim().split(/\s+/).join(":");
}

function setNofile(pid: number, limit: string): void {
  const r = spawnSync("prlimit", ["--pid", String(pid), `--nofile=${limit}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`prlimit --nofile=${limit}: ${r.stderr}`);
}

const mounted = (path: string) => readFileSync("/proc/self/mountinfo", "utf8").split("\n").some((l) => l.split(" ")[4] === path);

describe("out of descriptors when a container exits", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    if (d?.proc.pid) {
      try {
        setNofile(d.proc.pid, "1048576:1048576");
      } catch {}
    }
    await removeAllAndCleanup(d);
  });

  test("the exit code recorded is the real one and its veth, netns and port rules go", async () => {
    const run = docker(d, ["run", "-d", "-p", "127.0.0.1::80", "busybox", "sh", "-c", "sleep 2; exit 42"]);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim();
    const info = JSON.parse(docker(d, ["inspect", id]).stdout)[0];
    const sandbox: string = info.NetworkSettings.SandboxKey;
    const ip: string = info.NetworkSettings.IPAddress;
    const pid: number = info.State.Pid;
    const merged: string = info.GraphDriver.Data.MergedDir;
    expect(mounted(merged), "its root is mounted while it runs").toBe(true);
    expect(ip).not.toBe("");
    expect(mounted(sandbox), `the sandbox ${sandbox} is mounted while it runs`).toBe(true);
    const veths = () => spawnSync("ip", ["-o", "link", "show", "master", d.bridge], { encoding: "utf8" }).stdout.trim();
    const dnat = () => spawnSync("iptables-save", ["-t", "nat"], { encoding: "utf8" }).stdout.split("\n").filter((l) => l.includes(`${ip}:80`));
    expect(veths()).not.toBe("");
    expect(dnat().length).toBeGreaterThan(0);

    const daemonPid = d.proc.pid!;
    const saved = nofile(daemonPid);
    // A new descriptor takes the lowest free number, which must be below the limit: with
    // 0-2 taken, a limit of 3 fails every open, socket, pipe and spawn with EMFILE.
    expect(readdirSync(`/proc/${daemonPid}/fd`).length).toBeGreaterThan(3);
    setNofile(daemonPid, `3:${saved.split(":")[1]}`);
    try {
      // The container ends while the daemon cannot open anything, and stays so a while
      // (well past the second after which a vanished container counts as lost).
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await Bun.sleep(100);
      expect(existsSync(`/proc/${pid}`), "the container's process ended").toBe(false);
      await Bun.sleep(3000);
    } finally {
      setNofile(daemonPid, saved);
    }
    let status = "";
    for (let i = 0; i < 100; i++) {
      status = docker(d, ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id]).stdout.trim();
      if (status.startsWith("exited") && veths() === "" && !existsSync(sandbox)) break;
      await Bun.sleep(100);
    }
    expect(status, "the real exit code is recorded").toBe("exited 42");
    expect(veths(), "the container's veth is gone").toBe("");
    expect(mounted(sandbox), "its network namespace is unmounted").toBe(false);
    expect(existsSync(sandbox), "its network namespace file is gone").toBe(false);
    expect(dnat(), "its port rules are gone").toEqual([]);
    expect(mounted(merged), "its root is unmounted").toBe(false);
    // And the daemon serves on as before.
    expect(docker(d, ["run", "--rm", "busybox", "true"]).code).toBe(0);
    expect(docker(d, ["rm", id]).code).toBe(0);
  }, 60_000);
});
