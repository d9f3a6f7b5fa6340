// A container's merged root filesystem for cp, export, diff and commit. A running
// container's root is already mounted; a stopped one's is mounted for the operation
// and unmounted after, under the container's lock so a start cannot slip in between
// (start mounts the same rw layer and our unmount would pull it from under it).
import type { Container } from "../../container/container.ts";
import type { ContainerContext } from "./context.ts";

export interface RootfsLease {
  root: string;
  release(): Promise<void>;
}

export async function leaseRootfs(ctx: ContainerContext, c: Container): Promise<RootfsLease> {
  let unlock!: () => void;
  const held = new Promise<void>((r) => (unlock = r));
  let acquired!: () => void;
  const got = new Promise<void>((r) => (acquired = r));
  const locked = ctx.lock.run(c.id, async () => {
    acquired();
    await held;
  });
  await got;
  let mounted = false;
  try {
    if (c.state.s.Running) {
      // Running: the mount exists and belongs to the process; hold no lock while streaming.
      const root = await ctx.layers.mountRW(c.id);
      unlock();
      await locked;
      return { root, release: async () => {} };
    }
    const root = await ctx.layers.mountRW(c.id);
    mounted = true;
    let done = false;
    return {
      root,
      release: async () => {
        if (done) return;
        done = true;
        try {
          await ctx.layers.unmountRW(c.id);
        } finally {
          unlock();
          await locked;
        }
      },
    };
  } catch (err) {
    if (mounted) await ctx.layers.unmountRW(c.id).catch(() => {});
    unlock();
    await locked.catch(() => {});
    throw err;
  }
}
