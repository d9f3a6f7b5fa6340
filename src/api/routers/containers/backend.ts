// What the containers router needs from the daemon.
import { RawJson } from "../../rawjson.ts";
import type { ContainerCreateBody, ContainerInspect, ContainerSummary, HostConfig } from "../../types/index.ts";
import type { Filters } from "../../filters.ts";
import type { WaitCondition } from "../../../container/state.ts";

export interface ContainerBackend {
  containerCreate(input: { name?: string; body: ContainerCreateBody; platform?: string }): Promise<{ Id: string; Warnings: string[] }>;
  containerStart(ref: string): Promise<void>;
  containerStop(ref: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  containerKill(ref: string, signal?: string): Promise<void>;
  containerRestart(ref: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  /** Resolves once the condition holds; validation errors throw before anything is sent. */
  containerWait(ref: string, condition: WaitCondition): Promise<() => Promise<{ StatusCode: number; Error: { Message: string } | null }>>;
  containerRemove(ref: string, opts: { force: boolean; volumes: boolean; link: boolean }): Promise<void>;
  containerPause(ref: string): Promise<void>;
  containerUnpause(ref: string): Promise<void>;
  containerRename(ref: string, newName: string): Promise<void>;
  containerUpdate(ref: string, body: HostConfig): Promise<{ Warnings: string[] }>;
  containersPrune(filters: Filters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>;
  containerList(opts: { all: boolean; limit?: number; size: boolean; filters: Filters }): Promise<ContainerSummary[] | RawJson>;
  containerInspect(ref: string, opts: { size: boolean }): ContainerInspect | RawJson | Promise<ContainerInspect | RawJson>;
}
