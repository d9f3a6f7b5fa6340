// The Docker SDK for Python (docker 7.1) against wharf: test/clients/python_sdk.py makes
// the calls its users make and reports each check by name; every check must pass.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { loadBusybox, removeAllAndCleanup, root, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

const script = resolve(root, "test/clients/python_sdk.py");
const checks = [
  "ping_version_info", "run_and_logs", "create_start_wait_logs", "detached_logs_stream", "attach_before_wait",
  "exec_run", "exec_low_level", "kill_signal_remove", "archive", "archive_mounts", "wait_restart_policy", "runtime",
  "networks", "volumes", "images", "image_prune_reclaims", "container_prune", "swarm_and_plugins", "container_misc",
  "attach_socket_stdin", "auto_remove", "run_options", "df",
];

interface Result { check: string; ok: boolean; error?: string }

function runScript(d: TestDaemon): Promise<{ results: Map<string, Result>; output: string }> {
  return new Promise((res, rej) => {
    const p = spawn("python3", [script], {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (err += c));
    const timer = setTimeout(() => p.kill("SIGKILL"), 400_000);
    p.on("error", rej);
    p.on("exit", () => {
      clearTimeout(timer);
      const results = new Map<string, Result>();
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        const r = JSON.parse(line) as Result;
        results.set(r.check, r);
      }
      res({ results, output: out + err });
    });
  });
}

describe("Docker SDK for Python 7.1 against wharf", () => {
  let d: TestDaemon;
  let run: { results: Map<string, Result>; output: string };
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    run = await runScript(d);
  }, 420_000);
  afterAll(async () => {
    await removeAllAndCleanup(d);
  });

  it("reports exactly the checks this file expects", () => {
    expect([...run.results.keys()].sort(), run.output).toEqual([...checks].sort());
  });

  it.each(checks)("%s", (name) => {
    const r = run.results.get(name);
    expect(r, `no result for ${name}:\n${run.output}`).toBeDefined();
    expect(r!.ok, r!.error).toBe(true);
  });
});
