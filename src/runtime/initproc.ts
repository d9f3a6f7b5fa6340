// Spawning dockerinit in fresh namespaces, and keeping one spawned ahead of need: a
// compiled wharf takes tens of milliseconds to boot, so the monitor keeps a "warm"
// init that has booted and waits for its config on fd 3; a start hands it the config
// and spawns the next one. Only the common case (own or prepared network namespace, no stdin) is
// served warm; the rest spawn cold.
import { closeSync, openSync, statSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import type { Subprocess } from "bun";
import { pipe, setns, unshareNs } from "../sys/libc.ts";
import { initPipeEnv, initStatusEnv, initTokenEnv, initWarmEnv } from "../init/config.ts";
import type { ContainerSpec } from "./types.ts";
import type { CgroupDriver } from "./cgroups.ts";

const CLONE_NEWPID = 0x20000000;

export type InitProc = Subprocess<number | "ignore", "pipe", "pipe">;

export interface SpawnedInit {
  proc: InitProc;
  token: string;
  /** Write end of the config pipe: write the InitConfig, then close. */
  configFd: number;
}

/**
 * The argv that puts dockerinit into fresh namespaces. No --pid --fork: the monitor
 * itself unshares the pid namespace for its next child (spawnInNewPidNs), so the
 * container's PID 1 is the monitor's own child, no unshare process stays behind, and
 * a death by signal is seen as such (util-linux 2.38's unshare --fork turns it into
 * exit 1: "sigprocmask unblock failed").
 */
export function unshareArgv(network: ContainerSpec["network"], dockerinit: string): string[] {
  const ns = ["--mount", "--uts", "--ipc"];
  if (network.mode === "none") ns.push("--net");
  // Slave propagation: a prewarmed init must still see the rootfs the daemon mounts
  // after it started (under the layer store's shared mount); dockerinit makes its tree
  // private as soon as its spec arrives.
  const argv = ["unshare", ...ns, "--propagation", "slave", "--", dockerinit];
  return network.mode === "path" ? ["nsenter", `--net=${network.path}`, "--", ...argv] : argv;
}

let ownPidNs: number | undefined;

/** Runs `spawn` with this thread's pid_for_children set to a fresh pid namespace, then back. */
function spawnInNewPidNs<T>(spawn: () => T): T {
  ownPidNs ??= openSync("/proc/self/ns/pid", "r");
  unshareNs(CLONE_NEWPID);
  try {
    return spawn();
  } finally {
    setns(ownPidNs, CLONE_NEWPID);
  }
}

export function spawnInit(network: ContainerSpec["network"], dockerinit: string, statusPath: string, stdin: number | "ignore", ttySlave?: number, warm = false): SpawnedInit {
  const token = randomUUID();
  const [r, w] = pipe();
  try {
    const argv = unshareArgv(network, dockerinit);
    const proc = spawnInNewPidNs(() =>
      Bun.spawn(argv, {
        // A TTY container's three standard streams are its terminal.
        stdio: (ttySlave !== undefined ? [ttySlave, ttySlave, ttySlave, r] : [stdin, "pipe", "pipe", r]) as [number | "ignore", "pipe", "pipe", number],
        env: { [initPipeEnv]: "3", [initStatusEnv]: statusPath, [initTokenEnv]: token, ...(warm ? { [initWarmEnv]: "1" } : {}), PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
      }),
    );
    return { proc, token, configFd: w };
  } catch (err) {
    closeSync(w);
    throw err;
  } finally {
    closeSync(r);
  }
}

export interface WarmTaken {
  init: SpawnedInit;
  /** Its cgroup, made and joined ahead of time, to be renamed to the container's id. */
  placeholder?: string;
}

/** Whether every bind source resolves to the same file in `pid`'s mount namespace as in ours. */
function seesSameSources(pid: number, spec: ContainerSpec): boolean {
  for (const m of spec.mounts ?? []) {
    if (m.type !== "bind") continue;
    try {
      const here = statSync(m.source);
      const there = statSync(`/proc/${pid}/root${m.source}`);
      if (here.dev !== there.dev || here.ino !== there.ino) return false;
    } catch {
      return false; // let a cold start report what is wrong with the source
    }
  }
  return true;
}

export class WarmInit {
  private next?: WarmTaken & { cg?: CgroupDriver; cgKey?: string };

  constructor(
    private readonly dockerinit: string,
    private readonly statusPath: string,
  ) {}

  /**
   * A booted init for `spec` if it fits the warm one, and spawns the next in the
   * background, its cgroup under `cg` (the cgroup parent of the latest start).
   */
  take(spec: ContainerSpec, cg: CgroupDriver, cgKey: string): WarmTaken | undefined {
    const got = this.next;
    // A prepared namespace (bridge sandbox, container:NAME) is joined by dockerinit itself.
    const fits = (spec.network.mode === "none" || spec.network.mode === "path") && !spec.openStdin && !spec.tty && got && got.init.proc.exitCode === null && got.init.proc.signalCode === null
      // Its copy of the mount table may predate a mount under a bind's source: bound
      // there, the container would write into the directory that mount hides.
      && seesSameSources(got.init.proc.pid, spec);
    if (fits && got.cgKey !== cgKey && got.placeholder) return undefined; // another daemon's parent: leave it
    this.next = undefined;
    setImmediate(() => this.refill(cg, cgKey));
    if (!fits) {
      if (got) void this.discard(got);
      return undefined;
    }
    return { init: got.init, placeholder: got.placeholder };
  }

  refill(cg?: CgroupDriver, cgKey?: string): void {
    if (this.next) return;
    let init: SpawnedInit;
    try {
      init = spawnInit({ mode: "none" }, this.dockerinit, this.statusPath, "ignore", undefined, true);
    } catch {
      return; // cold starts still work
    }
    this.next = { init, cg, cgKey };
    if (!cg) return;
    const placeholder = `warm-${init.token.slice(0, 13)}`;
    try {
      for (const f of cg.create(placeholder, {})) writeFileSync(f, String(init.proc.pid));
      this.next.placeholder = placeholder;
    } catch {
      void cg.destroy(placeholder).catch(() => {});
    }
  }

  private async discard(w: WarmTaken & { cg?: CgroupDriver }): Promise<void> {
    try {
      closeSync(w.init.configFd);
    } catch {}
    w.init.proc.kill("SIGKILL");
    await w.init.proc.exited;
    if (w.placeholder && w.cg) await w.cg.destroy(w.placeholder).catch(() => {});
  }

  /** Ends the waiting init and removes its cgroup. */
  async dispose(): Promise<void> {
    const n = this.next;
    this.next = undefined;
    if (n) await this.discard(n);
  }
}
