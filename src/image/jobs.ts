// The image verbs the daemon serves as engine jobs (so tests and other parts can reach
// every image verb without HTTP); daemon/backends.ts hands them to the images router.
import type { Filters } from "../filters.ts";
import type { ImageService } from "./service.ts";
import { imageList } from "./list.ts";
import { imageHistory, imageInspect } from "./shapes.ts";
import { imageDelete, imagesPrune } from "./delete.ts";
import { loadImages } from "./load.ts";
import { saveImages, selectImages } from "./save.ts";
import { importImage, type ImportOptions } from "./import.ts";
import { familiarString } from "./reference.ts";

/** The image verbs, one per images-router call; the daemon serves them as engine jobs (Engine.serve). */
export function imageVerbs(svc: ImageService) {
  return {
    imageList: async (opts: { all: boolean; digests: boolean; filters: Filters; version: string }) => imageList(svc, opts),
    imageInspect: async (name: string, version: string) => imageInspect(svc, svc.resolve(name), version),
    imageHistory: async (name: string) => imageHistory(svc, svc.resolve(name)),
    imageTag: async (name: string, repo: string, tag?: string) => svc.tag(name, repo, tag),
    imageDelete: async (name: string, opts: { force: boolean; noprune: boolean }) => imageDelete(svc, name, opts),
    imagesPrune: async (filters: Filters) => imagesPrune(svc, filters),
    imageLoad: async (body: AsyncIterable<Uint8Array>) => loadImages(svc, body),
    // Names are resolved now; the archive is produced as the caller reads it.
    imageSave: async (names: string[]) => {
      const selected = selectImages(svc, names);
      for (const s of selected) svc.publish("save", s.rec.id, s.tags[0] ? familiarString(s.tags[0]) : s.rec.id);
      return saveImages(svc, selected);
    },
    imageImport: async (body: AsyncIterable<Uint8Array>, opts: ImportOptions) => importImage(svc, body, opts),
  };
}

export const imageVerbNames = [
  "imageList", "imageInspect", "imageHistory", "imageTag", "imageDelete", "imagesPrune", "imageLoad", "imageSave", "imageImport",
] as const;
