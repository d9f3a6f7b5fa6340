// Spawning a process inside a running container (docker exec). The process is the
// daemon's child: dockerinit in exec mode, spawned with this thread's pid namespace
// for children set to the container's, so it is born inside it; it then joins the
// container's cgroup and other namespaces itself (see init/execmode.ts).
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { constants } from "node:os";
import type { Subprocess } from "bun";
import { openpty, openptyAt, pipe, setns, setWinsize } from "../sys/libc.ts";
import { initPipeEnv, initStatusEnv, initTokenEnv, type InitConfig } from "../init/config.ts";
import type { InitStatusServer, InitOutcome } from "./initstatus.ts";
import type { ContainerSpec } from "./types.ts";
import { sealedBinary } from "./sealedexe.ts";

const CLONE_NEWPID = 0x20000000;

export interface ExecSpawnOptions {
  /** Host pid of the container's PID 1. */
  target: number;
  /** The command that runs the wharf binary as dockerinit (reexec.selfCommand). */
  binary: { cmd: string[]; argv0: string };
  status: InitStatusServer;
  /** What to run: args, env, cwd, user, capabilities, tty. */
  spec: ContainerSpec;
  stdin: boolean;
  /** Initial terminal size [rows, cols], with a TTY. */
  consoleSize?: [number, number];
  /** Nobody reads the output (a detached exec without a TTY). */
  quiet?: boolean;
}

export interface SpawnedExec {
  proc: Subprocess<"pipe" | "ignore" | number, "pipe" | "ignore" | number, "pipe" | "ignore" | number>;
  /** The terminal's master, with a TTY (the caller owns it). */
  master?: number;
  /** Resolves once the command runs (pid) or could not start (error, exitCode). */
  started: Promise<InitOutcome>;
}

/** Host cgroup.procs files of every hierarchy `pid` is in, from the host's view of /proc. */
export function cgroupProcsOf(pid: number, root = "/sys/fs/cgroup"): string[] {
  const out: string[] = [];
  const v2 = existsSync(`${root}/cgroup.controllers`);
  for (const line of readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, , ctl, path] = m;
    let dir: string;
    if (v2) dir = root;
    else if (ctl === "") dir = `${root}/unified`;
    else dir = `${root}/${ctl!.replace(/^name=/, "")}`;
    const f = `${dir}${path === "/" ? "" : path}/cgroup.procs`;
    if (existsSync(f)) out.push(f);
  }
  return out;
}

let ownPidNs: number | undefined;

export function spawnExec(o: ExecSpawnOptions): SpawnedExec {
  const token = randomUUID();
  const cgroupProcs = cgroupProcsOf(o.target);
  let master: number | undefined;
  let slave: number | undefined;
  if (o.spec.tty) {
    // From the container's own devpts, so the terminal has a name there (tty, ttyname).
    try {
      [master, slave] = openptyAt(`/proc/${o.target}/root/dev/pts/ptmx`);
    } catch {
      [master, slave] = openpty(); // no devpts of its own (a bare rootfs): whichever terminal the host gives will do
    }
    if (o.consoleSize?.[0] && o.consoleSize[1]) setWinsize(master, o.consoleSize[0], o.consoleSize[1]);
  }
  const [r, w] = pipe();
  const waiter = o.status.expect(token);
  let proc: SpawnedExec["proc"];
  try {
    ownPidNs ??= openSync("/proc/self/ns/pid", "r");
    const target = openSync(`/proc/${o.target}/ns/pid`, "r");
    try {
      setns(target, CLONE_NEWPID);
      try {
        proc = Bun.spawn([sealedBinary(o.binary.cmd[0]!), ...o.binary.cmd.slice(1)], {
          argv0: o.binary.argv0,
          stdio: (slave !== undefined
            ? [slave, slave, slave, r]
            : [o.stdin ? "pipe" : "ignore", o.quiet ? "ignore" : "pipe", o.quiet ? "ignore" : "pipe", r]) as ["pipe", "pipe", "pipe", number],
          env: { [initPipeEnv]: "3", [initStatusEnv]: o.status.path, [initTokenEnv]: token, PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
        }) as SpawnedExec["proc"];
      } finally {
        setns(ownPidNs, CLONE_NEWPID);
      }
    } finally {
      closeSync(target);
    }
  } catch (err) {
    closeSync(w);
    if (master !== undefined) closeSync(master);
    waiter.abandon();
    throw err;
  } finally {
    closeSync(r);
    if (slave !== undefined) closeSync(slave);
  }
  const cfg: InitConfig = { spec: o.spec, cgroupProcs, cgroupNamespace: false, execIn: o.target, seccompCache: join(dirname(o.status.path), "seccomp") };
  try {
    writeSync(w, JSON.stringify(cfg));
  } finally {
    closeSync(w);
  }
  // Its exit without a word (killed before exec) ends the wait too.
  const started = Promise.race([
    waiter.done,
    proc.exited.then(() => Promise.race([waiter.done, Bun.sleep(1000).then(() => (waiter.abandon(), waiter.done))])),
  ]);
  return { proc, master, started };
}

/** The exit code, or 128 + the signal that ended the process. */
export function execExitCode(proc: Pick<Subprocess, "exitCode" | "signalCode">): number {
  if (proc.signalCode) return 128 + ((constants.signals as Record<string, number>)[proc.signalCode] ?? 0);
  return proc.exitCode ?? 255;
}
