// The monitor role: one process per exec root, detached from the daemon, that starts
// containers and stays their parent, so they outlive a daemon that is killed, their
// logs keep flowing and their exit codes are recorded in their state dirs for any
// later daemon. (One per host rather than one per container: a Bun process costs
// ~24 MB PSS, a container's share of a shared monitor a fraction of that.)
import { createServer, type Socket } from "node:net";
import { closeSync, existsSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { libc, tryLockExclusive } from "../sys/libc.ts";
import { cgroupDriver, type CgroupDriver } from "./cgroups.ts";
import { InitStatusServer } from "./initstatus.ts";
import { closeStdinHolder, launch } from "./launch.ts";
import { resizeTty } from "./tty.ts";
import { idleTrimMs, trimIdle, trimWhenQuiet } from "../sys/trim.ts";
import { WarmInit } from "./initproc.ts";
import { monitorPaths, type MonitorRequest, type MonitorReply } from "./protocol.ts";

/** How long the monitor waits with no start before it lets the warm init go. */
const warmInitIdleMs = 30_000;

export async function monitorMain(args: string[]): Promise<number> {
  const execRoot = args[0];
  if (!execRoot) {
    process.stderr.write("wharf-monitor: usage: wharf-monitor EXEC_ROOT (started by the wharf daemon)\n");
    return 2;
  }
  const paths = monitorPaths(execRoot);
  mkdirSync(execRoot, { recursive: true, mode: 0o700 });
  const lockFd = openSync(paths.lock, "a");
  if (!tryLockExclusive(lockFd)) return 0; // another monitor serves this exec root
  libc().setsid(); // no terminal, no process group of the daemon's: signals to it miss us
  // Like containerd's shim: the OOM killer should pick a container, not the one process
  // that records how containers end. Containers are set back to 0 by dockerinit.
  try {
    writeFileSync("/proc/self/oom_score_adj", "-999");
  } catch {}

  rmSync(paths.dockerinit, { force: true });
  symlinkSync(process.execPath, paths.dockerinit);
  const status = new InitStatusServer(paths.initSock);
  await status.listen();
  const warm = args.includes("--no-prewarm") ? undefined : new WarmInit(paths.dockerinit, status.path);
  warm?.refill();

  /** Running containers: id → how to tear down their cgroup if we must give up on them. */
  const running = new Map<string, () => Promise<void>>();
  const server = createServer((sock) => serve(sock));
  rmSync(paths.sock, { force: true });
  await new Promise<void>((resolve) => server.listen(paths.sock, () => resolve()));

  let quitting = false;
  /** Set by SIGTERM/SIGINT: no new containers, and quit once the last has ended. */
  let draining = false;
  const ended = (id: string): void => {
    running.delete(id);
    if (draining && running.size === 0) setImmediate(() => void quit());
  };
  /** The cgroup parents of the daemons we served, by root and name. */
  const parents = new Map<string, CgroupDriver>();
  async function quit(): Promise<void> {
    if (quitting) return;
    quitting = true;
    server.close();
    status.close();
    rmSync(paths.sock, { force: true });
    await warm?.dispose();
    // Empty parents go with us; a later start makes them again.
    for (const cg of parents.values()) cg.removeParent();
    closeSync(lockFd);
    process.exit(0);
  }

  const launchCtx = { status, dockerinit: paths.dockerinit, warm, stdinHolders: new Map<string, number>(), ttyMasters: new Map<string, number>() };

  // Booted for one start, kept for many: what its boot touched is given back when quiet.
  let requests = 0;
  trimWhenQuiet(() => requests, idleTrimMs);
  // The warm init buys the next start some 10 ms and costs ~9 MB PSS while it waits:
  // kept through a burst of runs, let go once none has come for a while. The next
  // start is then cold and brings it back.
  trimWhenQuiet(() => requests, warmInitIdleMs, () => {
    // Letting it go (kill, reap) touches pages the earlier trim gave back.
    if (running.size === 0 && warm) void warm.dispose().then(trimIdle);
  });

  async function handle(req: MonitorRequest): Promise<MonitorReply> {
    requests++;
    switch (req.op) {
      case "ping":
        if (req.gc) Bun.gc(true); // for memory measurements: settle the heap first
        return { ok: true, running: running.size, pid: process.pid };
      case "exit-if-idle":
        if (running.size > 0) return { ok: false, running: running.size, pid: process.pid };
        setImmediate(() => void quit()); // after the reply is out
        return { ok: true, running: 0, pid: process.pid };
      case "close-stdin":
        closeStdinHolder(launchCtx, req.id);
        return { ok: true, running: running.size, pid: process.pid };
      case "resize":
        resizeTty(launchCtx.ttyMasters, req.id, req.rows, req.cols);
        return { ok: true, running: running.size, pid: process.pid };
      case "start": {
        if (quitting || draining) return { error: "monitor is shutting down", exitCode: 125 };
        const cgKey = `${req.cgroupRoot ?? ""}:${req.cgroupParent}`;
        let cg = parents.get(cgKey);
        if (!cg) parents.set(cgKey, (cg = cgroupDriver({ root: req.cgroupRoot, parent: req.cgroupParent })));
        const id = req.spec.id;
        // Counted from before the launch: a quick command may end before launch returns.
        running.set(id, () => cg.destroy(id));
        const r = await launch({ ...launchCtx, onExit: ended }, req.spec, cg, cgKey);
        if (r.exited) return { pid: r.pid!, startedAt: r.startedAt! };
        running.delete(id);
        return { error: r.error!, exitCode: r.exitCode! };
      }
    }
  }

  function serve(sock: Socket): void {
    let buf = "";
    sock.setEncoding("utf8");
    sock.on("error", () => {});
    sock.on("data", (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = "";
      let req: MonitorRequest;
      try {
        req = JSON.parse(line);
      } catch {
        sock.end(JSON.stringify({ error: "bad request", exitCode: 125 }) + "\n");
        return;
      }
      handle(req).then(
        (reply) => sock.end(JSON.stringify(reply) + "\n"),
        (err) => sock.end(JSON.stringify({ error: String(err?.message ?? err), exitCode: 125 }) + "\n"),
      );
    });
  }

  // A removed exec root (a test daemon's temp dir, an uninstall) means no daemon can
  // reach us or our containers again: end them, remove their cgroups, and go.
  setInterval(async () => {
    if (quitting || existsSync(paths.sock)) return;
    for (const destroy of running.values()) await destroy().catch(() => {});
    await quit();
  }, 1000).unref();

  // SIGTERM/SIGINT end the monitor, but never a container's record: with containers
  // still running it takes no new ones and goes when the last has ended and been written.
  const drain = () => {
    draining = true;
    if (running.size === 0) void quit();
  };
  for (const s of ["SIGINT", "SIGTERM"] as const) process.on(s, drain);
  for (const s of ["SIGHUP", "SIGPIPE"] as const) process.on(s, () => {});
  await new Promise(() => {});
  return 0;
}
