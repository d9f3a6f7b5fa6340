// The container verbs served as engine jobs (`container_start`, …): the same wiring as
// every resource (daemon/backends.ts), with the service itself as the backend.
import { jobName, type Engine, type JobMap } from "../../engine/engine.ts";
import type { ContainerService } from "./service.ts";

const verbs = [
  "containerCreate", "containerStart", "containerStop", "containerKill", "containerRestart", "containerWait",
  "containerRemove", "containerPause", "containerUnpause", "containerRename", "containerUpdate", "containersPrune",
  "containerList", "containerInspect", "containerLogs", "containerAttach",
] as const;

type Verb = (typeof verbs)[number];
export type ContainerJobs = JobMap<ContainerService, Verb>;

declare module "../../engine/engine.ts" {
  interface KnownJobs extends ContainerJobs {}
}

export { jobName };

export function serveContainers(engine: Engine, svc: ContainerService): Pick<ContainerService, Verb> {
  return engine.serve(svc, verbs);
}
