// DELETE /containers/{id}: refuse a running container unless forced; remove the rw
// layer, the container's directory, and record and name in one transaction.
import { rmSync } from "node:fs";
import { conflict, notFound } from "../../errors.ts";
import type { Container } from "../../container/container.ts";
import type { ContainerContext } from "./context.ts";
import { stopContainer } from "./stop.ts";

export async function containerRemove(ctx: ContainerContext, ref: string, opts: { force: boolean; volumes: boolean; link: boolean }): Promise<void> {
  const c = ctx.store.lookup(ref);
  if (opts.link) throw notFound(`Could not find link ${ref}`);
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

export async function removeContainer(ctx: ContainerContext, c: Container, _opts: { volumes: boolean }): Promise<void> {
  await ctx.lock.run(c.id, async () => {
    if (!ctx.store.find(c.id)) return;
    if (c.state.s.Status === "removing") throw conflict(`removal of container ${c.id} is already in progress`);
    c.state.setRemoving();
    await ctx.exec.cleanup(c).catch(() => {});
    await ctx.network?.detach(c).catch(() => {});
    await ctx.layers.unmountRW(c.id).catch(() => {});
    await ctx.layers.removeRW(c.id);
    ctx.store.remove(c);
    rmSync(c.paths.root, { recursive: true, force: true });
    ctx.emit(c, "destroy");
    c.state.setRemoved();
  });
}
