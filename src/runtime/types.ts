// The container runtime's public interface: what the daemon hands over to run a process
// in a container (a root filesystem directory plus a spec), and what it gets back.
// Images, names and the HTTP API live elsewhere; this layer knows only directories.

import type { DeviceRule } from "./devicefilter.ts";

/** A mount dockerinit sets up inside the container before pivot_root. */
export interface MountSpec {
  /** Host path for binds; ignored for tmpfs. */
  source: string;
  /** Absolute path inside the container; created when missing. */
  destination: string;
  type: "bind" | "tmpfs";
  readOnly?: boolean;
  /** tmpfs options such as `size=64m,mode=1777`. */
  options?: string;
  /** Bind propagation (private, rprivate, shared, rshared, slave, rslave); default rprivate. */
  propagation?: string;
}

export interface Ulimit {
  /** Docker's names: nofile, nproc, core, memlock, stack, … */
  name: string;
  soft: number;
  hard: number;
}

/** Cgroup limits; every field is optional and 0/undefined means "not limited". */
export interface Resources {
  /** Bytes. */
  memory?: number;
  /** Memory plus swap in bytes; -1 is unlimited swap. */
  memorySwap?: number;
  memoryReservation?: number;
  /** --cpus in units of 1e-9 CPUs (Docker's NanoCpus). */
  nanoCpus?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** 0 or -1 is unlimited. */
  pidsLimit?: number;
}

export type NetworkMode =
  | { mode: "none" } // a fresh network namespace with only loopback
  | { mode: "host" } // share the host's
  | { mode: "path"; path: string }; // join a prepared namespace (bridge networking)

/** Everything needed to run one container process. All paths are host paths. */
export interface ContainerSpec {
  id: string;
  /** The container's root filesystem, already mounted (overlay) or a plain directory. */
  rootfs: string;
  /** Per-container directory the runtime owns files in (exit status, pid, fifos). */
  stateDir: string;
  /** Docker json-file log; empty string means no log (LogConfig none). */
  logPath: string;
  /** json-file rotation: rotate at this many bytes, keeping `logMaxFile` files in all (default 1). */
  logMaxSize?: number;
  logMaxFile?: number;
  /** Gzip rotated files (`<log>.1.gz` …). */
  logCompress?: boolean;
  /** The command, entrypoint and cmd already merged; args[0] is looked up in PATH. */
  args: string[];
  /** KEY=value; PATH, HOSTNAME and HOME are added when missing. */
  env: string[];
  /** Working directory inside the container; created when missing. Default "/". */
  cwd?: string;
  /** name, uid, name:group or uid:gid, resolved through the container's /etc files. */
  user?: string;
  groupAdd?: string[];
  hostname: string;
  domainname?: string;
  /** Files bind-mounted over /etc/hostname, /etc/hosts, /etc/resolv.conf when given. */
  etcFiles?: { hostname?: string; hosts?: string; resolvConf?: string };
  mounts?: MountSpec[];
  network: NetworkMode;
  readOnlyRootfs?: boolean;
  /** Bytes of /dev/shm; default 64 MiB. */
  shmSize?: number;
  privileged?: boolean;
  /** Host device nodes made visible in the container (--device), bound over a file at `containerPath`. */
  devices?: { hostPath: string; containerPath: string }[];
  /** Device access beyond Docker's defaults: those devices, and --device-cgroup-rule. */
  deviceRules?: DeviceRule[];
  /** Capability names with or without CAP_, or ALL. */
  capAdd?: string[];
  capDrop?: string[];
  noNewPrivileges?: boolean;
  /** The seccomp profile (Docker's JSON format); unset is Docker's default, "unconfined" none. */
  seccomp?: string;
  ulimits?: Ulimit[];
  /** Namespaced sysctls only (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*). */
  sysctls?: Record<string, string>;
  /** Run a minimal init as PID 1 that reaps zombies and forwards signals. */
  init?: boolean;
  /** Keep the container's stdin open through a fifo in the state dir (attach writes to it). */
  openStdin?: boolean;
  /** Give the process a pseudo-terminal as stdin/stdout/stderr (the monitor holds its master). */
  tty?: boolean;
  /** Initial terminal size [rows, cols] (HostConfig.ConsoleSize), when given. */
  consoleSize?: [number, number];
  resources?: Resources;
}

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
