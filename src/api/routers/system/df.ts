// GET /system/df: images, containers and volumes with their sizes, and the build cache's rows.
import { RawJson } from "../../rawjson.ts";
import { compareVersions } from "../../router.ts";
import { invalidParameter } from "../../../errors.ts";
import { json, type Route } from "../../types.ts";
import type { ContainerSummary, ImageSummary } from "../../types/index.ts";
import type { DfBackend } from "./backend.ts";

export function dfRoutes(b: DfBackend): Route[] {
  return [
    {
      method: "GET",
      path: "/system/df",
      handler: async (req) => {
        // `type` came with 1.42 (older clients always get every kind, and BuilderSize).
        const old = compareVersions(req.version, "1.42") < 0;
        const types = old ? [] : req.query.getAll("type");
        for (const t of types) if (!["container", "image", "volume", "build-cache"].includes(t)) throw invalidParameter(`unknown object type: ${t}`);
        const want = (t: string) => !types.length || types.includes(t);
        const images: ImageSummary[] = want("image") ? await b.imageList({ all: false, digests: true, filters: new Map(), version: req.version }) : [];
        const listed = want("container") ? await b.containerList({ all: true, size: true, filters: new Map() }) : [];
        const list: ContainerSummary[] = listed instanceof RawJson ? (JSON.parse(listed.text) as ContainerSummary[]) : listed;
        const counts = new Map<string, number>();
        for (const c of list) counts.set(c.ImageID ?? "", (counts.get(c.ImageID ?? "") ?? 0) + 1);
        const layersSize = images.reduce((n, i) => n + (i.Size ?? 0), 0);
        const cache = want("build-cache") ? b.buildCache() : [];
        return json({
          LayersSize: layersSize,
          Images: images.map((i) => ({ ...i, Containers: counts.get(i.Id) ?? 0 })),
          Containers: list,
          Volumes: want("volume") ? b.volumeUsage() : [],
          BuildCache: cache,
          ...(old ? { BuilderSize: cache.reduce((n, r) => n + (r.Size ?? 0), 0) } : {}),
        });
      },
    },
  ];
}
