// Healthchecks as a real dockerd (20.10 here, with API 1.44's start interval) runs
// them: State.Health, the ps STATUS text and health filter, events, timeouts, output
// limits, stop/start, the start period and create-time validation. Also the ancestor
// filter over committed images and ExecIDs after execs end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, wharf, type TestDaemon } from "../helpers/daemon.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

function healthOf(d: TestDaemon, name: string): Health | null {
  return JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .State.Health}}", name])));
}

/** Polls until `pred` holds for the container's health, or fails after `ms`. */
async function healthUntil(d: TestDaemon, name: string, pred: (h: Health) => boolean, ms = 8000): Promise<Health> {
  const end = Date.now() + ms;
  for (;;) {
    const h = healthOf(d, name);
    if (h && pred(h)) return h;
    if (Date.now() > end) throw new Error(`health of ${name} never matched: ${JSON.stringify(h)}`);
    await Bun.sleep(100);
  }
}

describe("healthchecks", () => {
  let d: TestDaemon;
  const health = (name: string) => healthOf(d, name);
  const until = (name: string, pred: (h: Health) => boolean) => healthUntil(d, name, pred);
  const psNames = (...args: string[]) => ok(docker(d, ["ps", "-a", "--format", "{{.Names}}", ...args])).split("\n").filter(Boolean);

  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(() => removeAllAndCleanup(d));

  it("a passing probe makes the container healthy: Log, STATUS, filter, events, no ExecIDs left", async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    ok(docker(d, ["run", "-d", "--name", "hc-ok", "--network", "none", "--health-cmd", "echo out; echo err >&2",
      "--health-interval", "300ms", "busybox", "sleep", "300"]));
    // Before the first probe (an hour away here) a running container is starting.
    ok(docker(d, ["run", "-d", "--name", "hc-wait", "--network", "none", "--health-cmd", "true", "--health-interval", "1h", "busybox", "sleep", "300"]));
    expect(health("hc-wait")).toEqual({ Status: "starting", FailingStreak: 0, Log: [] });
    expect(ok(docker(d, ["ps", "--filter", "name=hc-wait", "--format", "{{.Status}}"]))).toMatch(/^Up .* \(health: starting\)$/);
    expect(psNames("--filter", "health=starting", "--filter", "name=hc-wait")).toEqual(["hc-wait"]);
    const h = await until("hc-ok", (h) => h.Log.length >= 2);
    expect(h.Status).toBe("healthy");
    expect(h.FailingStreak).toBe(0);
    for (const l of h.Log) {
      expect(l.ExitCode).toBe(0);
      // stdout and stderr together, in whatever order they came.
      expect(l.Output.split("\n").sort()).toEqual(["", "err", "out"]);
      expect(Date.parse(l.End)).toBeGreaterThanOrEqual(Date.parse(l.Start));
    }
    expect(ok(docker(d, ["ps", "--filter", "name=hc-ok", "--format", "{{.Status}}"]))).toMatch(/^Up .* \(healthy\)$/);
    expect(psNames("--filter", "health=healthy", "--filter", "name=hc-")).toEqual(["hc-ok"]);
    // Probes are execs that leave no ExecIDs behind once they end, and neither does docker exec.
    ok(docker(d, ["exec", "hc-ok", "true"]));
    expect(ok(docker(d, ["inspect", "-f", "{{json .ExecIDs}}", "hc-ok"]))).toBe("null");
    const events = ok(docker(d, ["events", "--since", since, "--until", String(Math.floor(Date.now() / 1000) + 1),
      "--filter", "container=hc-ok", "--format", "{{.Action}}"])).split("\n");
    expect(events).toContain("exec_create: /bin/sh -c echo out; echo err >&2");
    expect(events).toContain("exec_start: /bin/sh -c echo out; echo err >&2");
    expect(events).toContain("exec_die");
    expect(events).toContain("exec_create: true ");
    // health_status is published when the status changes, not on every probe.
    expect(events.filter((e) => e.startsWith("health_status"))).toEqual(["health_status: healthy"]);
  });

  it("Retries failures in a row make it unhealthy; a stop leaves it unhealthy, a start starts over", async () => {
    ok(docker(d, ["run", "-d", "--name", "hc-bad", "--network", "none", "--health-cmd", "echo nope; exit 1",
      "--health-interval", "300ms", "--health-retries", "2", "busybox", "sleep", "300"]));
    const first = await until("hc-bad", (h) => h.Log.length >= 1);
    // One failure leaves it starting; the second (Retries) makes it unhealthy.
    expect(first.FailingStreak).toBe(first.Log.length);
    expect(first.Status).toBe(first.Log.length >= 2 ? "unhealthy" : "starting");
    expect(first.Log[0]).toMatchObject({ ExitCode: 1, Output: "nope\n" });
    const h = await until("hc-bad", (h) => h.Status === "unhealthy");
    expect(h.FailingStreak).toBe(2);
    expect(ok(docker(d, ["ps", "--filter", "name=hc-bad", "--format", "{{.Status}}"]))).toMatch(/^Up .* \(unhealthy\)$/);

    // A healthy container that stops reads unhealthy (Docker's "for compatibility"); its log stays.
    await until("hc-ok", (h) => h.Status === "healthy");
    ok(docker(d, ["stop", "-t", "1", "hc-ok"]));
    const stopped = health("hc-ok")!;
    expect(stopped.Status).toBe("unhealthy");
    expect(stopped.Log.length).toBeGreaterThan(0);
    expect(psNames("--filter", "health=unhealthy", "--filter", "name=hc-")).toEqual(["hc-bad", "hc-ok"]);
    ok(docker(d, ["start", "hc-ok"]));
    const restarted = health("hc-ok")!;
    // The log from before the stop is kept.
    expect(restarted.Log).toContainEqual(stopped.Log.at(-1));
    await until("hc-ok", (h) => h.Status === "healthy");
    // Without a probe in between (an hour away), a start reads exactly starting again.
    ok(docker(d, ["stop", "-t", "1", "hc-wait"]));
    expect(health("hc-wait")).toEqual({ Status: "unhealthy", FailingStreak: 0, Log: [] });
    ok(docker(d, ["start", "hc-wait"]));
    expect(health("hc-wait")).toEqual({ Status: "starting", FailingStreak: 0, Log: [] });
  });

  it("a probe past its timeout is killed and recorded as -1 with Docker's text; output stops at 4096 bytes", async () => {
    ok(docker(d, ["run", "-d", "--name", "hc-slow", "--network", "none", "--health-cmd", "sleep 30",
      "--health-interval", "300ms", "--health-timeout", "200ms", "busybox", "sleep", "300"]));
    ok(docker(d, ["run", "-d", "--name", "hc-loud", "--network", "none", "--health-cmd", "yes | head -c 5000",
      "--health-interval", "300ms", "busybox", "sleep", "300"]));
    const slow = await until("hc-slow", (h) => h.Log.length >= 1);
    expect(slow.Log[0]).toMatchObject({ ExitCode: -1, Output: "Health check exceeded timeout (200ms)" });
    const took = Date.parse(slow.Log[0]!.End) - Date.parse(slow.Log[0]!.Start);
    expect(took).toBeLessThan(5000);
    const loud = await until("hc-loud", (h) => h.Log.length >= 1);
    expect(loud.Log[0]!.Output).toHaveLength(4099);
    expect(loud.Log[0]!.Output.endsWith("y\n...")).toBe(true);
  });

  it("failures inside the start period do not count while the container has never been healthy", async () => {
    ok(docker(d, ["run", "-d", "--name", "hc-boot", "--network", "none", "--health-cmd", "exit 1",
      "--health-interval", "300ms", "--health-start-period", "60s", "--health-start-interval", "200ms", "busybox", "sleep", "300"]));
    const h = await until("hc-boot", (h) => h.Log.length >= 3);
    expect(h).toMatchObject({ Status: "starting", FailingStreak: 0 });
    expect(h.Log.every((l) => l.ExitCode === 1)).toBe(true);
  });

  it("no Health without a monitored healthcheck: --no-healthcheck, and a container never started", async () => {
    ok(docker(d, ["run", "-d", "--name", "hc-none", "--network", "none", "--no-healthcheck", "busybox", "sleep", "300"]));
    ok(docker(d, ["create", "--name", "hc-new", "--network", "none", "--health-cmd", "true", "busybox", "true"]));
    expect(health("hc-none")).toBeNull();
    expect(health("hc-new")).toBeNull();
    expect(ok(docker(d, ["inspect", "-f", "{{json .Config.Healthcheck}}", "hc-none"]))).toBe('{"Test":["NONE"]}');
    expect(psNames("--filter", "health=none", "--filter", "name=hc-")).toEqual(["hc-new", "hc-none"]);
    expect(psNames("--filter", "health=starting", "--filter", "name=hc-new")).toEqual([]);
  });

  it("refuses durations under 1ms and negative retries with Docker's messages", () => {
    for (const [flags, message] of [
      [["--health-interval", "1us"], "Interval in Healthcheck cannot be less than 1ms"],
      [["--health-timeout", "500us"], "Timeout in Healthcheck cannot be less than 1ms"],
      [["--health-start-period", "10us"], "StartPeriod in Healthcheck cannot be less than 1ms"],
    ] as const) {
      const r = docker(d, ["create", "--network", "none", "--health-cmd", "true", ...flags, "busybox", "true"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
  });

  it("refuses negative retries and a Test that is not a list of strings through the API", async () => {
    const create = (Healthcheck: unknown) =>
      fetch("http://wharf/v1.45/containers/create", {
        unix: d.sock,
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ Image: "busybox", Cmd: ["true"], Healthcheck }),
      } as RequestInit);
    let r = await create({ Test: ["CMD", "true"], Retries: -1 });
    expect(r.status).toBe(400);
    expect((await r.json()).message).toBe("Retries in Healthcheck cannot be negative");
    r = await create({ Test: "true" });
    expect(r.status).toBe(400);
    expect((await r.json()).message).toContain("Healthcheck.Test");
  });

  it("wharf run's --health-* flags make the Healthcheck the docker CLI makes", () => {
    const flags = ["--network", "none", "--health-cmd", "exit 0", "--health-interval", "1m30s", "--health-timeout", "2s",
      "--health-start-period", "10s", "--health-start-interval", "500ms", "--health-retries", "9", "busybox", "true"];
    ok(docker(d, ["create", "--name", "hc-docker-cli", ...flags]));
    ok(wharf(["-H", d.host, "create", "--name", "hc-wharf-cli", ...flags]));
    const hc = (n: string) => ok(docker(d, ["inspect", "-f", "{{json .Config.Healthcheck}}", n]));
    expect(hc("hc-wharf-cli")).toBe(hc("hc-docker-cli"));
    expect(JSON.parse(hc("hc-wharf-cli"))).toEqual({
      Test: ["CMD-SHELL", "exit 0"], Interval: 90e9, Timeout: 2e9, StartPeriod: 10e9, StartInterval: 500e6, Retries: 9,
    });
  });

  it("takes unset healthcheck fields from the image, field by field", () => {
    ok(docker(d, ["create", "--name", "hc-base", "busybox", "true"]));
    ok(docker(d, ["commit", "--change", "HEALTHCHECK --interval=5s --retries=4 CMD [\"true\"]", "hc-base", "wharftest/healthy:1"]));
    ok(docker(d, ["create", "--name", "hc-kid", "--network", "none", "--health-retries", "7", "wharftest/healthy:1", "true"]));
    const hc = JSON.parse(ok(docker(d, ["inspect", "-f", "{{json .Config.Healthcheck}}", "hc-kid"])));
    expect(hc).toMatchObject({ Test: ["CMD", "true"], Interval: 5_000_000_000, Retries: 7 });
  });

  it("ancestor matches containers of images committed from the given one, as dockerd's parent links", () => {
    const base = ok(docker(d, ["image", "inspect", "-f", "{{.Id}}", "busybox"]));
    ok(docker(d, ["create", "--name", "anc-src", "--network", "none", "busybox", "true"]));
    const child = ok(docker(d, ["commit", "anc-src", "wharftest/child:1"]));
    ok(docker(d, ["create", "--name", "anc-kid", "--network", "none", "wharftest/child:1", "true"]));
    ok(docker(d, ["commit", "anc-kid", "wharftest/grandchild:1"]));
    ok(docker(d, ["create", "--name", "anc-grandkid", "--network", "none", "wharftest/grandchild:1", "true"]));
    expect(ok(docker(d, ["image", "inspect", "-f", "{{.Parent}}", "wharftest/child:1"]))).toBe(base);
    expect(ok(docker(d, ["image", "inspect", "-f", "{{.Parent}}", "busybox"]))).toBe("");
    const anc = (ref: string) => psNames("--filter", `ancestor=${ref}`, "--filter", "name=anc-");
    expect(anc("busybox")).toEqual(["anc-grandkid", "anc-kid", "anc-src"]);
    expect(anc("wharftest/child:1")).toEqual(["anc-grandkid", "anc-kid"]);
    expect(anc(child.replace(/^sha256:/, "").slice(0, 12))).toEqual(["anc-grandkid", "anc-kid"]);
    expect(anc("wharftest/grandchild:1")).toEqual(["anc-grandkid"]);
  });
});

describe("healthchecks across a daemon restart", () => {
  it("a stopped container stays unhealthy and a running one is probed again by the next daemon", async () => {
    const d = await startDaemon();
    let d2: TestDaemon | undefined;
    try {
      loadBusybox(d);
      for (const n of ["hr-stopped", "hr-live"]) {
        ok(docker(d, ["run", "-d", "--name", n, "--network", "none", "--health-cmd", "true", "--health-interval", "300ms", "busybox", "sleep", "300"]));
        await healthUntil(d, n, (h) => h.Status === "healthy");
      }
      ok(docker(d, ["stop", "-t", "1", "hr-stopped"]));
      await d.stop("SIGKILL");
      d2 = await startDaemon(["--data-root", d.dataRoot, "--exec-root", d.execRoot]);
      expect(healthOf(d2, "hr-stopped")!.Status).toBe("unhealthy");
      const before = healthOf(d2, "hr-live")!.Log.at(-1)!.Start;
      const after = await healthUntil(d2, "hr-live", (h) => h.Log.at(-1)!.Start > before);
      expect(after.Status).toBe("healthy");
    } finally {
      await removeAllAndCleanup(d2 ?? d);
      if (d2) await d.cleanup();
    }
  });
});
