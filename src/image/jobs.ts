// The image jobs the daemon registers with the engine (so tests and other parts can reach
// every image verb without HTTP); daemon/backends.ts makes the images router's backend of them.
import type { Engine } from "../engine/engine.ts";
import type { Filters } from "../filters.ts";
import type { ImageService } from "./service.ts";
import { imageList } from "./list.ts";
import { imageHistory, imageInspect } from "./shapes.ts";
import { imageDelete, imagesPrune } from "./delete.ts";
import { loadImages } from "./load.ts";
import { saveImages, selectImages } from "./save.ts";
import { importImage, type ImportOptions } from "./import.ts";
import { familiarString } from "./reference.ts";

export function registerImageJobs(engine: Engine, svc: ImageService): void {
  engine.register("image_list", (i: { all: boolean; digests: boolean; filters: Filters; version: string }) => imageList(svc, i));
  engine.register("image_inspect", (i: { name: string; version: string }) => imageInspect(svc, svc.resolve(i.name), i.version));
  engine.register("image_history", (i: { name: string }) => imageHistory(svc, svc.resolve(i.name)));
  engine.register("image_tag", (i: { name: string; repo: string; tag?: string }) => svc.tag(i.name, i.repo, i.tag));
  engine.register("image_delete", (i: { name: string; force: boolean; noprune: boolean }) => imageDelete(svc, i.name, i));
  engine.register("image_prune", (i: { filters: Filters }) => imagesPrune(svc, i.filters));
  engine.register("image_load", (i: { body: AsyncIterable<Uint8Array> }) => loadImages(svc, i.body));
  // Names are resolved now; the archive is produced as the caller reads it.
  engine.register("image_save", (i: { names: string[] }) => {
    const selected = selectImages(svc, i.names);
    for (const s of selected) svc.publish("save", s.rec.id, s.tags[0] ? familiarString(s.tags[0]) : s.rec.id);
    return saveImages(svc, selected);
  });
  engine.register("image_import", (i: { body: AsyncIterable<Uint8Array>; opts: ImportOptions }) => importImage(svc, i.body, i.opts));
}
