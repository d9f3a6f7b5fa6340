// Every command and group of the wharf client answers --help (and -h where the command
// leaves -h free) with its usage and flags, exit 0; errors are worded as the docker CLI
// words them, once, with docker's exit codes. No daemon is needed for any of this.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { requireBinary, wharfBin } from "../helpers/daemon.ts";
import { commands, type CommandDef } from "../../src/cli/tree.ts";
import { compileFlags } from "../../src/cli/flags.ts";

const noDaemon = { ...process.env, DOCKER_HOST: "unix:///nonexistent/wharf.sock" };
function w(args: string[], env: Record<string, string | undefined> = noDaemon) {
  const r = spawnSync(wharfBin, args, { encoding: "utf8", env, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function allPaths(): [string, CommandDef][] {
  const out: [string, CommandDef][] = [];
  for (const [n, d] of Object.entries(commands)) {
    out.push([n, d]);
    for (const [s, sd] of Object.entries(d.sub ?? {})) out.push([`${n} ${s}`, sd]);
  }
  return out;
}

describe("wharf --help on every command", () => {
  requireBinary();
  const paths = allPaths();

  it("covers the whole tree the daemon serves, management groups included", () => {
    const names = paths.map(([p]) => p);
    for (const p of ["ps", "run", "events", "system df", "system prune", "system info", "system events", "container ls", "image ls", "network inspect", "volume inspect", "login", "logout", "pull", "push", "search", "completion"]) {
      expect(names).toContain(p);
    }
    expect(paths.length).toBeGreaterThan(90);
  });

  it("prints usage, description and every flag with exit 0, for each of them", () => {
    for (const [path, def] of paths) {
      const r = w([...path.split(" "), "--help"]);
      expect(r.code, `${path} --help: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout.startsWith(`Usage:  wharf ${path} ${def.use}\n\n${def.desc}\n`), `${path}:\n${r.stdout}`).toBe(true);
      if (def.sub) expect(r.stdout).toContain(`Run 'wharf ${path} COMMAND --help' for more information on a command.`);
      for (const f of compileFlags(def.flags ?? []).filter((f) => !f.hidden)) {
        expect(r.stdout, `${path} lists --${f.name}`).toMatch(new RegExp(`${f.short ? `-${f.short}, ` : "    "}--${f.name}\\b`));
        if (f.def) expect(r.stdout.replace(/\s+/g, " "), `${path} --${f.name} default`).toContain(`(default ${f.def})`);
      }
      // -h is help too, unless the command uses -h itself (run's --hostname).
      if (!compileFlags(def.flags ?? []).some((f) => f.short === "h")) expect(w([...path.split(" "), "-h"]).stdout).toBe(r.stdout);
    }
  });

  it("lays flags out as the docker CLI does (ps --help is docker's, names aside)", () => {
    const r = w(["ps", "--help"]);
    expect(r.stdout).toContain("  -a, --all             Show all containers (default shows just running)\n");
    expect(r.stdout).toContain("  -n, --last int        Show n last created containers (includes all\n                        states) (default -1)\n");
    expect(r.stdout).toContain("Aliases:\n  wharf container ls, wharf container list, wharf container ps, wharf ps\n");
    expect(w(["network", "create", "--help"]).stdout).toMatch(/-d, --driver string\s+Driver to manage the Network \(default "bridge"\)/);
    expect(w(["run", "--help"]).stdout.replace(/\s+/g, " ")).toContain("--sig-proxy Proxy received signals to the process (default true)");
  });

  it("top-level help lists -d, -H, the management groups, system and events; exit 0; no ANSI into a pipe", () => {
    for (const args of [[], ["--help"], ["-h"], ["help"]]) {
      const r = w(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage:  wharf \[OPTIONS\] COMMAND\n/);
      expect(r.stdout).toMatch(/-d, --daemon/);
      expect(r.stdout).toMatch(/-H, --host list/);
      expect(r.stdout).toMatch(/^  system {6}Manage wharf$/m);
      expect(r.stdout).toMatch(/^  events {6}Get real time events from the server$/m);
      expect(r.stdout).toMatch(/^Management Commands:\n  container/m);
      // eslint-disable-next-line no-control-regex
      expect(r.stdout).not.toMatch(/\x1b\[/);
    }
    expect(w(["help", "ps"]).stdout).toBe(w(["ps", "--help"]).stdout);
    expect(w(["--version"]).stdout).toMatch(/^wharf version \d+\.\d+\.\d+, build \S+\n$/);
  });

  it("group without a command prints its help; unknown commands and flags are docker's errors", () => {
    const g = w(["container"]);
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/^Usage:  wharf container COMMAND\n\nManage containers\n\nCommands:\n  attach /);
    expect(w(["foo"])).toEqual({ code: 1, stdout: "", stderr: "wharf: unknown command: wharf foo\n\nRun 'wharf --help' for more information\n" });
    expect(w(["container", "foo"])).toEqual({ code: 1, stdout: "", stderr: "wharf: unknown command: wharf container foo\n\nRun 'wharf container --help' for more information\n" });
    expect(w(["run", "--bogus", "busybox"])).toEqual({ code: 125, stdout: "", stderr: "unknown flag: --bogus\nSee 'wharf run --help'.\n" });
    expect(w(["ps", "-Z"])).toEqual({ code: 125, stdout: "", stderr: "unknown shorthand flag: 'Z' in -Z\nSee 'wharf ps --help'.\n" });
    expect(w(["--bogus", "ps"]).code).toBe(125);
    expect(w(["logs", "--tail"]).stderr).toBe("flag needs an argument: --tail\nSee 'wharf logs --help'.\n");
  });

  it("argument counts: docker's sentence and the See line once, then usage; exit 1", () => {
    const r = w(["run"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `"wharf run" requires at least 1 argument.\nSee 'wharf run --help'.\n\nUsage:  wharf run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nCreate and run a new container from an image\n`,
    );
    expect(r.stderr.match(/See 'wharf run --help'/g)).toHaveLength(1);
    expect(w(["ps", "x"]).stderr).toMatch(/^"wharf ps" accepts no arguments\.\nSee 'wharf ps --help'\./);
    expect(w(["logs"]).stderr).toMatch(/^"wharf logs" requires exactly 1 argument\./);
    expect(w(["container", "rename", "a"]).stderr).toMatch(/^"wharf container rename" requires exactly 2 arguments\./);
    expect(w(["port"]).stderr).toMatch(/^"wharf port" requires at least 1 and at most 2 arguments\./);
    expect(w(["exec", "c"]).stderr).toMatch(/^"wharf exec" requires at least 2 arguments\./);
  });

  it("options after the image belong to the container's command: run busybox ls --help is not wharf's help", () => {
    // Without a daemon the request fails, which proves the flags were not taken as wharf's.
    const r = w(["run", "--rm", "busybox", "ls", "--help", "-h"]);
    expect(r.stdout).not.toContain("Usage:");
    expect(r.stderr).toMatch(/Cannot connect to the wharf daemon at unix:\/\/\/nonexistent\/wharf.sock/);
    expect(r.code).toBe(1);
  });

  it("completion scripts for bash, zsh and fish know the commands and their flags", () => {
    const bash = w(["completion", "bash"]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -F _wharf wharf");
    expect(bash.stdout).toMatch(/"system df"\) words_="--format --verbose -v --help"/);
    const check = spawnSync("bash", ["-n"], { input: bash.stdout, encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    // The bash function completes `wharf system d` to df.
    const probe = spawnSync("bash", ["-c", `${bash.stdout}\nCOMP_WORDS=(wharf system d); COMP_CWORD=2; _wharf; echo "\${COMPREPLY[@]}"`], { encoding: "utf8" });
    expect(probe.stdout.trim()).toBe("df");
    expect(w(["completion", "zsh"]).stdout).toMatch(/^#compdef wharf\n/);
    const fish = w(["completion", "fish"]).stdout;
    expect(fish).toContain("complete -c wharf -n \"__fish_seen_subcommand_from ps\" -l all -s a -d 'Show all containers (default shows just running)'");
    expect(w(["completion", "tcsh"]).code).toBe(1);
  });

  it("-H, DOCKER_HOST and --context name where the client connects; bad values are refused", () => {
    expect(w(["-H", "unix:///nowhere/x.sock", "ps"]).stderr).toBe("Cannot connect to the wharf daemon at unix:///nowhere/x.sock. Is the wharf daemon running?\n");
    expect(w(["ps"], { ...process.env, DOCKER_HOST: "unix:///nowhere/y.sock" }).stderr).toMatch(/unix:\/\/\/nowhere\/y.sock/);
    expect(w(["-H", "ftp://x", "ps"]).code).toBe(1);
    expect(w(["--context", "other", "ps"]).stderr).toMatch(/context "other": context not found/);
    expect(w(["-H", "unix:///a", "-H", "unix:///b", "ps"])).toEqual({ code: 1, stdout: "", stderr: "Failed to initialize: unable to resolve docker endpoint: Specify only one -H\n" });
    expect(w(["-H", "unix:///a", "--context", "default", "ps"]).stderr).toBe("conflicting options: cannot specify both --host and --context\n");
    expect(w(["ps"], { ...noDaemon, DOCKER_API_VERSION: "one" }).stderr).toMatch(/invalid DOCKER_API_VERSION/);
  });
});
