// The engine is a registry of named handlers ("jobs"), as in the classic daemon.
// Builtins register first; the daemon's start registers each resource's verbs. Every
// router reaches its resource through the jobs (Engine.serve), and tests and `commands`
// reach them by name without HTTP.
import { EventBus } from "./events.ts";

export type Job<In = unknown, Out = unknown> = (input: In) => Promise<Out> | Out;

/** `containerStart` → `container_start`, `imagesPrune` → `images_prune`. */
export type JobName<V extends string> = V extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${JobName<T>}`
  : V;

export const jobName = <V extends string>(verb: V): JobName<V> => verb.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) as JobName<V>;

// A verb of a backend, whatever its signature; its own parameter and answer types are kept by JobMap.
type Verb = (...args: never[]) => unknown;

/** The job map of a backend's verbs: job name → the verb's arguments (the job's input) and answer. */
export type JobMap<B, V extends keyof B & string> = {
  [K in V as JobName<K>]: B[K] extends (...args: infer A) => infer R ? { in: A; out: R } : never;
};

/**
 * The job map of the whole program, job name → { in, out }: each module that registers
 * jobs adds its own entries by declaration merging (`declare module … { interface
 * KnownJobs … }`), so a call by a known name is typed where the engine imports nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface KnownJobs {}

type Known = keyof KnownJobs & string;
type InOf<K extends Known> = KnownJobs[K] extends { in: infer I } ? I : never;
type OutOf<K extends Known> = KnownJobs[K] extends { out: infer O } ? Awaited<O> : never;

export class Engine {
  private readonly jobs = new Map<string, Job<never>>();
  readonly events = new EventBus();

  register<In>(name: string, job: Job<In>): void {
    if (this.jobs.has(name)) throw new Error(`engine: job ${name} is already registered`);
    this.jobs.set(name, job as Job<never>);
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  commands(): string[] {
    return [...this.jobs.keys()].sort();
  }

  call<K extends Known>(name: K, input?: InOf<K>): Promise<OutOf<K>>;
  call<Out = unknown>(name: string, input?: unknown): Promise<Out>;
  async call(name: string, input?: unknown): Promise<unknown> {
    return await this.run(name, input);
  }

  /**
   * Runs a job and hands back what it returns as it is: a synchronous job's answer
   * (a cached inspect) reaches the API server without a promise hop, and its error is
   * thrown here. By name, the input and answer are the caller's to know; `serve` and
   * `job` keep them typed.
   */
  run<Out = unknown>(name: string, input?: unknown): Out | Promise<Out> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`engine: no such job: ${name}`);
    return (job as Job<unknown, Out>)(input);
  }

  /** A job of a map by its name, typed by the map. */
  job<M, K extends keyof M & string>(name: K): M[K] extends { in: infer A extends unknown[]; out: infer R } ? (...args: A) => R : never {
    return ((...args: unknown[]) => this.run(name, args)) as never;
  }

  /**
   * The one wiring of a resource: each verb of its backend becomes the job
   * `jobName(verb)` (input: the verb's arguments), and the backend handed back calls
   * through those jobs, so the router and a job-by-name caller reach the same code.
   * The answer is the verb's own, a synchronous one unwrapped (see run).
   */
  serve<B extends object, V extends keyof B & string>(backend: B, verbs: readonly V[], name: (verb: V) => string = jobName): Pick<B, V> {
    const through: Partial<Record<V, Verb>> = {};
    for (const v of verbs) {
      const fn = backend[v] as Verb;
      const job = name(v);
      this.register(job, (args: never[]) => fn.apply(backend, args));
      through[v] = (...args: never[]) => this.run(job, args);
    }
    return through as Pick<B, V>;
  }
}
