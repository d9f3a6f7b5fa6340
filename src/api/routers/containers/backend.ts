// What the containers router needs from the daemon.
import { RawJson } from "../../rawjson.ts";
import type { Duplex } from "node:stream";
import type { LogEntry } from "../../../logs/jsonfile.ts";
import type { ContainerConfig, ContainerCreateBody, ContainerInspect, ContainerSummary, HostConfig } from "../../types/index.ts";
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

// The filesystem and counter routes (fs-routes.ts): archive, changes, export, top, stats, commit.
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface ContainerFsBackend {
  archiveStat(ref: string, path: string): Promise<PathStat>;
  archiveGet(ref: string, path: string): Promise<{ stat: PathStat; tar: AsyncIterable<Uint8Array> }>;
  archivePut(ref: string, path: string, body: AsyncIterable<Uint8Array>, o: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void>;
  containerChanges(ref: string): Promise<{ Path: string; Kind: number }[]>;
  containerExport(ref: string): Promise<AsyncIterable<Uint8Array>>;
  containerTop(ref: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  containerStats(ref: string, o: { stream: boolean; oneShot: boolean; closed: Promise<void> }): AsyncIterable<Record<string, unknown>>;
  commit(o: CommitOptions): Promise<{ Id: string }>;
}

export interface CommitOptions {
  container: string;
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  pause: boolean;
  changes: string[];
  /** Config overrides from the request body. */
  config: ContainerConfig;
}

// The logs and attach routes (io.ts) and the websocket attach (ws.ts).
export interface LogsBackend {
  containerLogs(
    ref: string,
    opts: { follow: boolean; tail?: number; sinceNano?: bigint; untilNano?: bigint; closed: Promise<void> },
  ): Promise<{ tty: boolean; entries: AsyncIterable<LogEntry>; batches?: AsyncIterable<LogEntry[]> }>;
}

export interface AttachBackend {
  containerAttach(
    ref: string,
    opts: { stream: boolean; logs: boolean; stdin: boolean; stdout: boolean; stderr: boolean; detachKeys?: string },
  ): Promise<{ tty: boolean; run(socket: Duplex): Promise<void> }>;
}

/** The websocket attach: attach's verb, its stream raw (no multiplexing) when asked. */
export interface AttachWsBackend {
  containerAttach(ref: string, opts: Parameters<AttachBackend["containerAttach"]>[1] & { raw?: boolean }): ReturnType<AttachBackend["containerAttach"]>;
}
