// Finding the command in the container's PATH and turning exec failures into Docker's
// exit codes and messages: 127 not found, 126 not executable, 125 anything else.
import { accessSync, constants, statSync } from "node:fs";
import { ErrnoError } from "../sys/libc.ts";

export class ExecFailure extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

const ENOENT = 2, EACCES = 13, ENOEXEC = 8, ENOTDIR = 20, EPERM = 1;

/** The path to exec, as Go's exec.LookPath would find it with this PATH. */
export function lookPath(cmd: string, pathEnv: string): string {
  if (cmd === "") throw new ExecFailure(`exec: "": executable file not found in $PATH`, 127);
  if (cmd.includes("/")) {
    try {
      if (statSync(cmd).isDirectory()) throw new ExecFailure(`exec: "${cmd}": is a directory`, 126);
    } catch (e) {
      if (e instanceof ExecFailure) throw e;
      throw new ExecFailure(`exec: "${cmd}": stat ${cmd}: no such file or directory`, 127);
    }
    return cmd;
  }
  let sawNonExecutable = "";
  for (const dir of pathEnv.split(":")) {
    const p = `${dir || "."}/${cmd}`;
    try {
      if (!statSync(p).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      sawNonExecutable ||= p;
    }
  }
  if (sawNonExecutable) throw new ExecFailure(`exec: "${cmd}": permission denied`, 126);
  throw new ExecFailure(`exec: "${cmd}": executable file not found in $PATH`, 127);
}

export function execFailureFromErrno(cmd: string, err: unknown): ExecFailure {
  if (err instanceof ErrnoError) {
    if (err.errno === ENOENT || err.errno === ENOTDIR) return new ExecFailure(`exec: "${cmd}": no such file or directory`, 127);
    if (err.errno === EACCES || err.errno === EPERM) return new ExecFailure(`exec: "${cmd}": permission denied`, 126);
    if (err.errno === ENOEXEC) return new ExecFailure(`exec: "${cmd}": exec format error`, 126);
  }
  return new ExecFailure(`exec: "${cmd}": ${err instanceof Error ? err.message : String(err)}`, 126);
}

/** PATH, HOSTNAME and HOME added when the spec did not set them, as Docker does. */
export function buildEnv(env: string[], hostname: string, home: string, defaultPath: string): string[] {
  const out = [...env];
  const has = (k: string) => out.some((e) => e.startsWith(k + "="));
  if (!has("PATH")) out.unshift(`PATH=${defaultPath}`);
  if (!has("HOSTNAME")) out.push(`HOSTNAME=${hostname}`);
  if (!has("HOME")) out.push(`HOME=${home}`);
  return out;
}
