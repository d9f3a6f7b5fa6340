// The daemon holds the stores and drivers and registers their jobs with the engine.
import { idleTrimMs, trimWhenQuiet } from "../sys/trim.ts";
import { swarmRoutes } from "../api/routers/swarm/routes.ts";
import { pluginRoutes } from "../api/routers/plugins/routes.ts";
import { releaseSharedMounts } from "../storage/mount.ts";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Engine } from "../engine/engine.ts";
import { ApiServer } from "../api/server.ts";
import { checkListeners, socketGroup } from "./listeners.ts";
import { Router } from "../api/router.ts";
import { systemRoutes } from "../api/routers/system/routes.ts";
import { DataRootLock } from "./lock.ts";
import { registerSystemJobs, type SystemState } from "./system.ts";
import type { DaemonConfig, ReloadableConfig } from "./config.ts";
import { logger, setLogLevel } from "../log.ts";
import { hostInfo } from "../sys/host.ts";
import { openLayerStore } from "../storage/index.ts";
import type { LayerStore } from "../storage/types.ts";
import { openImageService, type ImageService } from "../image/service.ts";
import { buildBackend, dfBackend, distributionBackend, imageBackend, networkBackend, volumeBackend } from "./backends.ts";
import { imageRoutes } from "../api/routers/images/routes.ts";
import { distributionRoutes } from "../api/routers/images/distribution.ts";
import { distributionContext } from "../distribution/jobs.ts";
import { containerRoutes } from "../api/routers/containers/routes.ts";
import { attachRoutes, logRoutes } from "../api/routers/containers/io.ts";
import { linkRoutes } from "../api/routers/containers/linkroutes.ts";
import { containerFsRoutes } from "../api/routers/containers/fs-routes.ts";
import { execRoutes } from "../api/routers/exec/routes.ts";
import { attachWsRoutes } from "../api/routers/containers/ws.ts";
import { openContainers, type Containers } from "./containers/open.ts";
import { VolumeService } from "../volume/service.ts";
import { volumeRoutes } from "../api/routers/volumes/routes.ts";
import { dfRoutes } from "../api/routers/system/df.ts";
import { NetworkManager } from "../network/controller.ts";
import { networkRoutes } from "../api/routers/networks/routes.ts";
import { setHostGateway } from "./containers/etcfiles.ts";
import { setContainerDefaults } from "./containers/daemon-defaults.ts";
import { openBuilder } from "./build.ts";
import { buildRoutes } from "../api/routers/build/routes.ts";
import { resolveFdListeners, sdNotify } from "./systemd.ts";

const log = logger("daemon");

export class Daemon {
  readonly engine = new Engine();
  private readonly router = new Router();
  private readonly api = new ApiServer(this.router);
  private lock?: DataRootLock;
  private id = "";
  private interrupted?: string;
  private trimmer?: { stop(): void };
  layers?: LayerStore;
  images?: ImageService;
  containers?: Containers;
  volumes?: VolumeService;
  network?: NetworkManager;

  constructor(readonly config: DaemonConfig) {}

  /**
   * The start order of the classic daemon, one awaited step per line. After each step a
   * pending interrupt() ends the start: the caller then runs shutdown(), which undoes
   * whatever the steps so far made.
   */
  async start(): Promise<void> {
    const c = this.config;
    this.lock = DataRootLock.acquire(c.dataRoot, c.pidfile);
    mkdirSync(c.execRoot, { recursive: true, mode: 0o700 });
    registerSystemJobs(this.engine, () => this.systemState());
    this.router.add(...systemRoutes(this.engine));
    setContainerDefaults(c);
    this.router.add(...swarmRoutes(), ...pluginRoutes());
    // Listen before init so early clients queue instead of failing; accept after.
    checkListeners(c);
    await this.api.listen(resolveFdListeners(c.listeners), { socketGid: socketGroup(c, !!c.groupExplicit) });
    this.checkpoint();
    this.id = engineId(c.dataRoot);
    this.layers = await openLayerStore({ dataRoot: c.dataRoot, driver: c.storageDriver });
    this.checkpoint();
    this.images = await openImageService(c.dataRoot, this.layers, this.engine.events);
    this.checkpoint();
    const images = imageBackend(this.engine, this.images);
    const distCtx = distributionContext(this.images, c.registry);
    const dist = distributionBackend(this.engine, distCtx);
    this.router.add(...imageRoutes(images, dist), ...distributionRoutes(dist));
    this.volumes = await VolumeService.open(c.dataRoot, this.engine.events);
    this.checkpoint();
    this.router.add(...volumeRoutes(volumeBackend(this.engine, this.volumes)));
    this.network = new NetworkManager(
      {
        dataRoot: c.dataRoot,
        execRoot: c.execRoot,
        bridge: c.bridge,
        bip: c.bip,
        iptables: c.iptables,
        ipForward: c.ipForward,
        pools: c.defaultAddressPools,
        ipv6: c.ipv6,
        fixedCidrV6: c.fixedCidrV6,
      },
      this.engine.events,
    );
    await this.network.open();
    this.checkpoint();
    setHostGateway(this.network.hostGateway());
    this.router.add(...networkRoutes(networkBackend(this.engine, this.network)));
    this.containers = await openContainers(c, this.engine, this.layers, this.images, this.volumes, this.network);
    this.checkpoint();
    const ct = this.containers.backend;
    this.router.add(...containerRoutes(ct), ...logRoutes(ct), ...attachRoutes(ct), ...linkRoutes(ct));
    this.router.add(...containerFsRoutes(this.containers.fs));
    this.router.add(...execRoutes(this.containers.exec), ...attachWsRoutes(this.containers.service));
    const builder = openBuilder(c.dataRoot, this.layers, this.images, this.containers, distCtx);
    this.router.add(...buildRoutes(buildBackend(this.engine, builder)));
    this.router.add(...dfRoutes(dfBackend(images, ct, this.volumes, () => builder.usage())));
    this.api.acceptConnections();
    this.engine.events.publish("daemon", "start", this.id, { name: "wharf" });
    sdNotify("READY=1");
    log.info(`daemon ready (data root ${c.dataRoot}, pid ${process.pid})`);
    // Start-up touches most of the binary and leaves garbage; serving needs far less.
    this.trimmer = trimWhenQuiet(() => this.api.requestsStarted, idleTrimMs);
  }

