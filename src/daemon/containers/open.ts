// The container part of daemon start: graph db, container store, exec driver over the
// runtime, its backends served as jobs, then restore (reattach, settle, restart policies).
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import type { Engine } from "../../engine/engine.ts";
import type { DaemonConfig } from "../config.ts";
import type { LayerStore } from "../../storage/types.ts";
import type { ImageService } from "../../image/service.ts";
import { GraphDb } from "../../names/graphdb.ts";
import { ContainerStore } from "../../container/store.ts";
import { KeyedLock } from "../../keyedlock.ts";
import { createRuntime } from "../../runtime/runtime.ts";
import { makeShared } from "../../storage/mount.ts";
import { RuntimeExecDriver } from "./execdriver.ts";
import { ContainerService } from "./service.ts";
import { containerEvent, type ContainerContext } from "./context.ts";
import { serveContainers } from "./jobs.ts";
import { containerFsJobs, execJobs } from "../backends.ts";
import type { ContainerFsBackend } from "../../api/routers/containers/backend.ts";
import type { ExecBackend } from "../../api/routers/exec/backend.ts";
import type { VolumeService } from "../../volume/service.ts";
import { ContainerVolumes } from "../../volume/containers.ts";
import type { NetworkManager } from "../../network/controller.ts";
import { containerFsBackend } from "./fsbackend.ts";
import { ExecService } from "../exec/service.ts";
import { selfCommand } from "../../reexec.ts";
import { execBackend } from "../exec/backend.ts";
import { HealthMonitor } from "../health/monitor.ts";
import { stopContainer } from "./stop.ts";

export interface Containers {
  service: ContainerService;
  /** The container verbs as served jobs: the containers, logs, attach and links routers' backend. */
  backend: ReturnType<typeof serveContainers>;
  fs: ContainerFsBackend;
  exec: ExecBackend;
  ctx: ContainerContext;
  close(): void;
  /** Stops every running container, each within `timeoutSec` (shutdown without live-restore). */
  stopAll(timeoutSec: number): Promise<void>;
  /** Ends the container monitor if it holds no running container. */
  stopMonitor(): Promise<boolean>;
}

/** Each daemon's containers go under their own cgroup parent, so test daemons never collide. */
export function cgroupParentFor(c: DaemonConfig): string {
  if (c.cgroupParent) return c.cgroupParent;
  if (c.dataRoot === "/var/lib/wharf") return "wharf";
  return `wharf-${createHash("sha256").update(c.dataRoot).digest("hex").slice(0, 12)}`;
}

export async function openContainers(c: DaemonConfig, engine: Engine, layers: LayerStore, images: ImageService, volumeService?: VolumeService, network?: NetworkManager): Promise<Containers> {
  mkdirSync(join(c.dataRoot, "containers"), { recursive: true, mode: 0o710 });
  const db = GraphDb.open(join(c.dataRoot, "graph.db"));
  const store = new ContainerStore(db, join(c.dataRoot, "containers"));
  // Prewarmed inits are copied from this mount namespace before the next rootfs is
  // mounted: the layer store's home is shared so those mounts reach them.
  await makeShared(join(c.dataRoot, layers.driverName));
  const runtime = createRuntime({ execRoot: join(c.execRoot, "rt"), cgroupParent: cgroupParentFor(c) });
  const ctx: ContainerContext = {
    store,
    lock: new KeyedLock(),
    images: images.view(),
    layers,
    exec: new RuntimeExecDriver(runtime, (ref) => store.lookup(ref)),
    events: engine.events,
    ncpu: cpus().length,
    volumes: volumeService && new ContainerVolumes(volumeService, (ref) => store.lookup(ref), () => store.all()),
    emit: (ct, action, extra) => containerEvent(engine.events, ct, action, extra),
    network,
  };
  const service = new ContainerService(ctx);
  images.setImageInUse((id) => store.all().find((ct) => ct.rec.Image === id)?.id);
  const backend = serveContainers(engine, service);
  // Every container record is read once, here: the network takes back the addresses of
  // those still running, then restore settles the rest.
  const loaded = store.load();
  if (network) {
    network.bindContainers({ all: () => store.all(), lookup: (ref) => store.lookup(ref), save: (ct) => store.save(ct), lock: (id, fn) => ctx.lock.run(id, fn) });
    // Before restart policies hand out addresses: take back those of the survivors.
    await network.reconcile(loaded.filter((ct) => ct.state.s.Running && ctx.exec.alive(ct)));
  }
  const fs = containerFsJobs(engine, containerFsBackend(ctx, images));
  const execs = new ExecService(ctx, selfCommand("dockerinit"), join(c.execRoot, "exec.sock"));
  const exec = execJobs(engine, execBackend(ctx, execs));
  const health = new HealthMonitor(execs, ctx.emit, (ct) => {
    if (store.find(ct.id)) store.save(ct);
  });
  // Healthchecks follow the container's life as its events tell it.
  engine.events.subscribe((ev) => {
    if (ev.Type !== "container") return;
    const ct = store.find(ev.Actor.ID);
    if (ev.Action === "start" && ct) health.start(ct, true);
    else if (ev.Action === "unpause" && ct) health.start(ct, false);
    else if (ev.Action === "die" || ev.Action === "pause" || ev.Action === "destroy") health.stop(ev.Actor.ID);
  });
  await service.restore(loaded);
  // Containers that outlived the last daemon keep their status until the next probe.
  for (const ct of store.all()) if (ct.state.s.Running && !ct.state.s.Paused) health.start(ct, false);
  ctx.volumes?.reconcile();
  // Exec instances live in this daemon's memory only (as Docker's): none survive a restart.
  for (const ct of store.all()) ct.rec.ExecIDs = [];
  const stopAll = async (timeout: number) => {
    const running = store.all().filter((ct) => ct.state.s.Running);
    await Promise.all(running.map((ct) => stopContainer(ctx, ct, { timeout: ct.rec.Config.StopTimeout ?? timeout }).catch(() => {})));
  };
  return { service, backend, fs, exec, ctx, close: () => (health.close(), execs.close(), db.close()), stopAll, stopMonitor: () => runtime.monitor.exitIfIdle() };
}
