// The build cache as docker system df and docker builder prune show it: a cached step's
// size is the layer it added, it is shared while a tagged image holds it; prune without
// --all takes only unshared records, --keep-storage stops once the rest fits, filters
// select, --all takes everything and the tagged image still runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface Row {
  ID: string;
  Type: string;
  Description: string;
  Shared: boolean;
  InUse: boolean;
  Size: number;
  LastUsedAt: string;
  UsageCount: number;
}

const MiB = 1 << 20;

describe("build cache: system df and builder prune", () => {
  let d: TestDaemon;
  let work: string;
  const rows = (): Row[] => JSON.parse(spawnSync("curl", ["-s", "--unix-socket", d.sock, "http://x/v1.45/system/df"], { encoding: "utf8" }).stdout).BuildCache;
  const copyRows = () => rows().filter((r) => r.Description.includes("#(nop) COPY"));
  /** A context whose COPY adds `mib` MiB of random bytes; `fail` makes the RUN after it fail. */
  const context = (name: string, mib: number, fail: boolean): string => {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "blob"), randomBytes(mib * MiB));
    writeFileSync(join(dir, "Dockerfile"), `FROM busybox\nENV N=${name}\nCOPY blob /blob\nRUN ${fail ? "exit 7" : "true"}\n`);
    return dir;
  };
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "wharf-build-cache-"));
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
    rmSync(work, { recursive: true, force: true });
  });

  it("system df: a COPY step's record is the size of its layer, shared while the tagged image holds it; config steps are 0", () => {
    ok(docker(d, ["build", "-t", "bc/kept", context("kept", 2, false)]));
    const copy = copyRows();
    expect(copy).toHaveLength(1);
    expect(copy[0]!.Size).toBeGreaterThanOrEqual(2 * MiB);
    expect(copy[0]!.Size).toBeLessThan(3 * MiB);
    expect(copy[0]!.Shared).toBe(true);
    expect(copy[0]!.InUse).toBe(false);
    expect(Date.parse(copy[0]!.LastUsedAt)).toBeGreaterThan(Date.now() - 120_000);
    expect(rows().find((r) => r.Description.includes("ENV N=kept"))!.Size).toBe(0);
    const df = ok(docker(d, ["system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Size}}|{{.Reclaimable}}"]));
    const line = df.split("\n").find((l) => l.startsWith("Build Cache|"))!;
    // The docker CLI sums only unshared records into the size (shared ones are the images'): all are shared here.
    expect(line).toBe(`Build Cache|${rows().length}|0B|0B`);
    // A cache hit counts as a use.
    ok(docker(d, ["build", "-t", "bc/kept", join(work, "kept")]));
    expect(copyRows()[0]!.UsageCount).toBe(2);
  });

  it("a failed build's steps are unshared: --keep-storage keeps the newest that fit, filters select, prune without -a spares shared ones", async () => {
    expect(docker(d, ["build", context("old", 3, true)]).code).toBe(7);
    await Bun.sleep(1100);
    expect(docker(d, ["build", context("new", 3, true)]).code).toBe(7);
    ok(docker(d, ["container", "prune", "-f"]));
    const unshared = copyRows().filter((r) => !r.Shared);
    expect(unshared).toHaveLength(2);
    expect(ok(docker(d, ["system", "df", "--format", "{{.Type}}|{{.Size}}|{{.Reclaimable}}"]))).toMatch(/Build Cache\|6\.\d+MB\|6\.\d+MB/);

    // Everything (2 + 3 + 3 MiB) fits in 100 MB: nothing goes.
    expect(ok(docker(d, ["builder", "prune", "-f", "--keep-storage", "100MB"]))).toContain("Total reclaimed space: 0B");
    // A filter that selects no regular record takes none of them.
    ok(docker(d, ["builder", "prune", "-f", "--filter", "type=exec.cachemount"]));
    expect(copyRows()).toHaveLength(3);
    // 6 MB kept: the older unshared record goes (8.4 MB → 5.2 MB), the newer stays.
    const kept = ok(docker(d, ["builder", "prune", "-f", "--keep-storage", "6MB"]));
    expect(kept).toMatch(/Total reclaimed space: 3\.\d+MB/);
    const left = copyRows();
    expect(left.filter((r) => !r.Shared).map((r) => r.Description)).toHaveLength(1);
    expect(left.some((r) => r.Shared)).toBe(true);
    // Without -a, shared records stay; the unshared one goes.
    expect(ok(docker(d, ["builder", "prune", "-f"]))).toMatch(/Total reclaimed space: 3\.\d+MB/);
    expect(copyRows().map((r) => r.Shared)).toEqual([true]);
    // A rebuild of the new context cannot use what was pruned: its COPY runs again.
    const again = docker(d, ["build", join(work, "new")]);
    expect(again.stdout.split("Step 3/4")[1]).not.toContain("Using cache");
    ok(docker(d, ["container", "prune", "-f"]));
  });

  it("filters: unknown ones are refused; -a takes every record, and the tagged image still runs", () => {
    const bad = docker(d, ["builder", "prune", "-f", "--filter", "colour=blue"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("colour");
    ok(docker(d, ["builder", "prune", "-af"]));
    expect(rows()).toEqual([]);
    expect(ok(docker(d, ["run", "--rm", "bc/kept", "sh", "-c", "wc -c < /blob"])).trim()).toBe(String(2 * MiB));
  });
});
