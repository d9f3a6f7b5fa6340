// The image and registry routers' backends as calls to the engine's jobs (image/jobs.ts,
// distribution/jobs.ts register them): the daemon wires a router to the domain here, so
// the domain never imports the API's interfaces.
import type { Engine } from "../engine/engine.ts";
import type { DistributionBackend, ImageBackend } from "../api/routers/images/backend.ts";

export function engineImageBackend(engine: Engine): ImageBackend {
  return {
    imageList: (opts) => engine.call("image_list", opts),
    imageInspect: (name, version) => engine.call("image_inspect", { name, version }),
    imageHistory: (name) => engine.call("image_history", { name }),
    imageTag: (name, repo, tag) => engine.call("image_tag", { name, repo, tag }),
    imageDelete: (name, opts) => engine.call("image_delete", { name, ...opts }),
    imagesPrune: (filters) => engine.call("image_prune", { filters }),
    imageLoad: (body) => engine.call("image_load", { body }),
    imageSave: (names) => engine.call("image_save", { names }),
    imageImport: (body, opts) => engine.call("image_import", { body, opts }),
  };
}

export function engineDistributionBackend(engine: Engine): DistributionBackend {
  return {
    imagePull: (p) => engine.call("image_pull", p),
    imagePush: (name, p) => engine.call("image_push", { name, ...p }),
    distributionInspect: (name, registryAuth) => engine.call("distribution_inspect", { name, registryAuth }),
    imageSearch: (term, limit, registryAuth) => engine.call("image_search", { term, limit, registryAuth }),
    auth: (body) => engine.call("auth", body),
  };
}
