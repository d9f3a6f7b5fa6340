// Debian's docker-compose 1.29 (Python) driving wharf as its users do: up -d, ps, logs,
// exec -T and down -v of a two-service project (test/clients/compose-web) with a user
// network, a named volume, a port published on loopback and a depends_on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { docker, freePort, loadBusybox, removeAllAndCleanup, root, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

const project = resolve(root, "test/clients/compose-web");
const healthProject = resolve(root, "test/clients/compose-health");
const abortProject = resolve(root, "test/clients/compose-abort");

function composeBin(): string {
  for (const p of ["/usr/bin/docker-compose", "/usr/local/bin/docker-compose"]) if (existsSync(p)) return p;
  throw new Error("docker-compose is missing (Debian's docker-compose package; .ci/run installs it)");
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

// Both the API version Compose negotiates (wharf's 1.45) and the one Compose 1.29 was
// written against, where inspect answers in the older shape.
describe.each([
  { label: "negotiated API version", apiVersion: undefined },
  { label: "COMPOSE_API_VERSION=1.41", apiVersion: "1.41" },
])("docker-compose 1.29 against wharf ($label)", ({ apiVersion }) => {
  let d: TestDaemon;
  let port: number;
  const name = `cw${apiVersion ? apiVersion.replace(".", "") : "auto"}`;
  const compose = (args: string[], extraEnv: Record<string, string> = {}, dir = project, projectName = name) => {
    const r = spawnSync(composeBin(), ["-p", projectName, ...args], {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
      env: {
        ...process.env,
        DOCKER_HOST: d.host,
        DOCKER_CONFIG: join(d.dir, "docker-config"),
        WEB_PORT: String(port),
        COMPOSE_INTERACTIVE_NO_CLI: "1",
        ...(apiVersion ? { COMPOSE_API_VERSION: apiVersion } : {}),
        ...extraEnv,
      },
    });
    return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  const ok = (args: string[]) => {
    const r = compose(args);
    if (r.code !== 0) throw new Error(`docker-compose ${args.join(" ")} exited ${r.code}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    port = await freePort();
  });
  afterAll(async () => {
    if (d) compose(["down", "-v", "--timeout", "1"]);
    await removeAllAndCleanup(d);
  });

  it("up -d starts both services in order, ps shows them up with the published port", async () => {
    const up = compose(["up", "-d"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stderr).toContain(`Creating network "${name}_front" with the default driver`);
    expect(up.stderr).toContain(`Creating volume "${name}_data" with default driver`);
    // depends_on: web is created (and started) before client.
    expect(up.stderr.indexOf(`Creating ${name}_web_1`)).toBeLessThan(up.stderr.indexOf(`Creating ${name}_client_1`));
    const ps = ok(["ps"]);
    expect(ps).toMatch(new RegExp(`${name}_web_1 .* Up +127\\.0\\.0\\.1:${port}->80/tcp`));
    expect(ps).toMatch(new RegExp(`${name}_client_1 .* Up`));
    expect(ok(["ps", "-q"]).trim().split("\n")).toHaveLength(2);
  });

  it("the published port serves from 127.0.0.1", async () => {
    const body = await waitFor("the web service on the published port", async () => {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      return r.ok ? await r.text() : undefined;
    });
    expect(body).toBe("hello from web\n");
  });

  it("the client reaches web by its service name on the project network and shares the named volume", async () => {
    const fetched = await waitFor("the client's fetch through the service alias", () => {
      const r = compose(["exec", "-T", "client", "cat", "/data/fetched"]);
      return r.code === 0 && r.stdout ? r.stdout : undefined;
    });
    expect(fetched).toBe("hello from web\n");
    // The volume is the same one in both services.
    expect(ok(["exec", "-T", "web", "cat", "/data/fetched"])).toBe("hello from web\n");
  });

  it("logs shows both services' output, prefixed by service", async () => {
    const logs = await waitFor("the client's log lines", () => {
      const out = ok(["logs", "--no-color"]);
      return out.includes("fetched") ? out : undefined;
    });
    expect(logs).toMatch(/web_1 +\| web ready/);
    expect(logs).toMatch(/client_1 +\| client up/);
    expect(logs).toMatch(/web_1 +\| .*response:200/);
  });

  it("exec -T runs in the service container with its exit code and environment", () => {
    // COMPOSE_INTERACTIVE_NO_CLI: Compose execs through the API itself (dockerpty), which
    // writes both demultiplexed streams to its stdout.
    const r = compose(["exec", "-T", "web", "sh", "-c", "echo out; hostname; echo err >&2; exit 3"]);
    expect(r.code).toBe(3);
    const id = docker(d, ["inspect", "-f", "{{.Id}}", `${name}_web_1`]).stdout.trim();
    expect(r.stdout).toBe(`out\n${id.slice(0, 12)}\nerr\n`);
  });

  it("up -d again finds the project up to date; stop, start and restart keep it serving", async () => {
    const again = compose(["up", "-d"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`${name}_web_1 is up-to-date`);
    expect(again.stderr).toContain(`${name}_client_1 is up-to-date`);
    ok(["stop", "-t", "1"]);
    expect(ok(["ps"])).toMatch(new RegExp(`${name}_web_1 .* Exit`));
    ok(["start"]);
    ok(["restart", "-t", "1"]);
    expect(ok(["ps"])).toMatch(new RegExp(`${name}_web_1 .* Up +127\\.0\\.0\\.1:${port}->80/tcp`));
    const body = await waitFor("the web service after restart", async () => {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      return r.ok ? await r.text() : undefined;
    });
    expect(body).toBe("hello from web\n");
  });

  it("run --rm -T: a one-off container on the project network, output and exit code back, then gone", () => {
    // Compose runs one-off containers through the docker CLI (`docker start --attach`)
    // unless told otherwise; its own API path (dockerpty) attaches only after the start.
    const r = compose(["run", "--rm", "-T", "client", "sh", "-c", "wget -q -O - http://web/; exit 5"], { COMPOSE_INTERACTIVE_NO_CLI: "" });
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout).toBe("hello from web\n");
    expect(docker(d, ["ps", "-aq", "--filter", `name=${name}_client_run`]).stdout.trim()).toBe("");
  });

  it("depends_on service_healthy waits for the healthcheck", () => {
    const hp = `${name}h`;
    try {
      const up = compose(["up", "-d"], {}, healthProject, hp);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      const health = docker(d, ["inspect", "-f", "{{.State.Health.Status}} {{.State.StartedAt}}", `${hp}_web_1`]).stdout.trim().split(" ");
      expect(health[0]).toBe("healthy");
      const clientStarted = docker(d, ["inspect", "-f", "{{.State.StartedAt}}", `${hp}_client_1`]).stdout.trim();
      // The client started after web had been up long enough to turn healthy.
      expect(Date.parse(clientStarted) - Date.parse(health[1]!)).toBeGreaterThanOrEqual(900);
    } finally {
      compose(["down", "-t", "1"], {}, healthProject, hp);
    }
  });

  it("up in the foreground: attached output, --exit-code-from the service that ended", () => {
    const ap = `${name}a`;
    try {
      const r = compose(["up", "--no-color", "-t", "1", "--abort-on-container-exit", "--exit-code-from", "client"], {}, abortProject, ap);
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stdout).toMatch(/client_1 +\| hi\n/);
      expect(r.stdout + r.stderr).toContain(`${ap}_client_1 exited with code 3`);
    } finally {
      compose(["down", "-t", "1"], {}, abortProject, ap);
    }
  });

  it("down -v removes the containers, the network and the volume", () => {
    const down = compose(["down", "-v", "--timeout", "1"]);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(down.stderr).toContain(`Removing network ${name}_front`);
    expect(down.stderr).toContain(`Removing volume ${name}_data`);
    expect(docker(d, ["ps", "-aq"]).stdout.trim()).toBe("");
    expect(docker(d, ["network", "ls", "--format", "{{.Name}}"]).stdout.split("\n")).not.toContain(`${name}_front`);
    expect(docker(d, ["volume", "ls", "-q"]).stdout.trim()).toBe("");
    expect(ok(["ps", "-q"]).trim()).toBe("");
  });
});
