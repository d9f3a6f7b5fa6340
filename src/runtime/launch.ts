// Inside the monitor: starts one container (unshare … dockerinit), learns its host pid
// or Docker's start error from the init's status socket, pumps its output into the
// json-file log, and records its exit status when it ends.
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { mkfifo, openpty, setWinsize, takeFdOf } from "../sys/libc.ts";
import { closeQuietly, masterInputFrom, masterOutput } from "./tty.ts";
import type { InitConfig } from "../init/config.ts";
import { spawnInit, type WarmInit } from "./initproc.ts";
import type { InitStatusServer } from "./initstatus.ts";
import { JsonLogWriter } from "./jsonlog.ts";
import { nowNano } from "../time.ts";
import { files, procStartTime, writeAtomic, type PidRecord } from "./statefiles.ts";
import type { ContainerSpec, ExitStatus } from "./types.ts";
import type { CgroupDriver } from "./cgroups.ts";
import { constants } from "node:os";
import type { Subprocess } from "bun";

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
  /** Our write ends of openStdin containers' fifos, by container id. */
  stdinHolders?: Map<string, number>;
  /** Told when a container has ended, just before its exit status is written. */
  onExit?: (id: string) => void;
  /** TTY containers' terminal masters, by container id (for resize). */
  ttyMasters?: Map<string, number>;
  /** A pre-booted init, when the monitor keeps one. */
  warm?: WarmInit;
}

export async function launch(ctx: LaunchContext, spec: ContainerSpec, cg: CgroupDriver, cgKey: string): Promise<LaunchResult> {
  try {
    return await launchIn(ctx, spec, cg, cgKey);
  } catch (err) {
    await cg.destroy(spec.id).catch(() => {});
    return { error: (err as Error).message, exitCode: 125 };
  }
}

/**
 * A warm init's mount namespace was copied before this container's namespace file was
 * bind-mounted: where that mount did not propagate (a private `/`, a path outside the
 * exec root) it sees the bare file, and setns fails. The monitor's root, reached
 * through /proc, still shows the mount.
 */
function seenFromWarm(spec: ContainerSpec): ContainerSpec {
  if (spec.network.mode !== "path") return spec;
  return { ...spec, network: { mode: "path", path: `/proc/${process.pid}/root${spec.network.path}` } };
}

