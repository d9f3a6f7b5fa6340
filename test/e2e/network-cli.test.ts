// wharf's own CLI for networks: network create/ls/inspect/connect/disconnect/rm/prune
// and run -p/--network/--network-alias/--ip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { docker, freePort, freeSubnet, root, startDaemon, wharf, type TestDaemon } from "../helpers/daemon.ts";

const busybox = resolve(root, "test/fixtures/busybox-docker-save.tar");

describe("wharf network CLI", () => {
  let d: TestDaemon;
  const w = (args: string[]) => wharf(["-H", d.host, ...args]);
  beforeAll(async () => {
    d = await startDaemon();
    if (docker(d, ["load", "-i", busybox]).code !== 0) throw new Error("load failed");
  });
  afterAll(async () => {
    if (!d) return;
    const ids = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
    if (ids.length) docker(d, ["rm", "-f", ...ids]);
    await d.cleanup();
  });

  it("create, ls, inspect, connect, disconnect, rm, prune", () => {
    const sub = freeSubnet(2, false);
    const c = w(["network", "create", "--subnet", sub, "--label", "k=v", "cli1"]);
    expect(c.stderr).toBe("");
    expect(c.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    const ls = w(["network", "ls"]).stdout;
    expect(ls.split("\n")[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
    expect(ls).toMatch(/cli1\s+bridge\s+local/);
    expect(ls).toMatch(/none\s+null\s+local/);
    expect(w(["network", "ls", "-q", "--filter", "label=k=v"]).stdout.trim()).toBe(c.stdout.trim().slice(0, 12));
    expect(w(["network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "cli1"]).stdout.trim()).toBe(sub);
    const id = w(["run", "-d", "--name", "cli-c", "--network", "cli1", "--network-alias", "al", "--ip", sub.replace(/0\/24$/, "9"), "busybox", "sleep", "60"]).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(docker(d, ["inspect", "-f", "{{.NetworkSettings.Networks.cli1.IPAddress}} {{.NetworkSettings.Networks.cli1.Aliases}}", id]).stdout.trim()).toBe(`${sub.replace(/0\/24$/, "9")} [al]`);
    expect(w(["network", "connect", "bridge", "cli-c"]).code).toBe(0);
    expect(docker(d, ["inspect", "-f", "{{.NetworkSettings.Networks.bridge.IPAddress}}", id]).stdout.trim()).not.toBe("");
    expect(w(["network", "disconnect", "bridge", "cli-c"]).code).toBe(0);
    const rm = w(["network", "rm", "cli1"]);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain("has active endpoints");
    docker(d, ["rm", "-f", id]);
    expect(w(["network", "rm", "cli1"]).stdout.trim()).toBe("cli1");
    expect(w(["network", "create", "--subnet", freeSubnet(2, false), "cli2"]).code).toBe(0);
    expect(w(["network", "prune", "-f"]).stdout).toBe("Deleted Networks:\ncli2\n\n");
  });

  it("run -p publishes a port that answers on 127.0.0.1", async () => {
    const port = await freePort();
    const id = w(["run", "-d", "-p", `127.0.0.1:${port}:80`, "busybox", "sh", "-c", "mkdir /w; echo cli-ok > /w/index.html; exec httpd -f -p 80 -h /w"]).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    let body = "";
    for (let i = 0; i < 20 && body !== "cli-ok\n"; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => "");
      if (body !== "cli-ok\n") await Bun.sleep(100);
    }
    expect(body).toBe("cli-ok\n");
    expect(docker(d, ["port", id]).stdout.trim()).toBe(`80/tcp -> 127.0.0.1:${port}`);
    docker(d, ["rm", "-f", id]);
  });
});
