import { describe, expect, it } from "vitest";
import { mergeImageConfig, pathAndArgs, validateConfig, validateHostConfig } from "../../src/container/config.ts";

const fixtureImage = {
  Entrypoint: ["/bin/sh", "/usr/local/bin/hello.sh"],
  Cmd: ["world"],
  WorkingDir: "/app",
  Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hello", "APP_HOME=/app"],
  Labels: { "org.example.fixture": "multi-layer" },
  ExposedPorts: { "8080/tcp": {} },
  Volumes: { "/app/data": {} },
  User: "0:0",
};

describe("mergeImageConfig", () => {
  it("fills what the request leaves out from the image", () => {
    const c = mergeImageConfig({ Image: "x" }, fixtureImage);
    expect(pathAndArgs(c)).toEqual({ Path: "/bin/sh", Args: ["/usr/local/bin/hello.sh", "world"] });
    expect(c).toMatchObject({ WorkingDir: "/app", User: "0:0", Volumes: { "/app/data": {} }, ExposedPorts: { "8080/tcp": {} } });
  });
  it("a user Cmd replaces the image Cmd but keeps its Entrypoint", () => {
    const c = mergeImageConfig({ Cmd: ["there"] }, fixtureImage);
    expect(pathAndArgs(c)).toEqual({ Path: "/bin/sh", Args: ["/usr/local/bin/hello.sh", "there"] });
  });
  it("a user Entrypoint drops the image's Entrypoint and Cmd", () => {
    const c = mergeImageConfig({ Entrypoint: ["echo"] }, fixtureImage);
    expect(pathAndArgs(c)).toEqual({ Path: "echo", Args: [] });
  });
  it("user env and labels win; the image's others are kept", () => {
    const c = mergeImageConfig({ Env: ["GREETING=hi"], Labels: { a: "b" } }, fixtureImage);
    expect(c.Env).toEqual(["GREETING=hi", fixtureImage.Env[0], "APP_HOME=/app"]);
    expect(c.Labels).toEqual({ "org.example.fixture": "multi-layer", a: "b" });
  });
  it("refuses a container with no command", () => {
    expect(() => mergeImageConfig({}, {})).toThrow("No command specified");
  });
});

describe("validation names the field at fault", () => {
  const bad: [object, RegExp][] = [
    [{ RestartPolicy: { Name: "sometimes" } }, /invalid restart policy: unknown policy 'sometimes'/],
    [{ RestartPolicy: { Name: "always", MaximumRetryCount: 3 } }, /maximum retry count can only be used with 'on-failure'/],
    [{ AutoRemove: true, RestartPolicy: { Name: "always" } }, /AutoRemove/],
    [{ Memory: 1024 }, /Minimum memory limit allowed is 6MB/],
    [{ Memory: 64 << 20, MemorySwap: 32 << 20 }, /memoryswap/],
    [{ NanoCpus: 1000e9 }, /Range of CPUs is from 0.01 to 2.00/],
    [{ CpusetCpus: "a-b" }, /Invalid value a-b for cpuset cpus/],
    [{ Ulimits: [{ Name: "nofile", Soft: 10, Hard: 5 }] }, /soft limit must be less than or equal to hard limit/],
  ];
  it.each(bad)("%j", (hc, msg) => {
    expect(() => validateHostConfig(hc, 2)).toThrow(msg);
  });
  it("accepts Docker's defaults", () => {
    expect(() => validateHostConfig({ RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 }, Memory: 64 << 20 }, 2)).not.toThrow();
    expect(() => validateHostConfig({}, 2)).not.toThrow();
  });
  it("checks Env, Cmd and WorkingDir", () => {
    expect(() => validateConfig({ Cmd: "sh" })).toThrow(/invalid Cmd/);
    expect(() => validateConfig({ Env: ["=x"] })).toThrow(/invalid environment variable/);
    expect(() => validateConfig({ WorkingDir: "rel" })).toThrow(/needs to be an absolute path/);
  });
});
