import { describe, expect, it } from "vitest";
import { parseFlags } from "../../src/cli/flags.ts";
import { buildCreateRequest } from "../../src/cli/runopts.ts";
import { ramInBytes } from "../../src/cli/units.ts";

describe("docker-style flags", () => {
  it("stops at the image and keeps the command's own flags", () => {
    const r = buildCreateRequest(["-d", "--name", "web", "-e", "A=1", "-e", "B=2", "busybox", "sh", "-c", "echo -e hi"]);
    expect(r.image).toBe("busybox");
    expect(r.cmd).toEqual(["sh", "-c", "echo -e hi"]);
    expect(r.name).toBe("web");
    expect(r.body.Env).toEqual(["A=1", "B=2"]);
    expect(r.body.AttachStdout).toBe(false);
  });
  it("combines short booleans and reads values in every spelling", () => {
    const r = buildCreateRequest(["-it", "--rm", "-m32m", "--cpus=1.5", "--pids-limit", "10", "-u", "1000:1000", "busybox"]);
    expect(r.body).toMatchObject({ Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true, User: "1000:1000" });
    expect(r.body.HostConfig).toMatchObject({ AutoRemove: true, Memory: 32 << 20, NanoCpus: 1.5e9, PidsLimit: 10 });
    expect(r.body.Cmd).toBeNull();
  });
  it("reads restart policies, ulimits, caps and entrypoints", () => {
    const r = buildCreateRequest([
      "--restart", "on-failure:3", "--ulimit", "nofile=100:200", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN",
      "--entrypoint", "", "--read-only", "--init", "--network", "none", "busybox",
    ]);
    expect(r.body.HostConfig).toMatchObject({
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 },
      Ulimits: [{ Name: "nofile", Soft: 100, Hard: 200 }],
      CapDrop: ["ALL"],
      CapAdd: ["NET_ADMIN"],
      ReadonlyRootfs: true,
      Init: true,
      NetworkMode: "none",
    });
    expect(r.body.Entrypoint).toEqual([""]);
  });
  it("says which flag is wrong", () => {
    expect(() => buildCreateRequest(["--bogus", "busybox"])).toThrow("unknown flag: --bogus");
    expect(() => buildCreateRequest(["-Z", "busybox"])).toThrow("unknown shorthand flag: 'Z' in -Z");
    expect(() => buildCreateRequest(["--name"])).toThrow("flag needs an argument: --name");
    expect(() => buildCreateRequest(["-d"])).toThrow(/requires at least 1 argument/);
    expect(() => buildCreateRequest(["--ulimit", "nofile", "busybox"])).toThrow("invalid ulimit argument: nofile");
  });
  it("parses sizes like docker", () => {
    expect(ramInBytes("64m")).toBe(64 * 1024 * 1024);
    expect(ramInBytes("1g")).toBe(1024 ** 3);
    expect(ramInBytes("100")).toBe(100);
    expect(() => ramInBytes("lots")).toThrow("invalid size: 'lots'");
  });
  it("can collect positionals anywhere for commands like rm", () => {
    const p = parseFlags(["a", "-f", "b"], [{ name: "force", short: "f", type: "bool" }], { stopAtPositional: false });
    expect(p.positionals).toEqual(["a", "b"]);
    expect(p.flags.get("force")).toBe(true);
  });
  it("turns --health-* into the Healthcheck the docker CLI sends", () => {
    const r = buildCreateRequest([
      "--health-cmd", "curl -f localhost", "--health-interval", "5s", "--health-timeout", "1m30s",
      "--health-start-period", "0s", "--health-start-interval", "300ms", "--health-retries", "4", "busybox",
    ]);
    expect(r.body.Healthcheck).toEqual({
      Test: ["CMD-SHELL", "curl -f localhost"], Interval: 5e9, Timeout: 90e9, StartInterval: 300e6, Retries: 4,
    });
    expect(buildCreateRequest(["--no-healthcheck", "busybox"]).body.Healthcheck).toEqual({ Test: ["NONE"] });
    expect(buildCreateRequest(["--health-retries", "0", "busybox"]).body.Healthcheck).toBeUndefined();
    expect(() => buildCreateRequest(["--no-healthcheck", "--health-cmd", "true", "busybox"])).toThrow("--no-healthcheck conflicts with --health-* options");
    expect(() => buildCreateRequest(["--health-retries", "-1", "busybox"])).toThrow("--health-retries cannot be negative");
    expect(() => buildCreateRequest(["--health-interval", "-1s", "busybox"])).toThrow("--health-interval cannot be negative");
    expect(() => buildCreateRequest(["--health-timeout", "soon", "busybox"])).toThrow(/invalid duration "soon"/);
  });
});
