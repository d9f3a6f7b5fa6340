// The daemon's exec store: exec instances by id, as `docker exec` creates them, until
// their container is removed.
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
    for (const [id, e] of this.byId) if (e.containerId === containerId) (this.byId.delete(id), ids.push(id));
    return ids;
  }
}
