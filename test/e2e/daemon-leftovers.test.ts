// A daemon that stops with no container leaves no process behind (monitor, pre-started
// dockerinit), and SIGTERM to the monitor ends it without losing a running container's
// exit code.
import { afterEach, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { docker, loadBusybox, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

/** Processes whose command line names the daemon's directory (monitor, dockerinit, containers' inits). */
function processesOf(d: TestDaemon): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      if (cmd.includes(d.dir) && Number(p) !== d.proc.pid) out.push({ pid: Number(p), cmd });
    } catch {}
  }
  return out;
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

describe("what a stopped daemon leaves running", () => {
  it("nothing, once it has run a container and stops with none", async () => {
    d = await startDaemon();
    loadBusybox(d);
    expect(docker(d, ["run", "--rm", "--network", "none", "busybox", "true"]).code).toBe(0);
    const helpers = processesOf(d);
    expect(helpers.some((p) => p.cmd.startsWith("wharf-monitor"))).toBe(true);
    expect(await d.stop()).toBe(0);
    expect(processesOf(d)).toEqual([]);
  });

  it("SIGTERM to the monitor waits for its running container, records its exit code, then ends it", async () => {
    d = await startDaemon();
    loadBusybox(d);
    const id = docker(d, ["run", "-d", "--network", "none", "busybox", "sh", "-c", "sleep 1; exit 7"]).stdout.trim();
    const monitor = processesOf(d).find((p) => p.cmd.startsWith("wharf-monitor"))!;
    expect(monitor).toBeDefined();
    process.kill(monitor.pid, "SIGTERM");
    await Bun.sleep(200);
    // Draining: the container is still running and the monitor still there.
    expect(docker(d, ["inspect", "-f", "{{.State.Running}}", id]).stdout.trim()).toBe("true");
    expect(processesOf(d).some((p) => p.pid === monitor.pid)).toBe(true);
    expect(docker(d, ["wait", id]).stdout.trim()).toBe("7");
    await until("the monitor to end", () => !processesOf(d!).some((p) => p.pid === monitor.pid));
    // A later container gets a new monitor.
    expect(docker(d, ["run", "--rm", "--network", "none", "busybox", "true"]).code).toBe(0);
  });
});
