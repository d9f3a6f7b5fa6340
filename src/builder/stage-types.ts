// The types a stage's steps share: what a stage is given (StageDeps), its running state,
// and the part of the stage runner a step file (run-step.ts) drives. Apart from stage.ts so
// step files need not import the runner that dispatches to them.
import type { BuildCache } from "./cache.ts";
import type { BuildContext } from "./context.ts";
import type { BuildHost, BuildImage, BuildOptions, NewLayer, PullProgress, RunConfig } from "./types.ts";

export interface StageDeps {
  host: BuildHost;
  cache: BuildCache;
  opts: BuildOptions;
  ctx: BuildContext;
  escape: string;
  signal: AbortSignal;
  /** Global ARGs (before the first FROM), expanded. */
  metaArgs: Map<string, string>;
  usedBuildArgs: Set<string>;
  /** The result of another stage by name or index (waits for it), or undefined when no stage has that name. */
  stageResult(ref: string, before: number): Promise<BuildImage | null> | undefined;
  /** Every container a RUN made and has not removed yet (removed on cancel). */
  containers: Set<string>;
  /** --cache-from images, resolved. */
  cacheFrom: BuildImage[];
  stepLabel(ins: object): string;
  write(text: string): void;
  /** A pull's progress line (for a FROM or --from image not here). */
  progress(m: PullProgress): void;
}

export interface StageState {
  image: BuildImage | null;
  config: RunConfig;
  /** ARGs declared in this stage, with their values. */
  args: Map<string, string | undefined>;
  cmdSet: boolean;
  /** MAINTAINER: the images of this stage get it as their author. */
  author?: string;
}

/** Extra inputs of a step that ran a container. */
export interface StepExtra {
  containerConfig?: RunConfig;
  container?: string;
  after?: () => Promise<void>;
}

/** What a step instruction needs of the stage runner. */
export interface StepRunner {
  readonly current: StageState;
  /** Build args in effect for RUN, sorted as Docker prints them. */
  argsInEffect(): string[];
  /** A step: cache hit, or `make` produces the layer and an image is stored for it. */
  step(createdBy: string, config: RunConfig, inputs: string[], make: () => Promise<NewLayer | null>, extra?: StepExtra): Promise<void>;
  removeIntermediate(id: string): Promise<void>;
  /** An image a --from names: local unless --pull, otherwise pulled. */
  image(ref: string, platform?: string): Promise<BuildImage>;
}
