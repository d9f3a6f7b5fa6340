// `wharf -d` checks what it needs before it makes anything, and names what is missing
// with the Debian package that provides it.
import { describe, expect, it, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, wharfBin } from "../helpers/daemon.ts";

const dir = mkdtempSync(join(tmpdir(), "wharf-prereqs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function which(cmd: string): string {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} is not installed here`);
  return r.stdout.trim();
}

function daemon(env: Record<string, string>, wrap: string[] = []) {
  const args = ["-d", "-H", `unix://${join(dir, "s.sock")}`, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), "--bridge", "wtprereq"];
  const [cmd, ...pre] = wrap.length ? wrap : [wharfBin];
  return spawnSync(cmd!, [...pre, ...(wrap.length ? [wharfBin] : []), ...args], { encoding: "utf8", env, timeout: 20_000 });
}

describe("daemon prerequisites", () => {
  it("names each missing command and its Debian package, and makes nothing", () => {
    requireBinary();
    // A PATH with every tool the daemon runs but iptables, iptables-restore and nsenter.
    const bin = join(dir, "bin");
    mkdirSync(bin);
    for (const c of ["ip", "unshare", "mount", "umount"]) symlinkSync(which(c), join(bin, c));
    const r = daemon({ PATH: bin });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.trim()).toBe(
      "wharf daemon: failed to start: missing prerequisites: iptables (Debian package iptables); iptables-restore (Debian package iptables); nsenter (Debian package util-linux)",
    );
    expect(existsSync(join(dir, "data"))).toBe(false);
    expect(existsSync(join(dir, "s.sock"))).toBe(false);
  });

  it("refuses to start without root", () => {
    requireBinary();
    const r = daemon({ PATH: process.env.PATH! }, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("missing prerequisites: root privileges (start wharf -d as root)");
    expect(existsSync(join(dir, "data"))).toBe(false);
  });
});
