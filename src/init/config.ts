// What the exec driver hands dockerinit on fd 3: the container spec plus the few host
// facts only the driver knows (cgroup files to join). Shared by both sides.
import type { ContainerSpec } from "./spec.ts";

export interface InitConfig {
  spec: ContainerSpec;
  /** cgroup.procs files dockerinit writes itself into (empty when the monitor placed it already). */
  cgroupProcs: string[];
  /** Enter a cgroup namespace rooted at the container's cgroup. */
  cgroupNamespace: boolean;
  /**
   * Exec mode: instead of setting a new container up, join the running one whose
   * PID 1 has this host pid (its namespaces, cgroup and root) and run spec.args there.
   */
  execIn?: number;
  /** Where compiled seccomp programs are kept between starts (the exec root's seccomp/). */
  seccompCache?: string;
}

export const initPipeEnv = "_WHARF_INIT_PIPE";
/** Unix socket where dockerinit reports its host pid and any failure before exec. */
export const initStatusEnv = "_WHARF_INIT_STATUS";
/** The token dockerinit quotes so the monitor knows which start it reports on. */
export const initTokenEnv = "_WHARF_INIT_TOKEN";
/** Set on a prewarmed init: it waits for its container, so it gives back its boot's pages. */
export const initWarmEnv = "_WHARF_INIT_WARM";

/** What dockerinit says on the status socket, one JSON object a line. */
export type InitReport =
  | { token: string; pid: number }
  | { token: string; error: string; exitCode: number }
  | { token: string; execing: true; startedAt: string }
  /** A TTY container's terminal master, as a descriptor number in the init; answered "1" once taken. */
  | { token: string; ptyMaster: number };

export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const defaultShmSize = 64 * 1024 * 1024;

export const maskedPaths = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
];

export const readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];
