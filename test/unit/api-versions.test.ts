// Answers and request bodies shaped by the API version in the path (moby's CHANGELOG).
import { describe, expect, it } from "vitest";
import { containerInspectFor } from "../../src/api/versions/container.ts";
import { createBodyFor } from "../../src/api/versions/create.ts";
import { infoFor } from "../../src/api/versions/system.ts";
import { streamType } from "../../src/api/routers/containers/io.ts";
import { RawJson } from "../../src/api/rawjson.ts";

const id = "0123456789ab" + "c".repeat(52);
const inspect = () => ({
  Id: id,
  Config: { Hostname: "0123456789ab" },
  HostConfig: { NetworkMode: "front" },
  NetworkSettings: { Networks: { front: { Aliases: ["web"], DNSNames: ["x", "web", "0123456789ab"] }, bridge: { Aliases: null } } },
});

describe("container inspect by version", () => {
  it("adds the short ID to user networks' Aliases below 1.45 only", () => {
    expect((containerInspectFor("1.45", inspect()) as any).NetworkSettings.Networks.front.Aliases).toEqual(["web"]);
    const old = containerInspectFor("1.44", inspect()) as any;
    expect(old.NetworkSettings.Networks.front.Aliases).toEqual(["web", "0123456789ab"]);
    expect(old.NetworkSettings.Networks.bridge.Aliases).toBeNull();
    expect(old.HostConfig).not.toHaveProperty("KernelMemoryTCP");
  });

  it("has the KernelMemory fields below 1.42, and leaves the cached answer as it was", () => {
    const raw = new RawJson(JSON.stringify(inspect()));
    const a = containerInspectFor("1.41", raw) as RawJson;
    expect(JSON.parse(a.text).HostConfig).toMatchObject({ KernelMemory: 0, KernelMemoryTCP: 0 });
    expect(containerInspectFor("1.41", raw)).toBe(a);
    expect(JSON.parse(raw.text).NetworkSettings.Networks.front.Aliases).toEqual(["web"]);
    expect(containerInspectFor("1.45", raw)).toBe(raw);
  });
});

describe("create bodies by version", () => {
  it("drops what a version did not have and refuses what it could not say", () => {
    expect(createBodyFor("1.24", { Image: "b", HostConfig: { AutoRemove: true } }).HostConfig.AutoRemove).toBe(false);
    expect(createBodyFor("1.39", { Image: "b", HostConfig: { KernelMemoryTCP: 5 } }).HostConfig).not.toHaveProperty("KernelMemoryTCP");
    expect(createBodyFor("1.41", { Image: "b", HostConfig: { ConsoleSize: [3, 4] } }).HostConfig).not.toHaveProperty("ConsoleSize");
    expect(createBodyFor("1.45", { Image: "b", HostConfig: { ConsoleSize: [3, 4] } }).HostConfig.ConsoleSize).toEqual([3, 4]);
    expect(createBodyFor("1.42", { Image: "b", HostConfig: { Annotations: { a: "b" } } }).HostConfig).not.toHaveProperty("Annotations");
    expect(createBodyFor("1.43", { Image: "b", Healthcheck: { Test: ["NONE"], StartInterval: 5 } }).Healthcheck).not.toHaveProperty("StartInterval");
    expect(() => createBodyFor("1.43", { Image: "b", NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } })).toThrow(
      "Container cannot be created with multiple network endpoints: a, b",
    );
    expect(createBodyFor("1.44", { Image: "b", NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } })).toBeTruthy();
    const sub = { Image: "b", HostConfig: { Mounts: [{ Type: "volume", Target: "/v", VolumeOptions: { Subpath: "s" } }] } };
    expect(() => createBodyFor("1.44", structuredClone(sub))).toThrow("VolumeOptions.Subpath needs API v1.45 or newer");
    expect(createBodyFor("1.45", structuredClone(sub))).toEqual(sub);
    const rofr = { Image: "b", HostConfig: { Mounts: [{ Type: "bind", Source: "/", Target: "/h", BindOptions: { ReadOnlyForceRecursive: true } }] } };
    expect(() => createBodyFor("1.43", rofr)).toThrow("BindOptions.ReadOnlyForceRecursive needs API v1.44 or newer");
    expect(createBodyFor("1.41", "not an object" as never)).toBe("not an object");
  });
});

describe("info and stream types by version", () => {
  it("shapes /info for old clients", () => {
    const info = { KernelVersion: "", OperatingSystem: "x", SecurityOptions: ["name=seccomp,profile=default", "name=cgroupns"], Runtimes: { runc: { path: "runc" } } };
    const v24 = infoFor("1.24", info);
    expect(v24).toMatchObject({ KernelVersion: "<unknown>", SecurityOptions: ["seccomp", "cgroupns"], ExecutionDriver: "<not supported>" });
    expect(infoFor("1.45", info)).toBe(info);
    expect(infoFor("1.40", info)).not.toHaveProperty("ExecutionDriver");
  });

  it("labels multiplexed streams from 1.42", () => {
    expect(streamType("1.41", false)).toBe("application/vnd.docker.raw-stream");
    expect(streamType("1.42", false)).toBe("application/vnd.docker.multiplexed-stream");
    expect(streamType("1.45", true)).toBe("application/vnd.docker.raw-stream");
  });
});
