// What the container verbs share: the store, the per-container lock, and the narrow
// views of the image store, layer store and exec driver they use.
import type { ContainerStore } from "../../container/store.ts";
import type { KeyedLock } from "../../keyedlock.ts";
import type { Container } from "../../container/container.ts";
import type { ExitStatus } from "../../container/state.ts";
import type { EventBus } from "../../engine/events.ts";
import type { Digest, LayerStore } from "../../storage/types.ts";
import type { ImageConfig } from "../../container/config.ts";
import type { HostConfig, NetworkingConfig, NetworkSettings } from "../../api/types/index.ts";
import type { MountSpec } from "../../runtime/types.ts";
import type { ContainerVolumes } from "../../volume/containers.ts";

export interface ResolvedImage {
  id: string;
  config: ImageConfig;
  /** The chain id of the image's top layer; null for an image with no layers. */
  topLayer: Digest | null;
}

export interface ImageView {
  /** Throws notFound `No such image: …` for an unknown reference. */
  resolve(ref: string): ResolvedImage;
  /** Does this reference name that image id (ancestor filter)? */
  matches(imageId: string, ref: string): boolean;
  /** Images committed from this one, at any depth (the ancestor filter). */
  descendants?(imageId: string): string[];
  /** Bytes of the image's layers (a container's SizeRootFs is its rw layer plus these). */
  size?(imageId: string): number;
}

/** The exec driver: runs and supervises a container's process. */
export interface ExecDriver {
  /**
   * Starts the container's process in `rootfs`; resolves with its pid once it has
   * exec'd, or rejects with a WharfError whose message is Docker's (and an `exitCode`
   * property of 125, 126 or 127) when setup or exec failed.
   */
  start(c: Container, rootfs: string, mounts?: MountSpec[]): Promise<{ pid: number; startedAt?: string }>;
  /** Resolves with the exit status when the process ends, also after a daemon restart. */
  waitExit(c: Container): Promise<ExitStatus>;
  /** Is the container's process still alive (after a daemon restart)? */
  alive(c: Container): boolean;
  signal(c: Container, signal: number): Promise<void>;
  pause(c: Container): Promise<void>;
  resume(c: Container): Promise<void>;
  frozen(c: Container): boolean;
  update(c: Container): Promise<void>;
  /** A writer to the container's stdin (OpenStdin containers), for attach. */
  openStdin(c: Container): Promise<NodeJS.WritableStream | undefined>;
  /** Cgroup counters of a running container (stats); optional so test doubles need not have it. */
  stats?(c: Container): import("../../runtime/types.ts").CgroupStats;
  /** Host pids of every process of a running container (top, stats). */
  pids?(c: Container): number[];
  /** Releases what the process held (cgroup, monitor files) once it has exited. */
  cleanup(c: Container): Promise<void>;
  /** Sets a TTY container's terminal size. */
  resize(c: Container, rows: number, cols: number): Promise<void>;
}

/** The network controller's hooks into the container verbs (src/network/controller.ts). */
export interface NetworkHooks {
  validateMode(mode: string, networking: NetworkingConfig | null): void;
  /** NetworkSettings of a created container: the requested endpoints, as given. */
  createSettings(hc: HostConfig, networking: NetworkingConfig | null): NetworkSettings;
  /** Before the process starts: sandbox, addresses, ports; fills NetworkSettings. */
  attach(c: Container): Promise<void>;
  /** After the process ended: undoes attach. Idempotent. `background`: the slow part may finish later. */
  detach(c: Container, opts?: { background?: boolean }): Promise<void>;
}

export interface ContainerContext {
  store: ContainerStore;
  lock: KeyedLock;
  images: ImageView;
  layers: LayerStore;
  exec: ExecDriver;
  events: EventBus;
  ncpu: number;
  /** Mount points and volumes; absent in tests that build a context without them. */
  volumes?: ContainerVolumes;
  network?: NetworkHooks;
  /** Publishes a container event with Docker's attributes (name, image, labels…). */
  emit(c: Container, action: string, extra?: Record<string, string>): void;
}

export function containerEvent(events: EventBus, c: Container, action: string, extra: Record<string, string> = {}): void {
  events.publish("container", action, c.id, {
    ...(c.rec.Config.Labels ?? {}),
    image: c.rec.Config.Image ?? "",
    name: c.name,
    ...extra,
  });
}
