// --init: PID 1 that runs the command as its child, passes signals on, reaps every
// orphan the namespace hands it, and exits with the command's status.
import { constants } from "node:os";
import { kill, waitpid } from "../sys/libc.ts";

const WNOHANG = 1;
const forwarded = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCONT", "SIGALRM"] as const;

export async function runInit(file: string, args: string[], env: string[]): Promise<number> {
  const envObj = Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  const child = Bun.spawn([file, ...args.slice(1)], { argv0: args[0], env: envObj, stdio: ["inherit", "inherit", "inherit"] });
  for (const s of forwarded) process.on(s, () => {
    try {
      kill(child.pid, constants.signals[s]);
    } catch {}
  });
  return await new Promise<number>((resolve) => {
    // Reaping with waitpid(-1) also collects the command itself, so its status is ours.
    const reap = () => {
      for (;;) {
        let pid: number, st: number;
        try {
          [pid, st] = waitpid(-1, WNOHANG);
        } catch {
          return; // ECHILD: nothing left
        }
        if (pid <= 0) return;
        if (pid === child.pid) resolve(st & 0x7f ? 128 + (st & 0x7f) : (st >> 8) & 0xff);
      }
    };
    process.on("SIGCHLD", reap);
    setInterval(reap, 100);
    // Bun may reap the command before our waitpid(-1) does; then its own promise knows.
    void child.exited.then(() => resolve(child.signalCode ? 128 + (constants.signals as Record<string, number>)[child.signalCode]! : (child.exitCode ?? 255)));
  });
}
