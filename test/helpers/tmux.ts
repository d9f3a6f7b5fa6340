// A real terminal for interactive CLI tests: a private tmux server (its own -L socket)
// running one command, typed into with send-keys and read with capture-pane.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export class Tmux {
  readonly name = `wharf-test-${randomBytes(4).toString("hex")}`;

  constructor(private readonly env: Record<string, string>) {}

  run(...args: string[]) {
    const r = spawnSync("tmux", ["-L", this.name, ...args], { encoding: "utf8", timeout: 10_000 });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  /** A new window named `window` (a new server for the first) running `command` under sh. */
  open(window: string, command: string, size = { cols: 100, rows: 30 }): void {
    const env = Object.entries(this.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    // --foreground: the CLI must be in the terminal's foreground group to set raw mode.
    // The shell stays afterwards so the exit code can be read off the pane.
    const cmd = `timeout --foreground -s KILL 120 ${command}; echo EXIT=$?; sleep 120`;
    const first = spawnSync("tmux", ["-L", this.name, "has-session"], { encoding: "utf8" }).status !== 0;
    if (first) this.run("new-session", "-d", "-s", "t", "-n", window, "-x", String(size.cols), "-y", String(size.rows), ...env, cmd);
    else this.run("new-window", "-d", "-t", "t", "-n", window, ...env, cmd);
  }

  keys(window: string, ...keys: string[]): void {
    this.run("send-keys", "-t", `t:${window}`, ...keys);
  }

  /** Types a line and presses Enter. */
  type(window: string, line: string): void {
    this.run("send-keys", "-t", `t:${window}`, "-l", line);
    this.run("send-keys", "-t", `t:${window}`, "Enter");
  }

  screen(window: string): string {
    return this.run("capture-pane", "-p", "-t", `t:${window}`, "-S", "-200");
  }

  /** Waits until the window's text matches; throws with the screen when it does not in time. */
  async waitFor(window: string, re: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    let text = "";
    while (Date.now() < end) {
      text = this.screen(window);
      const m = text.match(re);
      if (m) return m;
      await Bun.sleep(50);
    }
    throw new Error(`timed out waiting for ${re} in window ${window}; screen:\n${text}`);
  }

  resize(window: string, cols: number, rows: number): void {
    this.run("resize-window", "-t", `t:${window}`, "-x", String(cols), "-y", String(rows));
  }

  kill(): void {
    spawnSync("tmux", ["-L", this.name, "kill-server"], { encoding: "utf8", timeout: 10_000 });
  }
}
