// What the volume routes need of the volume service (served as engine jobs by the daemon).
import type { Filters } from "../../filters.ts";
import type { Volume, VolumeListResponse, VolumePruneResponse } from "../../types/index.ts";

export interface CreateVolumeRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export interface VolumeBackend {
  create(req: CreateVolumeRequest): Volume;
  inspect(name: string): Volume;
  list(filters: Filters): VolumeListResponse;
  remove(name: string, force: boolean): void;
  prune(filters: Filters): VolumePruneResponse;
}
