// pause, unpause, rename, update, wait, prune.
import { dirSize } from "../../volume/service.ts";
import { conflict, invalidParameter } from "../../errors.ts";
import { validContainerName } from "../../container/names.ts";
import { validateHostConfig } from "../../container/config.ts";
import type { HostConfig } from "../../api/types/index.ts";
import { matchLabels, type Filters } from "../../filters.ts";
import { parseTimestampNano } from "../../time.ts";
import type { WaitCondition } from "../../container/state.ts";
import type { ContainerContext } from "./context.ts";
import { removeContainer } from "./remove.ts";

export async function containerPause(ctx: ContainerContext, ref: string, pause: boolean): Promise<void> {
  const c = ctx.store.lookup(ref);
  await ctx.lock.run(c.id, async () => {
    const s = c.state.s;
    if (!s.Running || s.Restarting) throw conflict(`Container ${c.id} is not running`);
    if (pause && s.Paused) throw conflict(`Container ${c.id} is already paused`);
    if (!pause && !s.Paused) throw conflict(`Container ${c.id} is not paused`);
    await (pause ? ctx.exec.pause(c) : ctx.exec.resume(c));
    c.state.setPaused(pause);
    ctx.store.save(c);
    ctx.emit(c, pause ? "pause" : "unpause");
  });
}

export async function containerRename(ctx: ContainerContext, ref: string, newName: string): Promise<void> {
  const c = ctx.store.lookup(ref);
  if (!validContainerName.test(newName)) throw invalidParameter(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const name = newName.replace(/^\//, "");
  await ctx.lock.run(c.id, async () => {
    const old = c.name;
    if (old === name) throw invalidParameter("Renaming a container with the same name as its current name");
    ctx.store.rename(c, name);
    ctx.emit(c, "rename", { oldName: `/${old}` });
  });
}

const updatable = [
  "CpuShares", "Memory", "MemorySwap", "MemoryReservation", "NanoCpus", "CpuPeriod", "CpuQuota", "CpusetCpus",
  "CpusetMems", "PidsLimit", "BlkioWeight", "RestartPolicy", "KernelMemoryTCP",
] as const satisfies readonly (keyof HostConfig)[];

export async function containerUpdate(ctx: ContainerContext, ref: string, body: HostConfig): Promise<{ Warnings: string[] }> {
  const c = ctx.store.lookup(ref);
  return await ctx.lock.run(c.id, async () => {
    const next: Record<string, unknown> = { ...c.rec.HostConfig };
    const given: Record<string, unknown> = body;
    for (const k of updatable) if (given[k] !== undefined && given[k] !== null) next[k] = given[k];
    if (body.RestartPolicy?.Name && c.rec.HostConfig.AutoRemove && body.RestartPolicy.Name !== "no") {
      throw invalidParameter("Restart policy cannot be updated because AutoRemove is enabled for the container");
    }
    validateHostConfig(next as HostConfig, ctx.ncpu);
    const previous = c.rec.HostConfig;
    c.rec.HostConfig = next as HostConfig;
    if (c.state.s.Running) {
      try {
        await ctx.exec.update(c);
      } catch (err) {
        c.rec.HostConfig = previous;
        throw err;
      }
    }
    ctx.store.save(c);
    ctx.emit(c, "update");
    return { Warnings: [] };
  });
}

export async function containerWait(ctx: ContainerContext, ref: string, cond: WaitCondition) {
  const c = ctx.store.lookup(ref);
  // Subscribe now, before the response starts, so an exit in between is not missed.
  const p = c.state.wait(cond);
  return () => p;
}

export async function containersPrune(ctx: ContainerContext, f: Filters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
  const until = f.get("until")?.[0];
  const untilMs = until ? Number(parseTimestampNano(until, "until") / 1_000_000n) : undefined;
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const c of ctx.store.all()) {
    if (c.state.s.Running) continue;
    if (untilMs !== undefined && Date.parse(c.rec.Created) >= untilMs) continue;
    if (!matchLabels(c.rec.Config.Labels, f.get("label"))) continue;
    const notLabels = f.get("label!");
    if (notLabels?.length && matchLabels(c.rec.Config.Labels, notLabels)) continue;
    // What dockerd counts: the writable layer's size, measured before it goes.
    const size = dirSize(ctx.layers.rwDiffPath(c.id));
    await removeContainer(ctx, c, { volumes: false });
    deleted.push(c.id);
    reclaimed += size;
  }
  ctx.events.publish("container", "prune", "", { reclaimed: String(reclaimed) });
  return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}
