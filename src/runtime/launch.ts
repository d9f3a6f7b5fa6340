// Inside the monitor: starts one container (unshare … dockerinit), learns its host pid
// or Docker's start error from the init's status socket, pumps its output into the
// json-file log, and records its exit status when it ends.
import { closeSync, openSync, writeSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { mkfifo, pipe, setns, unshareNs } from "../sys/libc.ts";
import { initPipeEnv, initStatusEnv, initTokenEnv, type InitConfig } from "../init/config.ts";
import type { InitStatusServer } from "./initstatus.ts";
import { JsonLogWriter, nowNano } from "./jsonlog.ts";
import { files, procStartTime, writeAtomic, type PidRecord } from "./statefiles.ts";
import type { ContainerSpec, ExitStatus } from "./types.ts";
import { constants } from "node:os";
import type { Subprocess } from "bun";

const CLONE_NEWPID = 0x20000000;

export interface LaunchResult {
  pid?: number;
  startedAt?: string;
  error?: string;
  exitCode?: number;
  /** Resolves once the exit status is on disk. */
  exited?: Promise<ExitStatus>;
}

export interface LaunchContext {
  status: InitStatusServer;
  /** Path of the `dockerinit` link to the wharf binary. */
  dockerinit: string;
  /** Asked after the exit: did the OOM killer strike? */
  oomKilled: (id: string) => boolean;
}

/**
 * The argv that puts dockerinit into fresh namespaces. No --pid --fork: the monitor
 * itself unshares the pid namespace for its next child (see spawnInNewPidNs), so the
 * container's PID 1 is the monitor's own child, no unshare process stays behind, and
 * a death by signal is seen as such (util-linux 2.38's unshare --fork turns it into
 * exit 1: "sigprocmask unblock failed").
 */
export function unshareArgv(spec: ContainerSpec, dockerinit: string): string[] {
  const ns = ["--mount", "--uts", "--ipc"];
  if (spec.network.mode === "none") ns.push("--net");
  const argv = ["unshare", ...ns, "--", dockerinit];
  return spec.network.mode === "path" ? ["nsenter", `--net=${spec.network.path}`, "--", ...argv] : argv;
}

export async function launch(ctx: LaunchContext, cfg: InitConfig): Promise<LaunchResult> {
  const spec = cfg.spec;
  const token = randomUUID();
  const waiter = ctx.status.expect(token);
  const [r, w] = pipe();
  let stdin: number | "ignore" = "ignore";
  if (spec.openStdin) {
    mkfifo(files.stdin(spec.stateDir), 0o600);
    // Read-write so opening never blocks and the container never sees EOF between attaches.
    stdin = openSync(files.stdin(spec.stateDir), "r+");
  }
  let proc;
  try {
    const argv = unshareArgv(spec, ctx.dockerinit);
    proc = spawnInNewPidNs(() =>
      Bun.spawn(argv, {
        stdio: [stdin, "pipe", "pipe", r],
        env: { [initPipeEnv]: "3", [initStatusEnv]: ctx.status.path, [initTokenEnv]: token, PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
      }),
    );
  } catch (err) {
    waiter.abandon();
    closeSync(r);
    closeSync(w);
    if (typeof stdin === "number") closeSync(stdin);
    return { error: `starting unshare: ${(err as Error).message}`, exitCode: 125 };
  }
  closeSync(r);
  if (typeof stdin === "number") closeSync(stdin);
  writeSync(w, JSON.stringify(cfg));
  closeSync(w);

  const log = new JsonLogWriter(spec.logPath);
  const drained = Promise.all([log.pump(proc.stdout, "stdout"), log.pump(proc.stderr, "stderr")]);
  // The init may die without a word (killed, or unshare failed): its exit ends the wait.
  // Once it is gone its socket closes too; the timer only guards against a lost close.
  const outcome = await Promise.race([
    waiter.done,
    proc.exited.then(() => Promise.race([waiter.done, Bun.sleep(1000).then(() => (waiter.abandon(), waiter.done))])),
  ]);

  if (outcome.error !== undefined || outcome.pid === undefined || outcome.startedAt === undefined) {
    await proc.exited;
    await drained;
    log.close();
    const why = outcome.error ?? `container init exited before starting the command (exit ${describe(proc)})`;
    return { error: why, exitCode: outcome.exitCode ?? 125 };
  }
  const rec: PidRecord = { pid: outcome.pid, startTime: procStartTime(outcome.pid) ?? 0, startedAt: outcome.startedAt };
  writeAtomic(files.pid(spec.stateDir), rec);
  const exited = proc.exited.then(async () => {
    await drained;
    log.close();
    const status: ExitStatus = { exitCode: exitCodeOf(proc), finishedAt: nowNano() };
    if (ctx.oomKilled(spec.id)) status.oomKilled = true;
    writeAtomic(files.exit(spec.stateDir), status);
    return status;
  });
  return { pid: outcome.pid, startedAt: outcome.startedAt, exited };
}

let ownPidNs: number | undefined;

/**
 * Runs `spawn` with this thread's pid_for_children set to a fresh pid namespace, so
 * the child becomes its PID 1, then points it back at our own namespace.
 */
function spawnInNewPidNs<T>(spawn: () => T): T {
  ownPidNs ??= openSync("/proc/self/ns/pid", "r");
  unshareNs(CLONE_NEWPID);
  try {
    return spawn();
  } finally {
    setns(ownPidNs, CLONE_NEWPID);
  }
}

/** The exit code, or 128 + the signal that killed the container's PID 1. */
function exitCodeOf(proc: Pick<Subprocess, "exitCode" | "signalCode">): number {
  if (proc.signalCode) return 128 + ((constants.signals as Record<string, number>)[proc.signalCode] ?? 0);
  return proc.exitCode ?? 255;
}

function describe(proc: Pick<Subprocess, "exitCode" | "signalCode">): string {
  return String(proc.signalCode ?? proc.exitCode);
}
