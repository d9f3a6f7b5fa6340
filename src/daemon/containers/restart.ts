// restart: stop (as stop.ts does) then start. Apart from stop.ts because start may remove
// an auto-remove container, and removal stops first.
import type { ContainerContext } from "./context.ts";
import { containerStart } from "./start.ts";
import { stopContainer } from "./stop.ts";

export async function containerRestart(ctx: ContainerContext, ref: string, opts: { timeout?: number; signal?: string }): Promise<void> {
  const c = ctx.store.lookup(ref);
  if (c.state.s.Running) await stopContainer(ctx, c, opts);
  await containerStart(ctx, c.id);
  ctx.emit(c, "restart");
}
