// `npm run release`: the release binaries, dist/wharf-linux-x64 (and dist/wharf-linux-arm64
// when Bun can cross-compile without fetching its arm64 runtime, or when
// WHARF_RELEASE_ARM64=1 allows the fetch), with dist/SHA256SUMS for `sha256sum -c`.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const host = process.arch === "arm64" ? "arm64" : "x64";

/** Bun keeps the runtimes it cross-compiles with here; without one it would download it. */
function runtimeCached(arch: "x64" | "arm64"): boolean {
  const cache = process.env.BUN_INSTALL_CACHE_DIR ?? join(process.env.BUN_INSTALL ?? join(homedir(), ".bun"), "install", "cache");
  return existsSync(join(cache, `bun-linux-${arch === "arm64" ? "aarch64" : "x64"}-v${Bun.version}`));
}

function build(arch: "x64" | "arm64"): string {
  const out = join(dist, `wharf-linux-${arch}`);
  rmSync(out, { force: true });
  const r = Bun.spawnSync([process.execPath, join(root, "build.ts"), `--target=bun-linux-${arch}`, `--outfile=${out}`], { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0 || !existsSync(out)) throw new Error(`building ${basename(out)} failed (exit ${r.exitCode})`);
  return out;
}

const built: string[] = [];
for (const arch of ["x64", "arm64"] as const) {
  if (arch !== host && !runtimeCached(arch) && process.env.WHARF_RELEASE_ARM64 !== "1") {
    console.log(`skipping wharf-linux-${arch}: Bun has no ${arch} runtime here and would download one (WHARF_RELEASE_ARM64=1 allows that)`);
    continue;
  }
  built.push(build(arch));
}
const sums = built.map((f) => `${createHash("sha256").update(readFileSync(f)).digest("hex")}  ${basename(f)}\n`).join("");
writeFileSync(join(dist, "SHA256SUMS"), sums);
process.stdout.write(`dist/SHA256SUMS:\n${sums}`);
