// wharf build on a terminal (a real pty from tmux) is compact: one line per step with
// "(cached)" where the cache gave it, the RUN's output, the result, and none of the
// ` ---> id` or intermediate-container lines; piped, it prints the classic lines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { loadBusybox, removeAllAndCleanup, startDaemon, wharfBin, type TestDaemon } from "../helpers/daemon.ts";
import { Tmux } from "../helpers/tmux.ts";

describe("wharf build output", () => {
  let d: TestDaemon;
  let tmux: Tmux;
  let ctx: string;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    tmux = new Tmux({ DOCKER_HOST: d.host });
    ctx = mkdtempSync(join(tmpdir(), "wharf-build-tty-"));
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox\nENV A=1\nRUN echo hello-from-run\nCMD [\"true\"]\n");
  }, 60_000);
  afterAll(async () => {
    tmux?.kill();
    await removeAllAndCleanup(d);
    rmSync(ctx, { recursive: true, force: true });
  });

  it("on a terminal: one line per step, (cached) on a rebuild, the RUN output, no ---> lines", async () => {
    tmux.open("a", `${wharfBin} build -t tty/built ${ctx}`, { cols: 120, rows: 40 });
    const screen = (await tmux.waitFor("a", /EXIT=\d+/, 60_000)).input!;
    const lines = screen.split("\n").map((l) => l.trimEnd()).filter(Boolean);
    expect(lines.slice(0, 6)).toEqual(["Step 1/4 : FROM busybox", "Step 2/4 : ENV A=1", "Step 3/4 : RUN echo hello-from-run", "hello-from-run", "Step 4/4 : CMD [\"true\"]", lines[5]]);
    expect(lines[5]).toMatch(/^Successfully built [0-9a-f]{12}$/);
    expect(lines).toContain("Successfully tagged tty/built:latest");
    expect(lines).toContain("EXIT=0");
    expect(screen).not.toContain("--->");
    expect(screen).not.toContain("Removing intermediate container");

    tmux.open("b", `${wharfBin} build -t tty/built ${ctx}`, { cols: 120, rows: 40 });
    const again = (await tmux.waitFor("b", /EXIT=\d+/, 60_000)).input!;
    const l2 = again.split("\n").map((l) => l.trimEnd()).filter(Boolean);
    expect(l2.slice(0, 4)).toEqual(["Step 1/4 : FROM busybox", "Step 2/4 : ENV A=1 (cached)", "Step 3/4 : RUN echo hello-from-run (cached)", "Step 4/4 : CMD [\"true\"] (cached)"]);
  });

  it("piped: the classic builder's lines", () => {
    const r = spawnSync(wharfBin, ["-H", d.host, "build", "--no-cache", ctx], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Step 1/4 : FROM busybox\n ---> d6240d91e29b\n");
    expect(r.stdout).toMatch(/Step 3\/4 : RUN echo hello-from-run\n ---> Running in [0-9a-f]{12}\nhello-from-run\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
  });
});
