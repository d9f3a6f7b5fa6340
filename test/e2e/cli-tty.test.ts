// wharf run -it / exec -it under real pseudo-terminals: the window size is there from
// the first prompt, a resize reaches the container, ctrl-p ctrl-q detaches, the exit
// code comes back, and output carries single \r\n line ends (no doubled \r).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, wharfBin, type TestDaemon } from "../helpers/daemon.ts";
import { Tmux } from "../helpers/tmux.ts";

describe("wharf run -it under a pty", () => {
  let d: TestDaemon;
  let tmux: Tmux;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    tmux = new Tmux({ DOCKER_HOST: d.host });
  }, 60_000);
  afterAll(async () => {
    tmux?.kill();
    await removeAllAndCleanup(d);
  });

  it("stty size is the terminal's size at start, then follows a resize; exit code returns", async () => {
    tmux.open("a", `${wharfBin} run -it --rm busybox sh -c 'stty size; read x; stty size; read y; exit 5'`, { cols: 91, rows: 27 });
    await tmux.waitFor("a", /^27 91\s*$/m);
    tmux.resize("a", 73, 19);
    await Bun.sleep(300);
    tmux.type("a", "");
    await tmux.waitFor("a", /^19 73\s*$/m);
    tmux.type("a", "");
    await tmux.waitFor("a", /EXIT=5/);
  });

  it("ctrl-p ctrl-q detaches with exit 0 and the container runs on; attach gets it back", async () => {
    tmux.open("b", `${wharfBin} run -it --name ttyd busybox sh`);
    await tmux.waitFor("b", /^\/ #\s*$/m);
    tmux.keys("b", "C-p", "C-q");
    await tmux.waitFor("b", /EXIT=0/);
    expect(docker(d, ["inspect", "-f", "{{.State.Running}}", "ttyd"]).stdout.trim()).toBe("true");
    tmux.open("c", `${wharfBin} attach ttyd`);
    await Bun.sleep(300);
    tmux.type("c", "echo again-$((6*7)); exit 3");
    await tmux.waitFor("c", /again-42\s+EXIT=3/);
  });

  it("exec -it gets the terminal's size and its own exit code", async () => {
    docker(d, ["run", "-d", "--name", "ttyx", "busybox", "sleep", "300"]);
    tmux.open("e", `${wharfBin} exec -it ttyx sh -c 'stty size; exit 6'`);
    const size = tmux.run("display", "-p", "-t", "t:e", "#{window_height} #{window_width}").trim();
    await tmux.waitFor("e", new RegExp(`^${size}\\s*\\n.*EXIT=6`, "m"));
  });

  it("output through the pty has single \\r\\n line ends and no escape codes of wharf's own", async () => {
    // script's stdin stays open until the command ends: at EOF script writes an end-of-file
    // byte into the pty, which, arriving once the terminal is raw, goes to the container.
    const p = spawn("script", ["-qec", `${wharfBin} run -it --rm busybox sh -c 'echo one; echo two'`, "/dev/null"], {
      env: { ...process.env, DOCKER_HOST: d.host },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const chunks: Buffer[] = [];
    p.stdout!.on("data", (c: Buffer) => chunks.push(c));
    const status = await new Promise<number | null>((resolve) => p.on("close", (code) => resolve(code)));
    p.stdin!.end();
    const r = { status, stdout: Buffer.concat(chunks) };
    const out = r.stdout.toString("latin1");
    expect(r.status).toBe(0);
    expect(out).toContain("one\r\ntwo\r\n");
    expect(out).not.toContain("\r\r");
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/\x1b\[/);
  });
});
