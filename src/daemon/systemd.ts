// systemd's two daemon protocols: socket activation (LISTEN_PID/LISTEN_FDS, descriptors
// from 3, what `-H fd://` takes) and sd_notify (READY=1, STOPPING=1 as datagrams to
// NOTIFY_SOCKET), as dockerd speaks them through go-systemd.
import { setCloexecRange, socketDomain, unixDatagramSend } from "../sys/libc.ts";
import { invalidParameter } from "../errors.ts";
import { logger } from "../log.ts";
import type { Listener } from "../api/server.ts";

const log = logger("daemon");
const firstFd = 3;

/**
 * The descriptors passed to this process, once: the variables are removed so no child
 * takes them for its own, and the descriptors made close-on-exec.
 */
export function takeListenFds(env: Record<string, string | undefined> = process.env): number[] {
  const pid = Number(env.LISTEN_PID);
  const n = Number(env.LISTEN_FDS);
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  if (pid !== process.pid || !Number.isInteger(n) || n <= 0) return [];
  setCloexecRange(firstFd, firstFd + n - 1);
  return Array.from({ length: n }, (_, i) => firstFd + i);
}

/** `fd://` means every passed socket, `fd://N` the one with that number (dockerd's rules). */
export function resolveFdListeners(listeners: Listener[], env: Record<string, string | undefined> = process.env): Listener[] {
  if (!listeners.some((l) => l.proto === "fd")) return listeners;
  const fds = takeListenFds(env);
  if (!fds.length) throw invalidParameter("no sockets found via socket activation: make sure the service was started by systemd");
  const out: Listener[] = [];
  // A passed TCP socket is as reachable from a web page as one wharf bound itself.
  const passed = (fd: number): Listener => ({ proto: "fd", addr: String(fd), inet: [2, 10].includes(socketDomain(fd)) });
  for (const l of listeners) {
    if (l.proto !== "fd") out.push(l);
    else if (!l.addr) out.push(...fds.map(passed));
    else if (fds.includes(Number(l.addr))) out.push(passed(Number(l.addr)));
    else throw invalidParameter(`too few socket activated files passed in by systemd: fd ${l.addr} is not among ${fds.join(", ")}`);
  }
  return out;
}

/** sd_notify: a no-op outside systemd (no NOTIFY_SOCKET), never fatal inside it. */
export function sdNotify(state: string, env: Record<string, string | undefined> = process.env): void {
  const path = env.NOTIFY_SOCKET;
  if (!path) return;
  try {
    unixDatagramSend(path, Buffer.from(state));
  } catch (err) {
    log.warn(`sd_notify ${state.split("\n")[0]}: ${(err as Error).message}`);
  }
}
