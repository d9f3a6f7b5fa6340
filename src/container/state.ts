// A container's State, in Docker's inspect shape, and the wait conditions clients use
// (`not-running`, `next-exit`, `removed`).
export const zeroTime = "0001-01-01T00:00:00Z";

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

/** RFC 3339 with nanoseconds, as Docker writes times in inspect. */
export function nowNano(): string {
  const ms = Date.now();
  const iso = new Date(ms).toISOString(); // ...sss Z
  const extra = String(process.hrtime.bigint() % 1_000_000n).padStart(6, "0");
  return iso.replace(/\.(\d{3})Z$/, (_, m) => `.${m}${extra}Z`);
}

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

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  // Go's units.HumanDuration truncates seconds and minutes and rounds hours.
  const sec = Math.floor(ms / 1000);
  if (sec < 1) return "Less than a second";
  if (sec === 1) return "1 second";
  if (sec < 60) return `${sec} seconds`;
  const min = Math.floor(ms / 60_000);
  if (min === 1) return "About a minute";
  if (min < 60) return `${min} minutes`;
  const h = Math.round(ms / 3_600_000);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}
