// The engine is a registry of named handlers ("jobs"), as in the classic daemon.
// Builtins register first; the daemon's install step registers its own. The API
// router calls jobs by name, and tests can call them without HTTP.
import { EventBus } from "./events.ts";

export type Job<In = any, Out = any> = (input: In) => Promise<Out> | Out;

export class Engine {
  private readonly jobs = new Map<string, Job>();
  readonly events = new EventBus();

  register(name: string, job: Job): void {
    if (this.jobs.has(name)) throw new Error(`engine: job ${name} is already registered`);
    this.jobs.set(name, job);
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  commands(): string[] {
    return [...this.jobs.keys()].sort();
  }

  async call<Out = any>(name: string, input?: unknown): Promise<Out> {
    return await this.run<Out>(name, input);
  }

  /**
   * Runs a job and hands back what it returns as it is: a synchronous job's answer
   * (a cached inspect) reaches the API server without a promise hop, and its error is
   * thrown here.
   */
  run<Out = any>(name: string, input?: unknown): Out | Promise<Out> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`engine: no such job: ${name}`);
    return job(input);
  }
}
