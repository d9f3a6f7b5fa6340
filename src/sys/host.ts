// Facts about the host that /info reports, read from the kernel, not assumed.
import os from "node:os";
import { existsSync, readFileSync } from "node:fs";

export function osRelease(): { prettyName: string; versionId: string } {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    const get = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, "m").exec(text)?.[1] ?? "";
    return { prettyName: get("PRETTY_NAME") || "Linux", versionId: get("VERSION_ID") };
  } catch {
    return { prettyName: "Linux", versionId: "" };
  }
}

/** "1" when the v1 controllers are mounted (this kernel's default), "2" on a pure v2 host. */
export function cgroupVersion(): "1" | "2" {
  return existsSync("/sys/fs/cgroup/cgroup.controllers") ? "2" : "1";
}

export function architecture(): string {
  const m: Record<string, string> = { x64: "x86_64", arm64: "aarch64" };
  return m[os.arch()] ?? os.arch();
}

export function goArch(): string {
  const m: Record<string, string> = { x64: "amd64", arm64: "arm64" };
  return m[os.arch()] ?? os.arch();
}

export function ipv4Forwarding(): boolean {
  try {
    return readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim() === "1";
  } catch {
    return false;
  }
}

export const hostInfo = {
  ncpu: () => os.cpus().length,
  memTotal: () => os.totalmem(),
  kernelVersion: () => os.release(),
  hostname: () => os.hostname(),
};
