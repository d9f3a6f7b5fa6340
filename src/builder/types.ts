// What the builder needs from the daemon (images, layers, containers), as a narrow
// interface the daemon implements: the builder itself imports no daemon code.

export interface HealthConfig {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The container config an image carries (Docker's field names and order). */
export interface RunConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  Image: string;
  Volumes: Record<string, Record<string, never>> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string> | null;
  StopSignal?: string;
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface BuildImageConfig {
  architecture: string;
  variant?: string;
  author?: string;
  config: RunConfig;
  container?: string;
  container_config?: RunConfig;
  created: string;
  docker_version: string;
  history: HistoryEntry[];
  os: string;
  rootfs: { type: "layers"; diff_ids: string[] };
}

export interface BuildImage {
  id: string;
  config: BuildImageConfig;
}

/** A layer registered for a step, not yet held by an image. */
export interface NewLayer {
  diffId: string;
  chainId: string;
}

export interface RunSpec {
  image: BuildImage | null;
  config: RunConfig;
  networkMode: string;
  binds: string[];
  tmpfs: Record<string, string>;
  extraHosts: string[];
  shmSize?: number;
  memory?: number;
  memorySwap?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  ulimits?: { Name: string; Soft: number; Hard: number }[];
}

/** One line of a pull's progress, as the pull stream has it (the build stream carries them as they are). */
export interface PullProgress {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
}

export interface BuildHost {
  /** A local image by reference or id; undefined when there is none. */
  findImage(ref: string): BuildImage | undefined;
  /**
   * Pulls `ref` from its registry, credentials taken from the build's X-Registry-Config
   * (base64url JSON: registry → auth config) for that registry; the pulled image.
   */
  pull(ref: string, o: { platform?: string; registryConfig?: string }, out: (m: PullProgress) => void, signal: AbortSignal): Promise<BuildImage>;
  /** A scratch rw layer over `parent`, handed to `edit` mounted; its changes as a layer (null: none). */
  editLayer(parent: BuildImage | null, edit: (root: string) => Promise<void>): Promise<NewLayer | null>;
  /** The image's root mounted (read only by contract) while `fn` runs. */
  withImageRoot<T>(image: BuildImage | null, fn: (root: string) => Promise<T>): Promise<T>;
  /** Creates and starts a container; output goes to `out` as it comes; resolves with its exit code. */
  run(spec: RunSpec, hooks: { started(id: string): void; out(text: string): void; signal: AbortSignal }): Promise<RunOutcome>;
  /** A container of `image` that is never started (the classic builder's `#(nop)` steps). */
  createContainer(image: BuildImage, config: RunConfig): Promise<string>;
  /** The container's root mounted while `edit` runs; its changes as a layer (null: none). */
  editContainer(id: string, parent: BuildImage, edit: (root: string) => Promise<void>): Promise<NewLayer | null>;
  /** The container's changes as a layer (null when it changed nothing). */
  commitContainer(id: string, parent: BuildImage | null): Promise<NewLayer | null>;
  removeContainer(id: string): Promise<void>;
  /** Takes a reference on a stored layer (a --cache-from image's); false when there is none. */
  retainLayer(chainId: string): boolean;
  /** Stores the image config; the image holds `layer` (or its parent's top layer). */
  createImage(parent: BuildImage | null, config: BuildImageConfig, layer: NewLayer | null): Promise<BuildImage>;
  tag(ref: string, imageId: string): Promise<string>;
  /** A cached step's image as a build-cache record sees it: its own layer's size, and whether a tag, a container or a child image holds it; undefined when it is gone. */
  cacheUsage(imageId: string): { size: number; shared: boolean } | undefined;
  /** Removes a pruned step's image when nothing else holds it: the bytes freed, or undefined when it stays. */
  removeCacheImage(imageId: string): Promise<number | undefined>;
  /** A persistent directory for a RUN --mount=type=cache. */
  cacheMountDir(id: string): string;
  /** Host architecture in Go's naming. */
  arch(): string;
  version(): string;
}

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Map<string, string | null>;
  target?: string;
  noCache: boolean;
  rm: boolean;
  forceRm: boolean;
  labels: Record<string, string>;
  quiet: boolean;
  networkMode: string;
  platform?: string;
  extraHosts: string[];
  cacheFrom: string[];
  pull: boolean;
  /** The X-Registry-Config header as sent (credentials for pulls of base images). */
  registryConfig?: string;
  shmSize?: number;
  memory?: number;
  memorySwap?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  ulimits?: { Name: string; Soft: number; Hard: number }[];
}

/** Where the build writes Docker's JSON message stream. */
export interface BuildOutput {
  stream(text: string): void;
  /** A pull's progress line, passed on as the pull wrote it. */
  progress(m: PullProgress): void;
  aux(value: { ID: string }): void;
  error(message: string, code?: number): void;
}

/** How a RUN's container ended; `startError` when it could not be started at all. */
export interface RunOutcome {
  id: string;
  exitCode: number;
  startError?: string;
}

export class BuildError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}
