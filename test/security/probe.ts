// Builds probe.c (static, so it runs in a busybox container) once per test file.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export function buildProbe(dir: string): string {
  const out = join(dir, "probe");
  const r = spawnSync("gcc", ["-static", "-O1", "-o", out, join(import.meta.dirname, "probe.c")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`gcc could not build the probe (.ci/run installs gcc and libc6-dev): ${r.error ?? r.stderr}`);
  return out;
}

/** "NAME ok" / "NAME errno N" lines as a map. */
export function probeResults(out: string): Record<string, string> {
  return Object.fromEntries(out.trim().split("\n").filter(Boolean).map((l) => {
    const [name, ...rest] = l.split(" ");
    return [name!, rest.join(" ")];
  }));
}
