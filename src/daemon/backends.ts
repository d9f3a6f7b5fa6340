// The one wiring: each resource's verbs are served as engine jobs (Engine.serve, job
// names from the verbs: `imageList` → `image_list`), and what serve hands back is the
// router's typed backend. The daemon's start calls these, one line per resource; the
// domain never imports the API's interfaces, the check is structural, here.
import type { Engine, JobMap } from "../engine/engine.ts";
import type { DistributionBackend, ImageBackend } from "../api/routers/images/backend.ts";
import type { ContainerBackend, ContainerFsBackend } from "../api/routers/containers/backend.ts";
import type { VolumeBackend } from "../api/routers/volumes/backend.ts";
import type { NetworkBackend } from "../api/routers/networks/backend.ts";
import type { ExecBackend } from "../api/routers/exec/backend.ts";
import type { BuildBackend } from "../api/routers/build/backend.ts";
import type { DfBackend } from "../api/routers/system/backend.ts";
import type { ImageService } from "../image/service.ts";
import { imageVerbNames, imageVerbs } from "../image/jobs.ts";
import { distributionVerbNames, distributionVerbs } from "../distribution/jobs.ts";
import type { DistributionContext } from "../distribution/pull.ts";
import type { VolumeService } from "../volume/service.ts";
import type { NetworkManager } from "../network/controller.ts";

export const volumeVerbs = ["create", "inspect", "list", "remove", "prune"] as const;
export const networkVerbs = ["list", "inspect", "create", "remove", "connect", "disconnect", "prune"] as const;
export const execVerbs = ["execCreate", "execStart", "execResize", "execInspect", "containerResize"] as const;
export const fsVerbs = ["archiveStat", "archiveGet", "archivePut", "containerChanges", "containerExport", "containerTop", "containerStats", "commit"] as const;
export const buildVerbs = ["prepare", "prune"] as const;

/** The job map of every resource (job name → the verb's arguments and answer). */
export type ImageJobs = JobMap<ImageBackend, (typeof imageVerbNames)[number]>;
export type DistributionJobs = JobMap<DistributionBackend, (typeof distributionVerbNames)[number]>;
export type ExecJobs = JobMap<ExecBackend, (typeof execVerbs)[number]>;
export type ContainerFsJobs = JobMap<ContainerFsBackend, (typeof fsVerbs)[number]>;

declare module "../engine/engine.ts" {
  interface KnownJobs extends ImageJobs, DistributionJobs, ExecJobs, ContainerFsJobs {}
}

export const imageBackend = (engine: Engine, svc: ImageService): ImageBackend => engine.serve(imageVerbs(svc), imageVerbNames);

export const distributionBackend = (engine: Engine, ctx: DistributionContext): DistributionBackend =>
  engine.serve(distributionVerbs(ctx), distributionVerbNames);

export const volumeBackend = (engine: Engine, svc: VolumeService): VolumeBackend => engine.serve(svc, volumeVerbs, (v) => `volume_${v}`);

export const networkBackend = (engine: Engine, net: NetworkManager): NetworkBackend => engine.serve(net, networkVerbs, (v) => `network_${v}`);

export const execJobs = (engine: Engine, b: ExecBackend): ExecBackend => engine.serve(b, execVerbs);

export const containerFsJobs = (engine: Engine, b: ContainerFsBackend): ContainerFsBackend => engine.serve(b, fsVerbs);

export const buildBackend = (engine: Engine, b: BuildBackend): BuildBackend => engine.serve(b, buildVerbs, (v) => `build_${v}`);

/** GET /system/df reads the other resources through their served backends. */
export function dfBackend(images: ImageBackend, containers: Pick<ContainerBackend, "containerList">, volumes: VolumeService, buildCache: () => { Size?: number }[]): DfBackend {
  return {
    imageList: (opts) => images.imageList(opts),
    containerList: (opts) => containers.containerList(opts),
    volumeUsage: () => volumes.usage(),
    buildCache,
  };
}
