// Issue 6's "Done when" for links on the default bridge: `docker run --link db:database`
// sees DATABASE_PORT_* with the child's address and resolves `database` through
// /etc/hosts. The child's address comes from bridge networking (issue 8).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

describe("links on the default bridge", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(() => removeAllAndCleanup(d));

  it("docker run --link db:database sees DATABASE_PORT_* and resolves database through /etc/hosts", () => {
    const db = docker(d, ["run", "-d", "--name", "db", "--expose", "80", "-e", "SECRET=x", "busybox", "httpd", "-f", "-p", "80"]);
    expect(db.code).toBe(0);
    const ip = docker(d, ["inspect", "-f", "{{.NetworkSettings.Networks.bridge.IPAddress}}", "db"]).stdout.trim();
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const host = docker(d, ["inspect", "-f", "{{.Config.Hostname}}", "db"]).stdout.trim();
    const r = docker(d, ["run", "--rm", "--link", "db:database", "busybox", "sh", "-c", "env; cat /etc/hosts; ping -c 1 -W 2 database >/dev/null && echo reachable"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const env = r.stdout.split("\n");
    expect(env).toContain(`DATABASE_PORT=tcp://${ip}:80`);
    expect(env).toContain(`DATABASE_PORT_80_TCP=tcp://${ip}:80`);
    expect(env).toContain(`DATABASE_PORT_80_TCP_ADDR=${ip}`);
    expect(env).toContain("DATABASE_PORT_80_TCP_PORT=80");
    expect(env).toContain("DATABASE_PORT_80_TCP_PROTO=tcp");
    expect(env).toContain("DATABASE_ENV_SECRET=x");
    expect(env.some((l) => l.startsWith("DATABASE_NAME=/") && l.endsWith("/database"))).toBe(true);
    expect(env).toContain(`${ip}\tdatabase ${host} db`);
    expect(env).toContain("reachable");
  });
});

describe("publish filter on the default bridge", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(() => removeAllAndCleanup(d));

  it("docker ps --filter publish/expose sees a published port as Docker does", () => {
    expect(docker(d, ["run", "-d", "--name", "pub", "-p", "127.0.0.1::80", "busybox", "httpd", "-f", "-p", "80"]).code).toBe(0);
    const port = docker(d, ["inspect", "-f", '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}', "pub"]).stdout.trim();
    expect(port).toMatch(/^\d+$/);
    const ps = (...args: string[]) => docker(d, ["ps", "--format", "{{.Names}} {{.Ports}}", ...args]).stdout.trim();
    expect(ps("--filter", `publish=${port}`)).toBe(`pub 127.0.0.1:${port}->80/tcp`);
    expect(ps("--filter", `publish=${port}/tcp`)).toBe(`pub 127.0.0.1:${port}->80/tcp`);
    expect(ps("--filter", "expose=80")).toBe(`pub 127.0.0.1:${port}->80/tcp`);
    expect(ps("--filter", "publish=80")).toBe("");
  });
});
