// The exec driver the daemon calls (see types.ts). Cgroups are made here, the process
// is started and held by the monitor, and exits are learnt from the state dir, so
// every call works the same for a daemon that restarted since the start.
import { mkdirSync, rmSync, watch } from "node:fs";
import { WharfError, conflict, invalidParameter } from "../errors.ts";
import { cgroupDriver, type CgroupDriver } from "./cgroups.ts";
import { MonitorClient } from "./client.ts";
import { clearRunFiles, files, pidAlive, readExit, readPid } from "./statefiles.ts";
import { isFdShortage } from "../sys/fds.ts";
import type { CgroupStats, ContainerSpec, ExitStatus, Resources, Runtime, RuntimeOptions, StartedContainer } from "./types.ts";

export class StartError extends WharfError {
  constructor(message: string, readonly exitCode: number) {
    super("system", message);
  }
}

export function createRuntime(opts: RuntimeOptions): Runtime & { cgroups: CgroupDriver; monitor: MonitorClient } {
  const cgroups = cgroupDriver({ root: opts.cgroupRoot, parent: opts.cgroupParent });
  const monitor = new MonitorClient(opts.execRoot, opts.binary ?? process.execPath, opts.prewarm ?? true);

  async function start(spec: ContainerSpec): Promise<StartedContainer> {
    validate(spec);
    mkdirSync(spec.stateDir, { recursive: true });
    clearRunFiles(spec.stateDir);
    let reply;
    try {
      // The monitor makes the cgroup (see CgroupDriver.adopt for why there).
      reply = await monitor.send({ op: "start", spec, cgroupParent: opts.cgroupParent, cgroupRoot: opts.cgroupRoot });
    } catch (err) {
      await cgroups.destroy(spec.id).catch(() => {});
      throw new StartError(`starting container ${spec.id}: ${(err as Error).message}`, 125);
    }
    if ("error" in reply) {
      await cgroups.destroy(spec.id).catch(() => {});
      throw new StartError(reply.error, reply.exitCode);
    }
    if (!("startedAt" in reply)) throw new StartError("the monitor gave no pid", 125);
    return { pid: reply.pid, startedAt: reply.startedAt };
  }

  function exitStatus(stateDir: string): ExitStatus | undefined {
    return readExit(stateDir);
  }

  function alive(stateDir: string): boolean {
    return !readExit(stateDir) && pidAlive(readPid(stateDir));
  }

  async function wait(id: string, stateDir: string): Promise<ExitStatus> {
    let done: ExitStatus | undefined;
    try {
      done = readExit(stateDir);
    } catch (err) {
      if (!isFdShortage(err)) throw err; // check() below tries again
    }
    if (done) return done;
    return new Promise<ExitStatus>((resolve) => {
      let watcher: ReturnType<typeof watch> | undefined;
      let lostSince = 0;
      const finish = (s: ExitStatus) => {
        watcher?.close();
        clearInterval(timer);
        resolve(s);
      };
      const check = () => {
        try {
          const s = readExit(stateDir);
          if (s) return finish(s);
          // No record and no process: the monitor died with it (it is its parent). Give a
          // late write a second before calling it lost.
          if (!pidAlive(readPid(stateDir))) {
            lostSince ||= Date.now();
            if (Date.now() - lostSince > 1000) finish({ exitCode: 255, error: `container ${id}: its monitor is gone and no exit status was recorded` });
          } else lostSince = 0;
        } catch (err) {
          // Out of descriptors the files cannot be read: that says nothing about the
          // container, so no 255 for it; the next tick reads again.
          if (!isFdShortage(err)) throw err;
          lostSince = 0;
        }
      };
      try {
        watcher = watch(stateDir, () => check());
      } catch {}
      const timer = setInterval(check, 250);
      check();
    });
  }

  function signal(stateDir: string, sig: number): void {
    const rec = readPid(stateDir);
    if (readExit(stateDir) || !pidAlive(rec)) throw conflict("container is not running");
    try {
      process.kill(rec!.pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }

  async function cleanup(id: string, stateDir: string): Promise<void> {
    await cgroups.destroy(id);
    rmSync(files.pid(stateDir), { force: true });
    rmSync(files.stdin(stateDir), { force: true });
  }

  return {
    cgroups,
    monitor,
    start,
    wait,
    exitStatus,
    alive,
    signal,
    pause: (id) => cgroups.freeze(id),
    resume: (id) => cgroups.thaw(id),
    frozen: (id) => cgroups.frozen(id),
    update: async (id, res: Resources) => cgroups.update(id, res),
    stats: (id): CgroupStats => cgroups.stats(id),
    pids: (id) => cgroups.pids(id),
    stdinPath: (stateDir) => files.stdin(stateDir),
    closeStdin: async (id) => {
      if (await monitor.ping()) await monitor.send({ op: "close-stdin", id });
    },
    resize: async (id, rows, cols) => {
      if (await monitor.ping()) await monitor.send({ op: "resize", id, rows, cols });
    },
    cleanup,
  };
}

function validate(spec: ContainerSpec): void {
  if (!spec.id || !/^[A-Za-z0-9_.-]+$/.test(spec.id)) throw invalidParameter(`invalid container id ${JSON.stringify(spec.id)}`);
  if (!spec.args?.length) throw invalidParameter("No command specified");
  if (!spec.rootfs?.startsWith("/")) throw invalidParameter(`rootfs must be an absolute path, got ${JSON.stringify(spec.rootfs)}`);
  if (!spec.stateDir?.startsWith("/")) throw invalidParameter(`stateDir must be an absolute path, got ${JSON.stringify(spec.stateDir)}`);
  if (spec.cwd && !spec.cwd.startsWith("/")) throw invalidParameter(`the working directory '${spec.cwd}' is invalid, it needs to be an absolute path`);
}
