// A busybox root filesystem for runtime tests: the layer of the busybox fixture that
// real Docker saved, extracted with plain tar into a directory.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";

const fixture = resolve(import.meta.dirname, "../fixtures/busybox-docker-save.tar");
const layer = "acaca94dd9216e165e0209c800bdb011c3af7645eece841e34fb55fd8b919ff1/layer.tar";

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
}

/** Extracts the busybox layer into `dest` (made if missing). */
export function extractBusybox(dest: string): string {
  const tmp = mkdtempSync(join(tmpdir(), "wharf-bb-"));
  try {
    run(["tar", "-xf", fixture, "-C", tmp, layer]);
    run(["mkdir", "-p", dest]);
    run(["tar", "-xf", join(tmp, layer), "-C", dest]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dest;
}

/** Mount points the kernel lists under `dir` (a leak check after a test). */
export function mountsUnder(dir: string): string[] {
  const text = readFileSync("/proc/self/mountinfo", "utf8");
  return text
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((p) => p === dir || p.startsWith(dir + "/"));
}
