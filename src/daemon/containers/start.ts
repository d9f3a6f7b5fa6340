// Start, and what happens when a container's process ends: state, cleanup, events,
// restart policies (with Docker's doubling back-off) and auto-remove.
import { rootfsLeased } from "./rootfs.ts";
import { flushAttached } from "./attach.ts";
import { conflict, notModified, WharfError, errorMessage } from "../../errors.ts";
import type { Container } from "../../container/container.ts";
import type { ExitStatus } from "../../container/state.ts";
import { writeEtcFiles } from "./etcfiles.ts";
import { startLinks, updateParentHosts } from "./links.ts";
import type { ContainerContext } from "./context.ts";
import { logger } from "../../log.ts";
import { retryWhileFdsShort } from "../../sys/fds.ts";

const log = logger("containers");

export async function containerStart(ctx: ContainerContext, ref: string): Promise<void> {
  const c = ctx.store.lookup(ref);
  try {
    await ctx.lock.run(c.id, () => startLocked(ctx, c));
  } catch (err) {
    // A --rm container that could not start is removed, as dockerd does; the CLI waits for it.
    if (c.rec.HostConfig.AutoRemove && (err as { exitCode?: number }).exitCode !== undefined) {
      const { removeContainer } = await import("./remove.ts");
      await removeContainer(ctx, c, { volumes: true }).catch((e) => log.warn(`auto-remove of ${c.id}:`, e));
    }
    throw err;
  }
}

async function startLocked(ctx: ContainerContext, c: Container): Promise<void> {
  const s = c.state.s;
  if (s.Paused) throw conflict("cannot start a paused container, try unpause instead");
  if (s.Running && !s.Restarting) throw notModified();
  if (s.Status === "removing" || s.Dead) throw conflict(`container ${c.id} is marked for removal and cannot be started`);
  c.rec.ManuallyStopped = false;
  await runProcess(ctx, c);
}

/** Mounts the rootfs and starts the process; on failure the container stays stopped. */
export async function runProcess(ctx: ContainerContext, c: Container): Promise<void> {
  let rootfs: string;
  try {
    const links = startLinks(ctx.store, c);
    c.linkEnv = links.env;
    rootfs = await ctx.layers.mountRW(c.id);
    await ctx.network?.attach(c);
    // A link's hosts line goes in like an --add-host entry, after the user's own.
    const hc = c.rec.HostConfig;
    writeEtcFiles(links.hosts.length ? { ...c.rec, HostConfig: { ...hc, ExtraHosts: [...(hc.ExtraHosts ?? []), ...links.hosts.map(hostsEntry)] } } : c.rec, c.paths);
    const mounts = ctx.volumes?.setup(c);
    const { pid, startedAt } = await ctx.exec.start(c, rootfs, mounts).catch((err) => {
      if (mounts) ctx.volumes?.release(c);
      throw err;
    });
    c.state.setRunning(pid, startedAt);
  } catch (err) {
    const exitCode = (err as { exitCode?: number }).exitCode ?? 125;
    c.state.setStartFailed(exitCode, errorMessage(err));
    await ctx.exec.cleanup(c).catch(() => {});
    await ctx.network?.detach(c).catch(() => {});
    await ctx.layers.unmountRW(c.id).catch(() => {});
    ctx.store.save(c);
    // dockerd answers 400 for a command that is missing or not executable.
    const kind = exitCode === 126 || exitCode === 127 ? "invalidParameter" : err instanceof WharfError ? err.kind : "system";
    throw Object.assign(new WharfError(kind, errorMessage(err)), { exitCode });
  }
  c.rec.HasBeenStarted = true;
  ctx.store.save(c);
  updateParentHosts(ctx.store, c);
  ctx.emit(c, "start");
  superviseExit(ctx, c);
}

/** Waits for the process to end (also for containers found alive after a restart). */
export function superviseExit(ctx: ContainerContext, c: Container): void {
  const startedAt = Date.parse(c.state.s.StartedAt);
  ctx.exec.waitExit(c).then(
    (status) => onExit(ctx, c, status, startedAt),
    (err) => {
      log.error(`waiting for container ${c.id}:`, err);
      void onExit(ctx, c, { exitCode: 255, error: errorMessage(err) }, startedAt);
    },
  );
}

async function onExit(ctx: ContainerContext, c: Container, status: ExitStatus, startedAt: number): Promise<void> {
  if (!ctx.store.find(c.id)) return;
  await flushAttached(c);
  const restart = await ctx.lock.run(c.id, async () => {
    // Each step waits out a shortage of descriptors rather than leaving a leak behind.
    await retryWhileFdsShort(() => ctx.exec.cleanup(c)).catch((err) => log.warn(`cleanup of ${c.id}:`, err));
    await retryWhileFdsShort(() => ctx.network?.detach(c, { background: true })).catch((err) => log.warn(`network cleanup of ${c.id}:`, err));
    // An export still reading the root keeps it mounted; its end unmounts it.
    if (!rootfsLeased(c.id)) await retryWhileFdsShort(() => ctx.layers.unmountRW(c.id)).catch((err) => log.warn(`unmount of ${c.id}:`, err));
    await retryWhileFdsShort(() => ctx.volumes?.release(c)).catch((err) => log.warn(`volume release of ${c.id}:`, err));
    const delay = restartDelay(c, status, Date.now() - startedAt);
    if (delay === undefined) c.state.setStopped(status);
    else c.state.setRestarting(status);
    await retryWhileFdsShort(() => ctx.store.save(c));
    ctx.emit(c, "die", { exitCode: String(status.exitCode) });
    return delay;
  });
  if (restart !== undefined) {
    await Bun.sleep(restart);
    await ctx.lock.run(c.id, async () => {
      if (!ctx.store.find(c.id) || !c.state.s.Restarting || c.rec.ManuallyStopped) return;
      c.rec.RestartCount++;
      await runProcess(ctx, c).catch((err) => {
        c.state.setStopped({ exitCode: c.state.s.ExitCode, error: errorMessage(err) });
        ctx.store.save(c);
      });
    });
    return;
  }
  if (c.rec.HostConfig.AutoRemove) {
    const { removeContainer } = await import("./remove.ts");
    await removeContainer(ctx, c, { volumes: true }).catch((err) => log.warn(`auto-remove of ${c.id}:`, err));
  }
}

/** Docker's restart manager: undefined means stay stopped; otherwise the back-off in ms. */
function restartDelay(c: Container, status: ExitStatus, ranMs: number): number | undefined {
  const p = c.rec.HostConfig.RestartPolicy ?? { Name: "no" };
  if (c.rec.ManuallyStopped || c.state.s.Status === "removing") return undefined;
  switch (p.Name) {
    case "always":
    case "unless-stopped":
      break;
    case "on-failure":
      if (status.exitCode === 0) return undefined;
      if ((p.MaximumRetryCount ?? 0) > 0 && c.rec.RestartCount >= p.MaximumRetryCount!) return undefined;
      break;
    default:
      return undefined;
  }
  // 100 ms doubling up to a minute; a run of 10 s or more resets the back-off.
  const state = c as Container & { backoff?: number };
  state.backoff = ranMs >= 10_000 || !state.backoff ? 100 : Math.min(state.backoff * 2, 60_000);
  return state.backoff;
}

/** `ip\tnames` as the `names:ip` form ExtraHosts entries have. */
function hostsEntry(line: string): string {
  const [ip, names] = line.split("\t");
  return `${names}:${ip}`;
}
