// The container runtime's public interface: what the daemon hands over to run a process
// in a container (a root filesystem directory plus a spec), and what it gets back.
// Images, names and the HTTP API live elsewhere; this layer knows only directories.

// The spec is dockerinit's contract (init/spec.ts); the runtime hands it over unchanged.
export type { ContainerSpec, MountSpec, NetworkMode, Resources, Ulimit } from "../init/spec.ts";
import type { ContainerSpec, Resources } from "../init/spec.ts";

/** How a container's process ended, as the daemon records it. */
export interface ExitStatus {
  /** The exit code, or 128+signal when killed by a signal. */
  exitCode: number;
  oomKilled?: boolean;
  /** Why the process could not start or be watched, when it did not simply exit. */
  error?: string;
  /** RFC 3339 with nanoseconds. */
  finishedAt?: string;
}

export interface StartedContainer {
  /** Host pid of the container's PID 1 (the command, or the init with `init`). */
  pid: number;
  /** RFC 3339 with nanoseconds, taken just before the command was exec'd. */
  startedAt: string;
}

/** Counters for `docker stats`, from the container's cgroup. */
export interface CgroupStats {
  memoryUsage: number;
  memoryLimit: number;
  memoryMaxUsage: number;
  memoryFailcnt: number;
  memoryStat: Record<string, number>;
  cpuUsageNanos: number;
  cpuPerCpuNanos: number[];
  pidsCurrent: number;
  pidsLimit: number;
  /** Block I/O in the shape of the stats API's blkio_stats entries (op "Read"/"Write"… on v1, "read"/"write" on v2). */
  blkio?: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] };
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface RuntimeOptions {
  /**
   * Directory of the host-wide monitor that holds containers' stdio and exit codes
   * across daemon restarts (its sockets, lock and the dockerinit link). Keep it short:
   * unix socket paths are limited to 107 bytes.
   */
  execRoot: string;
  /** The wharf binary to run as monitor and dockerinit; default this process's own. */
  binary?: string;
  /**
   * Keep one dockerinit booted ahead of the next start (default true): a start
   * skips the binary's boot (~50 ms with today's build, ~15 ms with bytecode), for a
   * fixed ~26 MB PSS. Read when the monitor is spawned.
   */
  prewarm?: boolean;
  /**
   * The cgroup parent every container of this daemon goes under (`wharf`, or a
   * per-test name so test daemons do not collide). A relative name.
   */
  cgroupParent: string;
  /** Where cgroup filesystems are mounted; default /sys/fs/cgroup. Tests may point elsewhere. */
  cgroupRoot?: string;
}

/**
 * The exec driver. Every method takes the container's id and state dir, so a daemon
 * started after a crash can call all of them on containers it did not start.
 * Failures are WharfErrors; start failures carry `exitCode` 125, 126 or 127 and
 * Docker's message.
 */
export interface Runtime {
  start(spec: ContainerSpec): Promise<StartedContainer>;
  /** Resolves when the process has ended and its status is recorded (also after a restart). */
  wait(id: string, stateDir: string): Promise<ExitStatus>;
  /** The recorded exit status, or undefined while the container still runs. */
  exitStatus(stateDir: string): ExitStatus | undefined;
  /** Is the container's PID 1 alive? False once its exit is recorded. */
  alive(stateDir: string): boolean;
  /** Signals the container's PID 1; a conflict error when it is not running. */
  signal(stateDir: string, signal: number): void;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Frozen by a pause, or by a commit a daemon crash cut short. */
  frozen(id: string): boolean;
  update(id: string, resources: Resources): Promise<void>;
  stats(id: string): CgroupStats;
  /** Host pids of every process in the container. */
  pids(id: string): number[];
  /**
   * The container's stdin fifo (openStdin containers): open it for writing to feed
   * the container. The container sees no EOF while the monitor holds the fifo open.
   */
  stdinPath(stateDir: string): string;
  /**
   * Lets the container's stdin reach EOF once current writers close (StdinOnce: the
   * attached client closed its stdin). A no-op for a container without stdin.
   */
  closeStdin(id: string): Promise<void>;
  /** Sets the terminal size of a TTY container (a no-op without one). */
  resize(id: string, rows: number, cols: number): Promise<void>;
  /**
   * After exit: kills leftovers, removes the cgroup and the runtime's files except
   * the log and the recorded exit status. Safe to call twice and on a never-started container.
   */
  cleanup(id: string, stateDir: string): Promise<void>;
}
