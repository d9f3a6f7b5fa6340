// What the system routes need. /_ping, /version, /info and /events serve the engine's own
// builtin jobs and event bus (daemon/system.ts registers them), so their backend is the
// engine, seen through the jobs it knows; /system/df reads the other resources' backends.
import type { Engine } from "../../../engine/engine.ts";
import type { RawJson } from "../../rawjson.ts";
import type { Filters } from "../../filters.ts";
import type { ContainerSummary, ImageSummary, Volume } from "../../types/index.ts";

export type SystemBackend = Pick<Engine, "run" | "call" | "events">;

export interface DfBackend {
  imageList(opts: { all: boolean; digests: boolean; filters: Filters; version: string }): Promise<ImageSummary[]>;
  containerList(opts: { all: boolean; size: boolean; filters: Filters }): Promise<ContainerSummary[] | RawJson>;
  volumeUsage(): Volume[];
  buildCache(): { Size?: number }[];
}
