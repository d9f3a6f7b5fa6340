// The container verbs as engine jobs (`container_start`, …), and the routers' backend
// as calls to those jobs, so every verb is reachable by name without HTTP.
import type { Engine } from "../../engine/engine.ts";
import type { ContainerService } from "./service.ts";

const verbs = [
  "containerCreate", "containerStart", "containerStop", "containerKill", "containerRestart", "containerWait",
  "containerRemove", "containerPause", "containerUnpause", "containerRename", "containerUpdate", "containersPrune",
  "containerList", "containerInspect", "containerLogs", "containerAttach",
] as const;

type Verb = (typeof verbs)[number];

/** `containerStart` → `container_start`, `containersPrune` → `containers_prune`. */
export const jobName = (verb: string) => verb.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function registerContainerJobs(engine: Engine, svc: ContainerService): Pick<ContainerService, Verb> {
  for (const v of verbs) {
    engine.register(jobName(v), (args: unknown[]) => (svc[v] as (...a: unknown[]) => unknown).apply(svc, args));
  }
  const backend = {} as Record<Verb, (...args: unknown[]) => unknown>;
  for (const v of verbs) {
    const name = jobName(v);
    // As the job answers: a synchronous one (a cached inspect) reaches the route without a promise.
    backend[v] = (...args) => engine.run(name, args);
  }
  return backend as unknown as Pick<ContainerService, Verb>;
}