  /**
   * SIGHUP: takes the keys dockerd reloads from a freshly read configuration, leaves
   * containers and everything else as they are, and says so with a daemon reload event.
   */
  reload(next: DaemonConfig): void {
    sdNotify("RELOADING=1");
    const keys: (keyof ReloadableConfig)[] = ["debug", "logLevel", "labels", "insecureRegistries", "registryMirrors", "maxConcurrentDownloads", "maxConcurrentUploads", "liveRestore", "shutdownTimeout", "defaultUlimits"];
    const c = this.config as ReloadableConfig;
    for (const k of keys) (c as unknown as Record<string, unknown>)[k] = next[k];
    // Pulls and pushes hold this object: they see the new registries and limits at once.
    Object.assign(this.config.registry, next.registry);
    setLogLevel(c.logLevel);
    sdNotify("READY=1");
    this.engine.events.publish("daemon", "reload", this.id, {
      debug: String(c.debug),
      labels: JSON.stringify(c.labels),
      "insecure-registries": JSON.stringify(c.insecureRegistries),
      "registry-mirrors": JSON.stringify(c.registryMirrors),
      "max-concurrent-downloads": String(c.maxConcurrentDownloads),
      "max-concurrent-uploads": String(c.maxConcurrentUploads),
      "live-restore": String(c.liveRestore),
      "shutdown-timeout": String(c.shutdownTimeout),
      name: hostInfo.hostname(),
    });
    log.info(`reloaded configuration: debug ${c.debug}, log level ${c.logLevel}, labels ${JSON.stringify(c.labels)}`);
  }

  /** Ends a start in progress once its current step is done (a signal arrived). */
  interrupt(reason: string): void {
    this.interrupted ??= reason;
  }

  private checkpoint(): void {
    if (this.interrupted) throw new StartInterrupted(this.interrupted);
  }

  /** Undoes what start made, whether it finished, failed or was interrupted. */
  async shutdown(): Promise<void> {
    sdNotify("STOPPING=1");
    log.info("shutting down: no new connections, finishing in-flight requests");
    this.trimmer?.stop();
    await this.api.close(10_000);
    // Without live-restore, containers do not outlive the daemon (dockerd's shutdown-timeout each).
    if (!this.config.liveRestore) await this.containers?.stopAll(this.config.shutdownTimeout);
    const counts = this.containers?.service.counts();
    const live = (counts?.running ?? 0) + (counts?.paused ?? 0) > 0;
    await this.network?.close(live).catch((err) => log.warn("network shutdown:", err));
    this.containers?.close();
    // The monitor and its prewarmed init go with the daemon when no container needs them.
    if (!live) await this.containers?.stopMonitor().catch((err) => log.warn("monitor shutdown:", err));
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
      settings: this.config,
      storageDriver: () => this.layers?.driverName ?? this.config.storageDriver ?? "overlay2",
      containerCounts: () => this.containers?.service.counts() ?? { total: 0, running: 0, paused: 0, stopped: 0 },
      imageCount: () => this.images?.images.size ?? 0,
    };
  }
}

/** A start ended by a signal between two of its steps. */
export class StartInterrupted extends Error {
  constructor(readonly reason: string) {
    super(`start interrupted by ${reason}`);
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
