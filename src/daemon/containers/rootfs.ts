// A container's merged root filesystem for cp and export, held under the container's
// lock. A stopped container's root is mounted for the operation and unmounted after
// (a start slipping in between would have it pulled from under it). A running one is
// frozen meanwhile, as Docker does since CVE-2018-15664: otherwise a process inside
// could swap a directory we just checked for a symlink to the host's / before we use it.
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
    // A running container's root is mounted already; a stopped one's only for us.
    const running = c.state.s.Running;
    const root = await ctx.layers.mountRW(c.id);
    mounted = !running;
    const freeze = running && !c.state.s.Paused;
    if (freeze) await ctx.exec.pause(c);
    let done = false;
    return {
      root,
      release: async () => {
        if (done) return;
        done = true;
        try {
          if (freeze) await ctx.exec.resume(c);
          if (mounted) await ctx.layers.unmountRW(c.id);
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

/** Shared leases per container: its root stays mounted while any is held. */
const shared = new Map<string, number>();

/** True while a shared lease holds the container's root mounted (its exit leaves it so). */
export function rootfsLeased(id: string): boolean {
  return (shared.get(id) ?? 0) > 0;
}

/**
 * The merged root for a long stream (export) whose reader may be slow or never read:
 * the container's lock is held only to mount and, at the end, to unmount, and the
 * container is not frozen, as dockerd's export does not freeze it. Start, stop, exec
 * and inspect go on meanwhile.
 */
export async function leaseRootfsShared(ctx: ContainerContext, c: Container): Promise<RootfsLease> {
  const root = await ctx.lock.run(c.id, async () => {
    const r = await ctx.layers.mountRW(c.id);
    shared.set(c.id, (shared.get(c.id) ?? 0) + 1);
    return r;
  });
  let done = false;
  return {
    root,
    release: async () => {
      if (done) return;
      done = true;
      await ctx.lock.run(c.id, async () => {
        const n = (shared.get(c.id) ?? 1) - 1;
        if (n > 0) shared.set(c.id, n);
        else shared.delete(c.id);
        if (n <= 0 && !c.state.s.Running && ctx.store.find(c.id)) await ctx.layers.unmountRW(c.id).catch(() => {});
      });
    },
  };
}
