// stop, kill (restart.ts stops then starts): signal first, wait, then SIGKILL after the timeout. The lock is
// not held while waiting, so the exit handler can record the exit.
import { conflict, notModified } from "../../errors.ts";
import { parseSignal } from "../../sys/signals.ts";
import type { Container } from "../../container/container.ts";
import type { ContainerContext } from "./context.ts";

const SIGKILL = 9;

export async function containerKill(ctx: ContainerContext, ref: string, signal = "KILL"): Promise<void> {
  const c = ctx.store.lookup(ref);
  const sig = parseSignal(signal);
  const stopped = c.state.wait("not-running");
  await ctx.lock.run(c.id, async () => {
    if (!c.state.s.Running || c.state.s.Restarting) throw conflict(`Container ${c.id} is not running`);
    if (sig === SIGKILL || sig === 15 || sig === 2) c.rec.ManuallyStopped = true;
    await ctx.exec.signal(c, sig);
    ctx.emit(c, "kill", { signal: String(sig) });
  });
  // dockerd's Kill waits for a SIGKILLed container to be down before it answers, so
  // a client's next call (exec, start, rm) sees it stopped.
  if (sig === SIGKILL) await Promise.race([stopped, Bun.sleep(10_000)]);
}

export async function containerStop(ctx: ContainerContext, ref: string, opts: { timeout?: number; signal?: string }): Promise<void> {
  const c = ctx.store.lookup(ref);
  if (!c.state.s.Running) throw notModified();
  await stopContainer(ctx, c, opts);
}

export async function stopContainer(ctx: ContainerContext, c: Container, opts: { timeout?: number; signal?: string }): Promise<void> {
  const sig = parseSignal(opts.signal || c.rec.Config.StopSignal || "SIGTERM");
  const timeout = opts.timeout ?? c.rec.Config.StopTimeout ?? 10;
  const stopped = c.state.wait("not-running");
  await ctx.lock.run(c.id, async () => {
    c.rec.ManuallyStopped = true;
    ctx.store.save(c);
    if (c.state.s.Restarting) {
      // Nothing runs between restarts: settle the container as stopped now.
      c.state.setStopped({ exitCode: c.state.s.ExitCode });
      ctx.store.save(c);
      return;
    }
    if (!c.state.s.Running) return;
    if (c.state.s.Paused) await ctx.exec.resume(c);
    await ctx.exec.signal(c, sig).catch(() => {});
    ctx.emit(c, "kill", { signal: String(sig) });
  });
  const inTime = timeout < 0 ? await stopped.then(() => true) : await Promise.race([stopped.then(() => true), Bun.sleep(timeout * 1000).then(() => false)]);
  if (!inTime && c.state.s.Running) {
    await ctx.exec.signal(c, SIGKILL).catch(() => {});
    ctx.emit(c, "kill", { signal: String(SIGKILL) });
    await stopped;
  }
  ctx.emit(c, "stop");
}
