// A container's State, in Docker's inspect shape, and the wait conditions clients use
// (`not-running`, `next-exit`, `removed`).
import { humanDuration, nowNano, zeroTime } from "../time.ts";

export type Status = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

export interface StateJSON {
  Status: Status;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** Present once a healthcheck has been monitored (daemon/health). */
  Health?: Health;
}

export type HealthStatus = "starting" | "healthy" | "unhealthy";

export interface HealthResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface Health {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthResult[];
}

export interface ExitStatus {
  exitCode: number;
  oomKilled?: boolean;
  error?: string;
  /** RFC 3339 with nanoseconds. */
  finishedAt?: string;
}

export type WaitCondition = "not-running" | "next-exit" | "removed";

type Waiter = { cond: WaitCondition; resolve: (e: { StatusCode: number; Error: { Message: string } | null }) => void };

export class ContainerState {
  s: StateJSON = {
    Status: "created",
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: "",
    StartedAt: zeroTime,
    FinishedAt: zeroTime,
  };
  private waiters: Waiter[] = [];

  static from(json: StateJSON): ContainerState {
    const st = new ContainerState();
    st.s = { ...json };
    return st;
  }

  get running(): boolean {
    return this.s.Running;
  }

  setRunning(pid: number, startedAt = nowNano()): void {
    Object.assign(this.s, {
      Status: "running",
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: pid,
      ExitCode: 0,
      Error: "",
      StartedAt: startedAt,
    });
  }

  setStopped(e: ExitStatus): void {
    Object.assign(this.s, {
      Status: "exited",
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: !!e.oomKilled,
      Pid: 0,
      ExitCode: e.exitCode,
      Error: e.error ?? "",
      FinishedAt: e.finishedAt ?? nowNano(),
    });
    this.notify((w) => w.cond !== "removed");
  }

  /** A start that failed before the process ran: Docker keeps the container "created". */
  setStartFailed(exitCode: number, error: string): void {
    Object.assign(this.s, { ExitCode: exitCode, Error: error });
    this.notify((w) => w.cond === "next-exit");
  }

  setRestarting(e: ExitStatus): void {
    Object.assign(this.s, {
      Status: "restarting",
      Running: true,
      Restarting: true,
      Paused: false,
      Pid: 0,
      ExitCode: e.exitCode,
      OOMKilled: !!e.oomKilled,
      FinishedAt: e.finishedAt ?? nowNano(),
    });
    // dockerd wakes its stop waiters here too: a wait ends at the first exit, even though
    // the container counts as running while it restarts.
    this.notify((w) => w.cond !== "removed");
  }

  setPaused(paused: boolean): void {
    this.s.Paused = paused;
    this.s.Status = paused ? "paused" : "running";
  }

  setRemoving(): void {
    this.s.Status = "removing";
  }

  setRemoved(): void {
    this.s.Status = "removing";
    this.notify(() => true);
  }

  setDead(error: string): void {
    Object.assign(this.s, { Status: "dead", Dead: true, Running: false, Error: error });
  }

  /** Resolves per Docker's wait semantics; not-running returns at once when not running. */
  wait(cond: WaitCondition): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    if (cond === "not-running" && !this.s.Running) return Promise.resolve(this.result());
    return new Promise((resolve) => this.waiters.push({ cond, resolve }));
  }

  private result() {
    return { StatusCode: this.s.ExitCode, Error: this.s.Error ? { Message: this.s.Error } : null };
  }

  private notify(which: (w: Waiter) => boolean): void {
    const r = this.result();
    const keep: Waiter[] = [];
    for (const w of this.waiters) (which(w) ? w.resolve(r) : keep.push(w));
    this.waiters = keep;
  }

  /** docker ps's STATUS text: `Up 2 seconds`, `Exited (3) 2 seconds ago`, `Created`. */
  statusText(now = Date.now()): string {
    const s = this.s;
    if (s.Status === "restarting") return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    if (s.Running) {
      const up = `Up ${humanDuration(now - Date.parse(s.StartedAt))}`;
      if (s.Paused) return `${up} (Paused)`;
      const h = s.Health?.Status;
      if (h) return `${up} (${h === "starting" ? "health: starting" : h})`;
      return up;
    }
    if (s.Status === "removing") return "Removal In Progress";
    if (s.Dead) return "Dead";
    if (s.StartedAt === zeroTime) return "Created";
    if (s.FinishedAt === zeroTime) return "";
    return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  }
}
