// `npm run demo` (scripts/demo.sh) on a machine where the default bridge name is taken:
// it picks its own bridge and subnet, shows the daemon's own error when the daemon
// fails, and leaves no folder, mount, bridge, chain or process either way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { requireBinary, root } from "../helpers/daemon.ts";

function demo(env: Record<string, string> = {}) {
  const r = spawnSync("bash", [join(root, "scripts/demo.sh")], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the demo's daemon (its folder, its bridge) could have left on the host. */
function leftovers(dir: string, bridge: string): string[] {
  const found: string[] = [];
  if (existsSync(dir)) found.push(`folder ${dir}`);
  if (spawnSync("ip", ["link", "show", bridge]).status === 0) found.push(`link ${bridge}`);
  for (const l of spawnSync("iptables-save", [], { encoding: "utf8" }).stdout.split("\n")) if (l.includes(`-${bridge}`)) found.push(`iptables ${l}`);
  for (const l of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) if (l.split(" ")[4]?.startsWith(dir)) found.push(`mount ${l.split(" ")[4]}`);
  for (const p of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, "utf8").includes(dir)) found.push(`process ${p}`);
    } catch {}
  }
  return found;
}

const started = (out: string) => {
  const m = /^demo: daemon on unix:\/\/(\S+)\/wharf\.sock, bridge (\S+), subnet (\S+)$/m.exec(out);
  if (!m) throw new Error(`the demo did not say where its daemon runs:\n${out}`);
  return { dir: m[1]!, bridge: m[2]!, subnet: m[3]! };
};

describe("npm run demo", () => {
  let heldDefault = false;
  beforeAll(() => {
    requireBinary();
    // Something else holds wharf0, as on a machine where another daemon runs.
    if (spawnSync("ip", ["link", "show", "wharf0"]).status !== 0) heldDefault = spawnSync("ip", ["link", "add", "wharf0", "type", "bridge"]).status === 0;
  });
  afterAll(() => {
    if (heldDefault) spawnSync("ip", ["link", "del", "wharf0"]);
  });

  it("runs its containers with the default bridge name taken, and leaves nothing behind", () => {
    expect(spawnSync("ip", ["link", "show", "wharf0"]).status).toBe(0);
    const r = demo();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { dir, bridge, subnet } = started(r.stdout);
    expect(bridge).not.toBe("wharf0");
    expect(r.stdout).toContain("server: wharf API 1.45\n");
    expect(r.stdout).toContain("Loaded image: busybox:latest\n");
    expect(r.stdout).toMatch(/^hello from a wharf container: pid 1, host [0-9a-f]{12}$/m);
    expect(r.stdout).toContain(`its address on the default bridge: ${subnet.replace(/\.1\/24$/, ".")}`);
    expect(leftovers(dir, bridge)).toEqual([]);
  });

  it("when its daemon fails, shows the daemon's own error (not docker's Cannot connect) and leaves nothing", () => {
    const held = `wth${randomBytes(3).toString("hex")}`;
    spawnSync("ip", ["link", "add", held, "type", "bridge"]);
    try {
      const r = demo({ WHARF_DEMO_DAEMON_ARGS: `--bridge ${held}` });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("demo: the wharf daemon failed; its output:");
      expect(r.stderr).toContain(`wharf daemon: failed to start: bridge ${held} already exists and is not this daemon's (not made by wharf)`);
      expect(r.stdout + r.stderr).not.toContain("Cannot connect");
      const { dir, bridge } = started(r.stdout);
      expect(leftovers(dir, bridge)).toEqual([]);
      expect(spawnSync("iptables-save", [], { encoding: "utf8" }).stdout).not.toContain(`-${held}`);
    } finally {
      spawnSync("ip", ["link", "del", held]);
    }
  });
});
