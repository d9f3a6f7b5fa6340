// The runtime's files in a container's state dir. The monitor writes them; any daemon,
// including one started after a crash, reads them. Writes are atomic (temp + rename).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { ExitStatus } from "./types.ts";
import { isFdShortage } from "../sys/fds.ts";

export interface PidRecord {
  pid: number;
  /** Start time in clock ticks from /proc/PID/stat, so a reused pid is not mistaken. */
  startTime: number;
  startedAt: string;
}

export const files = {
  pid: (dir: string) => `${dir}/runtime-pid.json`,
  exit: (dir: string) => `${dir}/runtime-exit.json`,
  stdin: (dir: string) => `${dir}/stdin`,
};

export function writeAtomic(path: string, data: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(data));
  renameSync(tmp, path);
}

/** The record, or undefined when there is none; a read that could not be tried (no descriptor) throws, as that says nothing about the record. */
function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (err) {
    if (isFdShortage(err)) throw err;
    return undefined;
  }
}

export const readPid = (dir: string) => readJson<PidRecord>(files.pid(dir));
export const readExit = (dir: string) => readJson<ExitStatus>(files.exit(dir));

export function procStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22; the command name (field 2) may hold spaces, so count after its ')'.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  } catch (err) {
    if (isFdShortage(err)) throw err; // not a sign the process is gone
    return undefined;
  }
}

/** Is the recorded process still the one we started? */
export function pidAlive(rec: PidRecord | undefined): boolean {
  return !!rec && procStartTime(rec.pid) === rec.startTime;
}

export function clearRunFiles(dir: string): void {
  for (const f of [files.pid(dir), files.exit(dir), files.stdin(dir)]) rmSync(f, { force: true });
}

export function exists(path: string): boolean {
  return existsSync(path);
}
