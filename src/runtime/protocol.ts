// What the daemon and the monitor say to each other: one JSON request a connection,
// one JSON reply, then the connection closes.
import type { ContainerSpec } from "./types.ts";

export type MonitorRequest =
  | { op: "ping"; gc?: boolean }
  | { op: "exit-if-idle" }
  | { op: "close-stdin"; id: string }
  | { op: "resize"; id: string; rows: number; cols: number }
  | { op: "start"; spec: ContainerSpec; cgroupParent: string; cgroupRoot?: string };

export type MonitorReply =
  | { ok: boolean; running: number; pid: number }
  | { pid: number; startedAt: string }
  | { error: string; exitCode: number };

export function monitorPaths(execRoot: string) {
  return {
    sock: `${execRoot}/monitor.sock`,
    initSock: `${execRoot}/init.sock`,
    lock: `${execRoot}/monitor.lock`,
    dockerinit: `${execRoot}/dockerinit`,
    log: `${execRoot}/monitor.log`,
  };
}
