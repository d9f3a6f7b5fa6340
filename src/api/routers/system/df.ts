// GET /system/df: images, containers and volumes with their sizes, and the build cache's rows.
import { RawJson } from "../../rawjson.ts";
import { compareVersions } from "../../router.ts";
import { invalidParameter } from "../../../errors.ts";
import type { Engine } from "../../../engine/engine.ts";
import { json, type Route } from "../../types.ts";
import type { VolumeService } from "../../../volume/service.ts";
import type { Json } from "../../../container/config.ts";

interface ContainerLister {
  containerList(opts: { all: boolean; size: boolean; filters: Map<string, string[]> }): Promise<Json[] | RawJson>;
}

export function dfRoutes(engine: Engine, volumes: VolumeService, containers: ContainerLister, buildCache: () => { Size?: number }[] = () => []): Route[] {
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
        const images: Json[] = want("image") ? await engine.call("image_list", { all: false, digests: true, filters: new Map(), version: req.version }) : [];
        const listed = want("container") ? await containers.containerList({ all: true, size: true, filters: new Map() }) : [];
        const list: Json[] = listed instanceof RawJson ? JSON.parse(listed.text) : listed;
        const counts = new Map<string, number>();
        for (const c of list) counts.set(c.ImageID, (counts.get(c.ImageID) ?? 0) + 1);
        const layersSize = images.reduce((n, i) => n + (i.Size ?? 0), 0);
        const cache = want("build-cache") ? buildCache() : [];
        return json({
          LayersSize: layersSize,
          Images: images.map((i) => ({ ...i, Containers: counts.get(i.Id) ?? 0 })),
          Containers: list,
          Volumes: want("volume") ? volumes.usage() : [],
          BuildCache: cache,
          ...(old ? { BuilderSize: cache.reduce((n, r) => n + (r.Size ?? 0), 0) } : {}),
        });
      },
    },
  ];
}
