// DELETE /containers/{id}: refuse a running container unless forced; remove the rw
// layer, the container's directory, and record and name in one transaction.
import { rmSync } from "node:fs";
import { conflict } from "../../errors.ts";
import { logger } from "../../log.ts";
import type { Container } from "../../container/container.ts";
import type { ContainerContext } from "./context.ts";
import { stopContainer } from "./stop.ts";
import { removeLink } from "./links.ts";

export async function containerRemove(ctx: ContainerContext, ref: string, opts: { force: boolean; volumes: boolean; link: boolean }): Promise<void> {
  const c = ctx.store.lookup(ref);
  if (opts.link) return removeLink(ctx.store, ref);
  if (c.state.s.Running) {
    if (!opts.force) {
      const what = c.state.s.Paused ? "paused" : "running";
      throw conflict(
        `cannot remove container "/${c.name}": container is ${what}: stop the container before removing or force remove`,
      );
    }
    await stopContainer(ctx, c, { timeout: 0, signal: "KILL" });
  }
  await removeContainer(ctx, c, opts);
}

export async function removeContainer(ctx: ContainerContext, c: Container, opts: { volumes: boolean }): Promise<void> {
  await ctx.lock.run(c.id, async () => {
    if (!ctx.store.find(c.id)) return;
    if (c.state.s.Status === "removing") throw conflict(`removal of container ${c.id} is already in progress`);
    c.state.setRemoving();
    await ctx.exec.cleanup(c).catch(() => {});
    await ctx.network?.detach(c).catch(() => {});
    await ctx.layers.unmountRW(c.id).catch(() => {});
    // Record, name and links go first, in one transaction; files left by a failure or a
    // crash after this are removed at the next daemon start (cleanOrphans).
    ctx.store.remove(c);
    await ctx.layers.removeRW(c.id).catch((err) => logger("containers").warn(`removing rw layer of ${c.id}:`, err));
    rmSync(c.paths.root, { recursive: true, force: true });
    ctx.emit(c, "destroy");
    ctx.volumes?.removed(c, opts.volumes);
    c.state.setRemoved();
  });
}
