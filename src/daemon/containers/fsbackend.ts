// The backend behind the filesystem and counter routes (fs-routes.ts): cp, diff,
// export, commit, top, stats.
import type { ContainerFsBackend } from "../../api/routers/containers/fs-routes.ts";
import type { ImageService } from "../../image/service.ts";
import type { ContainerContext } from "./context.ts";
import { archiveGet, archivePut, archiveStat } from "./archive.ts";
import { containerChanges, containerCommit, containerExport } from "./fsops.ts";
import type { CommitOptions } from "../../api/routers/containers/fs-routes.ts";
import { containerTop } from "./top.ts";
import { containerStats } from "./stats.ts";

export function containerFsBackend(ctx: ContainerContext, images: ImageService): ContainerFsBackend {
  return {
    archiveStat: (ref, path) => archiveStat(ctx, ref, path),
    archiveGet: (ref, path) => archiveGet(ctx, ref, path),
    archivePut: (ref, path, body, o) => archivePut(ctx, ref, path, body, o),
    containerChanges: (ref) => containerChanges(ctx, ref),
    containerExport: (ref) => containerExport(ctx, ref),
    containerTop: (ref, psArgs) => containerTop(ctx, ref, psArgs),
    containerStats: (ref, o) => containerStats(ctx, ref, o),
    commit: (o: CommitOptions) => containerCommit(ctx, images, o),
  };
}
