// Host commands run to their end (ip, iptables-restore, mount, cp, ps, stty): one way to
// spawn them, with a deadline, so a wedged tool cannot hang a daemon verb, and one
// error that quotes the command line and what it said on stderr. Children that live on
// (the monitor, container inits, exec helpers, terminal pumps, streaming filters) are
// spawned where they are managed, not here.
import { systemError } from "../errors.ts";

export interface CommandOptions {
  /** Its stdin; none: /dev/null. `inherit` (sync only): our own stdin, a terminal. */
  input?: string | Uint8Array;
  cwd?: string;
  /** Its whole environment; none: ours. */
  env?: Record<string, string>;
  /** Killed (SIGKILL) after this long; the error then says so. */
  timeoutMs?: number;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Long enough for iptables waiting on the xtables lock, short enough to notice a hang. */
export const defaultTimeoutMs = 60_000;

/** The command line as a shell would take it back: words with spaces or quotes quoted. */
export function quoteCommand(argv: readonly string[]): string {
  return argv.map((a) => (a !== "" && /^[\w@%+=:,./-]+$/.test(a) ? a : "'" + a.replaceAll("'", "'\\''") + "'")).join(" ");
}

function inputNote(input: CommandOptions["input"]): string {
  if (typeof input !== "string" || !input.trim()) return "";
  return ` (input: ${input.trim().split("\n").slice(0, 6).join("; ")})`;
}

/** The error of a command that failed: the command, how it ended, and its own words. */
export function commandError(argv: readonly string[], how: string, output: string, input?: CommandOptions["input"]): Error {
  const said = output.trim();
  return systemError(`${quoteCommand(argv)} ${how}${said ? `: ${said}` : ""}${inputNote(input)}`);
}

/**
 * Runs a host command to its end and returns its exit code and output; a nonzero exit
 * is the caller's to judge. Not starting (no such binary) or the deadline passing throws.
 */
export async function runCommand(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  let proc;
  try {
    proc = Bun.spawn([...argv], {
      cwd: opts.cwd,
      env: opts.env,
      stdin: opts.input === undefined ? "ignore" : typeof opts.input === "string" ? new TextEncoder().encode(opts.input) : opts.input,
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (err) {
    throw commandError(argv, "could not start", (err as Error).message);
  }
  let timedOut = false;
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        proc.kill("SIGKILL");
      }, timeoutMs)
    : undefined;
  try {
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (timedOut) throw commandError(argv, `timed out after ${timeoutMs} ms`, stderr, opts.input);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** A host command that must succeed: returns its stdout; a nonzero exit throws, quoting its stderr (or stdout). */
export async function mustRun(argv: readonly string[], opts: CommandOptions = {}): Promise<string> {
  const r = await runCommand(argv, opts);
  if (r.code !== 0) throw commandError(argv, `failed (exit ${r.code})`, r.stderr || r.stdout, opts.input);
  return r.stdout;
}

/** runCommand for the client's few synchronous needs (stty on its own terminal). */
export function runCommandSync(argv: readonly string[], opts: Omit<CommandOptions, "input"> & { input?: CommandOptions["input"] | "inherit" } = {}): CommandResult {
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  let r;
  try {
    r = Bun.spawnSync([...argv], {
      cwd: opts.cwd,
      env: opts.env,
      stdin: opts.input === undefined ? "ignore" : opts.input === "inherit" ? "inherit" : typeof opts.input === "string" ? new TextEncoder().encode(opts.input) : opts.input,
      stdout: "pipe",
      stderr: "pipe",
      timeout: Number.isFinite(timeoutMs) ? timeoutMs : undefined,
      killSignal: "SIGKILL",
    });
  } catch (err) {
    throw commandError(argv, "could not start", (err as Error).message);
  }
  const stderr = r.stderr?.toString() ?? "";
  if (r.exitedDueToTimeout) throw commandError(argv, `timed out after ${timeoutMs} ms`, stderr);
  return { code: r.exitCode ?? -1, stdout: r.stdout?.toString() ?? "", stderr };
}