async function launchIn(ctx: LaunchContext, spec: ContainerSpec, cg: CgroupDriver, cgKey: string): Promise<LaunchResult> {
  let stdin: number | "ignore" = "ignore";
  // A cgroup left by a run nobody cleaned up (a restart, a crashed daemon) goes first.
  if (cg.exists(spec.id)) await cg.destroy(spec.id);
  const warm = ctx.warm?.take(spec, cg, cgKey);
  let init = warm?.init;
  let cgroupProcs: string[] = [];
  if (warm?.placeholder) {
    cg.adopt(warm.placeholder, spec.id);
    cg.update(spec.id, spec.resources ?? {});
  } else cgroupProcs = cg.create(spec.id, spec.resources ?? {});
  cg.restrictDevices(spec.id, spec.privileged === true, spec.deviceRules);
  let master: number | undefined;
  let slave: number | undefined;
  if (!init) {
    if (spec.tty) {
      [master, slave] = openpty();
      if (spec.consoleSize?.[0] && spec.consoleSize[1]) setWinsize(master, spec.consoleSize[0], spec.consoleSize[1]);
    }
    if (spec.openStdin) {
      // Made under a temporary name and renamed once we hold it open: a writer that
      // finds the fifo (attach waits for it) and writes and closes before anyone else
      // has it open would see its bytes vanish with the pipe.
      const tmp = `${files.stdin(spec.stateDir)}.new`;
      rmSync(tmp, { force: true });
      mkfifo(tmp, 0o600);
      // We hold a write end so the container sees no EOF between attaches, until
      // closeStdin; the container gets a read-only end, so it can see that EOF.
      const holder = openSync(tmp, "r+");
      ctx.stdinHolders?.set(spec.id, holder);
      // With a terminal, we copy the fifo into the terminal ourselves.
      if (master === undefined) stdin = openSync(tmp, "r");
      renameSync(tmp, files.stdin(spec.stateDir));
    }
    try {
      init = spawnInit(spec.network, ctx.dockerinit, ctx.status.path, stdin, slave);
    } catch (err) {
      if (master !== undefined) closeQuietly(master);
      throw err;
    } finally {
      if (typeof stdin === "number") closeSync(stdin);
      if (slave !== undefined) closeSync(slave); // the container holds the only slave ends now
    }
  }
  const cfg: InitConfig = { spec: warm ? seenFromWarm(spec) : spec, cgroupProcs, cgroupNamespace: true, seccompCache: join(dirname(ctx.status.path), "seccomp") };
  const { proc } = init;
  const waiter = ctx.status.expect(init.token);
  writeSync(init.configFd, JSON.stringify(cfg));
  closeSync(init.configFd);

  const log = new JsonLogWriter(spec.logPath, spec.logMaxSize, spec.logMaxFile, spec.logCompress);
  let drained: Promise<unknown>;
  let containerMaster: number | undefined;
  if (master !== undefined) {
    // A terminal has one output, logged as stdout as Docker does.
    const m = master;
    ctx.ttyMasters?.set(spec.id, m);
    // The init offers a terminal from the container's own devpts once it has one.
    ctx.status.onPtyMaster(init.token, (pid, fd) => {
      try {
        containerMaster = takeFdOf(pid, fd);
        return true;
      } catch {
        return false;
      }
    });
    drained = pumpTty(ctx, spec, log, m);
  } else drained = Promise.all([log.pump(proc.stdout, "stdout"), log.pump(proc.stderr, "stderr")]);
  // The init may die without a word (killed, or unshare failed): its exit ends the wait.
  // Once it is gone its socket closes too; the timer only guards against a lost close.
  const outcome = await Promise.race([
    waiter.done,
    proc.exited.then(() => Promise.race([waiter.done, Bun.sleep(1000).then(() => (waiter.abandon(), waiter.done))])),
  ]);

  if (outcome.error !== undefined || outcome.pid === undefined || outcome.startedAt === undefined) {
    await proc.exited;
    await drained;
    if (containerMaster !== undefined) closeQuietly(containerMaster);
    log.close();
    await cg.destroy(spec.id).catch(() => {});
    closeStdinHolder(ctx, spec.id);
    const why = outcome.error ?? `container init exited before starting the command (exit ${describe(proc)})`;
    return { error: why, exitCode: outcome.exitCode ?? 125 };
  }
  if (master !== undefined) {
    const live = containerMaster ?? master;
    if (containerMaster !== undefined) drained = Promise.all([drained, pumpTty(ctx, spec, log, containerMaster)]);
    if (spec.openStdin) {
      // Our own read end: the holder keeps it from EOF until closeStdin, as without a TTY.
      const fifo = openSync(files.stdin(spec.stateDir), "r");
      try {
        masterInputFrom(live, fifo);
      } finally {
        closeSync(fifo);
      }
    }
  }
  const rec: PidRecord = { pid: outcome.pid, startTime: procStartTime(outcome.pid) ?? 0, startedAt: outcome.startedAt };
  writeAtomic(files.pid(spec.stateDir), rec);
  const exited = proc.exited.then(async () => {
    await drained;
    log.close();
    const status: ExitStatus = { exitCode: exitCodeOf(proc), finishedAt: nowNano() };
    if (cg.oomKilled(spec.id)) status.oomKilled = true;
    closeStdinHolder(ctx, spec.id);
    ctx.onExit?.(spec.id); // before the record: whoever reads it may ask the monitor next
    writeAtomic(files.exit(spec.stateDir), status);
    return status;
  });
  return { pid: outcome.pid, startedAt: outcome.startedAt, exited };
}

/** Logs a terminal's output until its slaves are gone; it is the one resized meanwhile. */
function pumpTty(ctx: LaunchContext, spec: ContainerSpec, log: JsonLogWriter, m: number): Promise<void> {
  ctx.ttyMasters?.set(spec.id, m);
  return log.pump(masterOutput(m), "stdout", true).finally(() => {
    if (ctx.ttyMasters?.get(spec.id) === m) ctx.ttyMasters.delete(spec.id);
    closeQuietly(m);
  });
}

/** Drops our write end of the container's stdin: once attached writers close, it reads EOF. */
export function closeStdinHolder(ctx: LaunchContext, id: string): void {
  const fd = ctx.stdinHolders?.get(id);
  if (fd === undefined) return;
  ctx.stdinHolders!.delete(id);
  closeSync(fd);
}

/** The exit code, or 128 + the signal that killed the container's PID 1. */
function exitCodeOf(proc: Pick<Subprocess, "exitCode" | "signalCode">): number {
  if (proc.signalCode) return 128 + ((constants.signals as Record<string, number>)[proc.signalCode] ?? 0);
  return proc.exitCode ?? 255;
}

function describe(proc: Pick<Subprocess, "exitCode" | "signalCode">): string {
  return String(proc.signalCode ?? proc.exitCode);
}
