// The monitor's end of dockerinit's status socket. Each start waits on its own token:
// first the host pid, then either "execing" followed by the socket closing (the
// descriptor is close-on-exec, so a successful execve closes it), or an error.
import { createServer, type Server, type Socket } from "node:net";
import { rmSync } from "node:fs";
import type { InitReport } from "../init/config.ts";

export interface InitOutcome {
  pid?: number;
  startedAt?: string;
  error?: string;
  exitCode?: number;
}

interface Pending {
  outcome: InitOutcome;
  resolve: (o: InitOutcome) => void;
}

export class InitStatusServer {
  private server?: Server;
  private readonly pending = new Map<string, Pending>();
  /** Who takes a TTY container's terminal master, by token: true when it did. */
  private readonly ptyTakers = new Map<string, (initPid: number, fd: number) => boolean>();

  /** Registers how to take the terminal master the init of `token` offers. */
  onPtyMaster(token: string, take: (initPid: number, fd: number) => boolean): void {
    this.ptyTakers.set(token, take);
  }

  constructor(readonly path: string) {}

  async listen(): Promise<void> {
    rmSync(this.path, { force: true });
    this.server = createServer((sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.path, () => resolve());
    });
  }

  /** Resolves when the init of `token` has exec'd, failed, or gone without a word. */
  expect(token: string): { done: Promise<InitOutcome>; abandon: () => void } {
    let resolve!: (o: InitOutcome) => void;
    const done = new Promise<InitOutcome>((r) => (resolve = r));
    this.pending.set(token, { outcome: {}, resolve });
    return { done, abandon: () => this.finish(token) };
  }

  private finish(token: string): void {
    const p = this.pending.get(token);
    if (!p) return;
    this.pending.delete(token);
    this.ptyTakers.delete(token);
    p.resolve(p.outcome);
  }

  private accept(sock: Socket): void {
    let buf = "";
    let token: string | undefined;
    sock.setEncoding("utf8");
    sock.on("data", (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let r: InitReport;
        try {
          r = JSON.parse(line);
        } catch {
          continue;
        }
        token = r.token;
        const p = this.pending.get(r.token);
        if (!p) continue;
        if ("pid" in r) p.outcome.pid = r.pid;
        if ("execing" in r) p.outcome.startedAt = r.startedAt;
        if ("error" in r) Object.assign(p.outcome, { error: r.error, exitCode: r.exitCode });
        if ("ptyMaster" in r) {
          // The init waits for this answer before it moves onto the terminal.
          const take = this.ptyTakers.get(r.token);
          const ok = !!take && p.outcome.pid !== undefined && take(p.outcome.pid, r.ptyMaster);
          sock.write(ok ? "1" : "0");
        }
      }
    });
    sock.on("close", () => token && this.finish(token));
    sock.on("error", () => {});
  }

  close(): void {
    this.server?.close();
    rmSync(this.path, { force: true });
  }
}
