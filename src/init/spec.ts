// The container spec: everything dockerinit sets up for one container process (root,
// mounts, namespaces, limits, devices, user, command). The runtime fills it in and hands
// it over; it lives beside its reader so init imports nothing of the runtime.

/** A device cgroup rule (Docker's --device-cgroup-rule, and the defaults). */
export interface DeviceRule {
  type: "a" | "b" | "c";
  /** -1 is any. */
  major: number;
  minor: number;
  /** Some of r, w, m. */
  access: string;
}

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
