// The daemon holds the stores and drivers and registers their jobs with the engine.
import { swarmRoutes } from "../api/routers/swarm/routes.ts";
import { pluginRoutes } from "../api/routers/plugins/routes.ts";
import { buildCacheRoutes } from "../api/routers/buildcache/routes.ts";
import { releaseSharedMounts } from "../storage/mount.ts";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Engine } from "../engine/engine.ts";
import { ApiServer } from "../api/server.ts";
import { Router } from "../api/router.ts";
import { systemRoutes } from "../api/routers/system/routes.ts";
import { DataRootLock } from "./lock.ts";
import { registerSystemJobs, type SystemState } from "./system.ts";
import type { DaemonConfig } from "./config.ts";
import { logger } from "../log.ts";
import { openLayerStore } from "../storage/index.ts";
import type { LayerStore } from "../storage/types.ts";
import { openImageService, type ImageService } from "../image/service.ts";
import { engineImageBackend, registerImageJobs } from "../image/jobs.ts";
import { imageRoutes } from "../api/routers/images/routes.ts";
import { openContainers, type Containers } from "./containers/open.ts";
import { VolumeService } from "../volume/service.ts";
import { volumeRoutes } from "../api/routers/volumes/routes.ts";
import { dfRoutes } from "../api/routers/system/df.ts";
import { NetworkManager } from "../network/manager.ts";
import { networkRoutes } from "../api/routers/networks/routes.ts";
import { setHostGateway } from "./containers/etcfiles.ts";

const log = logger("daemon");

export class Daemon {
  readonly engine = new Engine();
  private readonly router = new Router();
  private readonly api = new ApiServer(this.router);
  private lock?: DataRootLock;
  private id = "";
  layers?: LayerStore;
  images?: ImageService;
  containers?: Containers;
  volumes?: VolumeService;
  network?: NetworkManager;

  constructor(readonly config: DaemonConfig) {}

  /** The start order of the classic daemon, one awaited step per line. */
  async start(): Promise<void> {
    const c = this.config;
    this.lock = DataRootLock.acquire(c.dataRoot, c.pidfile);
    mkdirSync(c.execRoot, { recursive: true, mode: 0o700 });
    registerSystemJobs(this.engine, () => this.systemState());
    this.router.add(...systemRoutes(this.engine));
    this.router.add(...swarmRoutes(), ...pluginRoutes());
    // Listen before init so early clients queue instead of failing; accept after.
    await this.api.listen(c.listeners);
    this.id = engineId(c.dataRoot);
    this.layers = await openLayerStore({ dataRoot: c.dataRoot, driver: c.storageDriver });
    this.images = await openImageService(c.dataRoot, this.layers, this.engine.events);
    registerImageJobs(this.engine, this.images);
    this.router.add(...imageRoutes(engineImageBackend(this.engine)));
    this.volumes = await VolumeService.open(c.dataRoot, this.engine.events);
    this.router.add(...volumeRoutes(this.volumes));
    this.network = new NetworkManager({ dataRoot: c.dataRoot, execRoot: c.execRoot, bridge: c.bridge, bip: c.bip }, this.engine.events);
    await this.network.open();
    setHostGateway(this.network.hostGateway());
    this.router.add(...networkRoutes(this.network));
    this.containers = await openContainers(c, this.engine, this.router, this.layers, this.images, this.volumes, this.network);
    this.router.add(...dfRoutes(this.engine, this.volumes, this.containers.service));
    this.api.acceptConnections();
    // Last of all, so a builder's own /build/prune, registered before, answers instead.
    this.router.add(...buildCacheRoutes());
    this.engine.events.publish("daemon", "start", this.id, { name: "wharf" });
    log.info(`daemon ready (data root ${c.dataRoot}, pid ${process.pid})`);
  }

  async shutdown(): Promise<void> {
    log.info("shutting down: no new connections, finishing in-flight requests");
    await this.api.close(10_000);
    const counts = this.containers?.service.counts();
    const live = (counts?.running ?? 0) + (counts?.paused ?? 0) > 0;
    await this.network?.close(live).catch((err) => log.warn("network shutdown:", err));
    this.containers?.close();
    this.volumes?.close();
    await this.layers?.close();
    if (!live) releaseSharedMounts();
    this.lock?.release();
    log.info("shutdown complete");
  }

  private systemState(): SystemState {
    return {
      id: this.id,
      dataRoot: this.config.dataRoot,
      debug: this.config.debug,
      storageDriver: () => this.layers?.driverName ?? this.config.storageDriver ?? "overlay2",
      containerCounts: () => this.containers?.service.counts() ?? { total: 0, running: 0, paused: 0, stopped: 0 },
      imageCount: () => this.images?.images.size ?? 0,
    };
  }
}

/** A daemon's ID is made once and kept under the data root, so it survives restarts. */
function engineId(dataRoot: string): string {
  const path = join(dataRoot, "engine-id");
  try {
    const id = readFileSync(path, "utf8").trim();
    if (id) return id;
  } catch {}
  const id = crypto.randomUUID();
  writeFileSync(path, id + "\n", { mode: 0o600 });
  return id;
}
