// The narrow interface the build router needs; the daemon's BuildService implements it.
import type { PreparedBuild } from "../../../builder/service.ts";
import type { BuildOptions } from "../../../builder/types.ts";
import type { Filters } from "../../filters.ts";

export interface BuildBackend {
  /** Receives the context and parses the Dockerfile; a broken one throws before any stream. */
  prepare(body: AsyncIterable<Uint8Array>, opts: BuildOptions): Promise<PreparedBuild>;
  prune(opts: { all: boolean; keepStorage: number; filters: Filters }): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }>;
}
