// The daemon's exec store: exec instances by id, as `docker exec` creates them, until
// their container is removed or, once ended, dockerd's exec GC forgets them (else a
// long-lived container exec'd into all day would hold every exec it ever ran).
import { notFound } from "../../errors.ts";

export interface ExecConfig {
  Cmd: string[];
  Env: string[];
  WorkingDir: string;
  User: string;
  Privileged: boolean;
  Tty: boolean;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  DetachKeys: string;
  ConsoleSize?: [number, number];
}

export interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  /** Set once the process has ended (or could not start). */
  exitCode: number | null;
  pid: number;
  /** Has start been called (an exec runs once). */
  started: boolean;
  /** Resolves when the process runs; resize waits on it as Docker does. */
  ready?: Promise<void>;
  resize?: (rows: number, cols: number) => void;
}

export class ExecStore {
  private readonly byId = new Map<string, ExecInstance>();
  /** Marked at the last sweep: gone at the next. */
  private readonly removable = new Set<string>();

  get size(): number {
    return this.byId.size;
  }

  /**
   * One tick of dockerd's exec GC (every 5 minutes there): an exec its container no
   * longer lists (it ended, or never will run) is marked at one tick and forgotten at
   * the next, so an ended exec stays inspectable for one to two ticks. Returns how many went.
   */
  sweep(listed: (e: ExecInstance) => boolean): number {
    let gone = 0;
    for (const [id, e] of this.byId) {
      if (this.removable.has(id)) {
        this.byId.delete(id);
        this.removable.delete(id);
        gone++;
      } else if (!listed(e)) this.removable.add(id);
    }
    return gone;
  }

  add(e: ExecInstance): void {
    this.byId.set(e.id, e);
  }

  /** By full id only (Docker's exec store has no prefixes); notFound as Docker says it. */
  get(ref: string): ExecInstance {
    const e = this.byId.get(ref);
    if (!e) throw notFound(`No such exec instance: ${ref}`);
    return e;
  }

  /** Forgets every exec of a container; returns their ids. */
  dropContainer(containerId: string): string[] {
    const ids: string[] = [];
    for (const [id, e] of this.byId) if (e.containerId === containerId) (this.byId.delete(id), this.removable.delete(id), ids.push(id));
    return ids;
  }
}
