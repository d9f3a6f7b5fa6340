// Spawning dockerinit in fresh namespaces, and keeping one spawned ahead of need: a
// compiled wharf takes tens of milliseconds to boot, so the monitor keeps a "warm"
// init that has booted and waits for its config on fd 3; a start hands it the config
// and spawns the next one. Only the common case (own network namespace, no stdin) is
// served warm; the rest spawn cold.
import { closeSync, openSync } from "node:fs";
import { randomUUID } from "node:crypto";
import type { Subprocess } from "bun";
import { pipe, setns, unshareNs } from "../sys/libc.ts";
import { initPipeEnv, initStatusEnv, initTokenEnv } from "../init/config.ts";
import type { ContainerSpec } from "./types.ts";

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
  const argv = ["unshare", ...ns, "--", dockerinit];
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

export function spawnInit(network: ContainerSpec["network"], dockerinit: string, statusPath: string, stdin: number | "ignore"): SpawnedInit {
  const token = randomUUID();
  const [r, w] = pipe();
  try {
    const argv = unshareArgv(network, dockerinit);
    const proc = spawnInNewPidNs(() =>
      Bun.spawn(argv, {
        stdio: [stdin, "pipe", "pipe", r],
        env: { [initPipeEnv]: "3", [initStatusEnv]: statusPath, [initTokenEnv]: token, PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
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

export class WarmInit {
  private next?: SpawnedInit;

  constructor(
    private readonly dockerinit: string,
    private readonly statusPath: string,
  ) {}

  /** A booted init for `spec` if it fits the warm one; spawns the next in the background. */
  take(spec: ContainerSpec): SpawnedInit | undefined {
    if (spec.network.mode !== "none" || spec.openStdin) return undefined;
    const got = this.next;
    this.next = undefined;
    setImmediate(() => this.refill());
    if (!got || got.proc.exitCode !== null || got.proc.signalCode !== null) return undefined;
    return got;
  }

  refill(): void {
    if (this.next) return;
    try {
      this.next = spawnInit({ mode: "none" }, this.dockerinit, this.statusPath, "ignore");
    } catch {
      this.next = undefined; // cold starts still work
    }
  }

  /** Ends the waiting init: with its config pipe closed it reads nothing and exits. */
  dispose(): void {
    const n = this.next;
    this.next = undefined;
    if (!n) return;
    closeSync(n.configFd);
    n.proc.kill("SIGKILL");
  }
}
