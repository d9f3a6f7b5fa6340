// The exec helper (dockerinit joining a running container for `docker exec`) as a
// process inside the container sees it: non-dumpable from before it joins, so it can
// be neither ptraced nor have its /proc/N/exe opened, and it runs from a sealed memfd
// copy of wharf, never the host binary (runc's answer to CVE-2019-5736).
import { afterAll, beforeAll, expect, test } from "vitest";
import { readdirSync, readlinkSync } from "node:fs";
import { spawn } from "node:child_process";
import { docker, dockerCli, loadBusybox, readPid, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { join } from "node:path";
import { buildProbe } from "./probe.ts";

let d: TestDaemon;
let probe: string;

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
  probe = buildProbe(d.dir);
});
afterAll(async () => removeAllAndCleanup(d));

test("a container process watching during 30 docker execs can neither ptrace the helper nor open its exe", async () => {
  const name = "sealed-exec";
  expect(docker(d, ["run", "-d", "--name", name, "-v", `${probe}:/probe:ro`, "busybox", "sleep", "300"]).code).toBe(0);
  // The watcher runs in the container for 6 s while execs come and go.
  const watcher = spawn(dockerCli(), ["exec", name, "/probe", "watch", "6"], { env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") } });
  let out = "";
  watcher.stdout.on("data", (c) => (out += c));
  const done = new Promise<void>((r) => watcher.on("exit", () => r()));
  await Bun.sleep(500);
  for (let i = 0; i < 30; i++) expect(docker(d, ["exec", name, "true"]).code).toBe(0);
  await done;
  const m = /seen (\d+) exe_opened (\d+) exe_denied (\d+) attached (\d+) attach_denied (\d+) exec_raced (\d+) exe_raced (\d+)/.exec(out);
  expect(m, out).not.toBeNull();
  const [, seen, exeOpened, exeDenied, attached, attachDenied, , exeRaced] = m!.map(Number);
  expect(seen).toBeGreaterThan(0); // it did catch helpers in the act
  expect(exeOpened).toBe(0);
  // Every open either was refused or reached the command the helper had become.
  expect(exeDenied + exeRaced).toBe(seen);
  expect(exeDenied).toBeGreaterThan(0);
  expect(attached).toBe(0);
  expect(attachDenied).toBeGreaterThan(0);
  // The container and its execs still work after all that.
  expect(docker(d, ["exec", name, "echo", "fine"]).stdout.trim()).toBe("fine");
  docker(d, ["rm", "-f", name]);
});

test("the daemon execs helpers from a sealed memfd, not from its binary on disk", () => {
  const name = "sealed-exec2";
  docker(d, ["run", "-d", "--name", name, "busybox", "sleep", "300"]);
  expect(docker(d, ["exec", name, "true"]).code).toBe(0);
  const pid = readPid(d.pidfile);
  const links = readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return "";
    }
  });
  expect(links).toContain("/memfd:wharf-dockerinit (deleted)");
  docker(d, ["rm", "-f", name]);
});
