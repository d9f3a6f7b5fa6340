// Docker's healthchecks. While a container with a Healthcheck runs (and is not paused),
// its test runs as an exec every Interval (every StartInterval while it is still
// starting inside its StartPeriod). Results go into State.Health (the last five); a
// success makes it healthy, Retries failures in a row make it unhealthy, and failures
// inside the start period do not count while it has never been healthy. A stop or a
// pause ends the monitoring and, as Docker does "for compatibility", leaves the status
// unhealthy; a start makes it starting again with the old log kept.
import type { Container } from "../../container/container.ts";
import { errorMessage } from "../../errors.ts";
import { goDuration, nowNano } from "../../time.ts";
import type { HealthResult } from "../../container/state.ts";

const ms = 1e6; // nanoseconds, as the API gives durations
const defaults = { interval: 30_000, timeout: 30_000, startPeriod: 0, startInterval: 5_000, retries: 3 };
const maxLogEntries = 5;

/** Runs one probe in a container (the exec service). */
export interface Prober {
  probe(ref: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
}

interface Monitor {
  c: Container;
  timer?: ReturnType<typeof setTimeout>;
  stopped: boolean;
}

/** The command a healthcheck runs, or undefined when there is none (no Test, NONE, or a form Docker ignores). */
export function probeCommand(c: Container): string[] | undefined {
  const test = c.rec.Config.Healthcheck?.Test as string[] | undefined;
  if (!test?.length) return undefined;
  switch (test[0]) {
    case "CMD":
      return test.length > 1 ? test.slice(1) : undefined;
    case "CMD-SHELL": {
      const shell = c.rec.Config.Shell?.length ? c.rec.Config.Shell : ["/bin/sh", "-c"];
      return [...shell, ...test.slice(1)];
    }
    default:
      return undefined;
  }
}

/** A duration field of the Healthcheck in ms, or its default when unset (0). */
function setting(c: Container, field: "Interval" | "Timeout" | "StartPeriod" | "StartInterval", fallback: number): number {
  const v = Number(c.rec.Config.Healthcheck?.[field] ?? 0);
  return v > 0 ? v / ms : fallback;
}

export class HealthMonitor {
  private readonly monitors = new Map<string, Monitor>();

  constructor(
    private readonly prober: Prober,
    private readonly emit: (c: Container, action: string) => void,
    /** Writes the container's state to disk, as dockerd checkpoints each result: health survives a daemon restart. */
    private readonly persist: (c: Container) => void = () => {},
  ) {}

  /**
   * Starts probing a running container. `fresh` for a start or restart (the status goes
   * back to starting); otherwise (an unpause, a daemon restart) the status is kept.
   */
  start(c: Container, fresh: boolean): void {
    const cmd = probeCommand(c);
    if (!cmd || !c.state.s.Running || c.state.s.Paused) return;
    this.stop(c.id, { keepStatus: true });
    const h = c.state.s.Health;
    if (!h) c.state.s.Health = { Status: "starting", FailingStreak: 0, Log: [] };
    else if (fresh) Object.assign(h, { Status: "starting", FailingStreak: 0 });
    this.persist(c);
    const m: Monitor = { c, stopped: false };
    this.monitors.set(c.id, m);
    this.schedule(m, cmd);
  }

  /** Stops probing (a stop, a pause, a removal); the status becomes unhealthy unless `keepStatus`. */
  stop(id: string, opts: { keepStatus?: boolean } = {}): void {
    const m = this.monitors.get(id);
    if (!m) return;
    this.monitors.delete(id);
    m.stopped = true;
    clearTimeout(m.timer);
    const h = m.c.state.s.Health;
    if (h && !opts.keepStatus && h.Status !== "unhealthy") {
      h.Status = "unhealthy";
      this.persist(m.c);
    }
  }

  close(): void {
    for (const id of [...this.monitors.keys()]) this.stop(id, { keepStatus: true });
  }

  private schedule(m: Monitor, cmd: string[]): void {
    m.timer = setTimeout(() => void this.runProbe(m, cmd), this.nextInterval(m.c));
  }

  private nextInterval(c: Container): number {
    const interval = setting(c, "Interval", defaults.interval);
    const sinceStart = Date.now() - Date.parse(c.state.s.StartedAt);
    if (sinceStart >= setting(c, "StartPeriod", defaults.startPeriod)) return interval;
    return c.state.s.Health?.Status === "starting" ? setting(c, "StartInterval", defaults.startInterval) : interval;
  }

  private async runProbe(m: Monitor, cmd: string[]): Promise<void> {
    const start = Date.now();
    const startText = nowNano();
    const timeout = setting(m.c, "Timeout", defaults.timeout);
    let result: HealthResult;
    try {
      const r = await this.prober.probe(m.c.id, cmd, timeout);
      const output = r.timedOut
        ? `Health check exceeded timeout (${goDuration(timeout * ms)})${r.output ? `: ${r.output}` : ""}`
        : r.output;
      result = { Start: startText, End: nowNano(), ExitCode: r.timedOut ? -1 : r.exitCode, Output: output };
    } catch (err) {
      result = { Start: startText, End: nowNano(), ExitCode: -1, Output: errorMessage(err) };
    }
    // A stop while the probe ran: its result belongs to no one.
    if (m.stopped) return;
    this.record(m.c, result, start);
    this.schedule(m, cmd);
  }

  private record(c: Container, result: HealthResult, startMs: number): void {
    const h = c.state.s.Health!;
    const before = h.Status;
    h.Log = [...h.Log.slice(-(maxLogEntries - 1)), result];
    if (result.ExitCode === 0) {
      h.FailingStreak = 0;
      h.Status = "healthy";
    } else {
      // Never healthy yet and still inside the start period: the failure does not count.
      const inStartPeriod = startMs - Date.parse(c.state.s.StartedAt) < setting(c, "StartPeriod", defaults.startPeriod);
      if (!(h.Status === "starting" && inStartPeriod)) {
        h.FailingStreak++;
        const retries = Number(c.rec.Config.Healthcheck?.Retries ?? 0);
        if (h.FailingStreak >= (retries > 0 ? retries : defaults.retries)) h.Status = "unhealthy";
      }
    }
    this.persist(c);
    if (h.Status !== before) this.emit(c, `health_status: ${h.Status}`);
  }
}
