// The daemon's side of the monitor: finds it, starts it when there is none (detached,
// in its own session), and sends it one request a connection.
import { connect } from "node:net";
import { mkdirSync, openSync, closeSync } from "node:fs";
import { monitorPaths, type MonitorReply, type MonitorRequest } from "./protocol.ts";

export const monitorRole = "wharf-monitor";

function request(sockPath: string, req: MonitorRequest): Promise<MonitorReply> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const sock = connect({ path: sockPath }, () => sock.write(JSON.stringify(req) + "\n"));
    sock.setEncoding("utf8");
    sock.on("data", (c: string) => (buf += c));
    sock.on("error", reject);
    sock.on("close", () => {
      try {
        resolve(JSON.parse(buf));
      } catch {
        reject(new Error(`the monitor closed the connection without a reply to ${req.op}`));
      }
    });
  });
}

export class MonitorClient {
  private readonly paths;

  constructor(
    readonly execRoot: string,
    private readonly binary: string,
    private readonly prewarm = true,
  ) {
    this.paths = monitorPaths(execRoot);
  }

  async send(req: MonitorRequest): Promise<MonitorReply> {
    try {
      return await request(this.paths.sock, req);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ECONNREFUSED") throw err;
    }
    await this.spawnMonitor();
    return request(this.paths.sock, req);
  }

  /** Is a monitor serving this exec root? Does not start one. */
  async ping(gc = false): Promise<{ ok: boolean; running: number; pid: number } | undefined> {
    try {
      return (await request(this.paths.sock, { op: "ping", gc })) as { ok: boolean; running: number; pid: number };
    } catch {
      return undefined;
    }
  }

  /** Asks the monitor to exit if it holds no running container; true when it did. */
  async exitIfIdle(): Promise<boolean> {
    const r = await this.ping();
    if (!r) return true;
    const reply = (await request(this.paths.sock, { op: "exit-if-idle" })) as { ok: boolean; pid: number };
    if (!reply.ok) return false;
    // Wait until the process is really gone, so callers can check for leftovers.
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      try {
        process.kill(reply.pid, 0);
      } catch {
        return true;
      }
      await Bun.sleep(5);
    }
    return false;
  }

  private async spawnMonitor(): Promise<void> {
    mkdirSync(this.execRoot, { recursive: true, mode: 0o700 });
    const log = openSync(this.paths.log, "a");
    try {
      const p = Bun.spawn([this.binary, this.execRoot, ...(this.prewarm ? [] : ["--no-prewarm"])], {
        argv0: monitorRole,
        detached: true,
        stdio: ["ignore", log, log],
        // The current environment, not Bun's snapshot from exec: LISTEN_FDS & co. are gone from it.
        env: process.env,
      });
      p.unref();
    } finally {
      closeSync(log);
    }
    // Two daemons racing both spawn; the loser's monitor finds the lock taken and exits.
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      if (await this.ping()) return;
      await Bun.sleep(2);
    }
    throw new Error(`the monitor for ${this.execRoot} did not come up within 5 s (see ${this.paths.log})`);
  }
}
