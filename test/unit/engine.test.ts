import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { registerSystemJobs, type SystemState } from "../../src/daemon/system.ts";

const state: SystemState = {
  id: "test-id",
  dataRoot: "/tmp/x",
  settings: { debug: false, labels: [], insecureRegistries: [], registryMirrors: [], liveRestore: true, logDriver: "json-file", defaultAddressPools: [] },
  storageDriver: () => "vfs",
  containerCounts: () => ({ total: 3, running: 1, paused: 0, stopped: 2 }),
  imageCount: () => 7,
};

describe("engine", () => {
  it("lists builtins and the daemon's jobs sorted", async () => {
    const e = new Engine();
    registerSystemJobs(e, () => state);
    e.register("container_create", () => "created");
    e.register("acceptconnections", () => undefined);
    const names = await e.call<string[]>("commands");
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["version", "info", "ping", "events", "commands", "container_create"]));
    expect(await e.call("container_create")).toBe("created");
  });
  it("refuses a duplicate job and an unknown one", async () => {
    const e = new Engine();
    e.register("a", () => 1);
    expect(() => e.register("a", () => 2)).toThrow(/already registered/);
    await expect(e.call("b")).rejects.toThrow(/no such job: b/);
    expect(() => e.run("b")).toThrow(/no such job: b/);
  });
  it("run hands back a synchronous answer as it is; call always promises", async () => {
    const e = new Engine();
    e.register("now", () => 42);
    e.register("later", async () => 43);
    e.register("fails", () => {
      throw new Error("boom");
    });
    expect(e.run("now")).toBe(42);
    expect(e.run("later")).toBeInstanceOf(Promise);
    expect(await e.call("now")).toBe(42);
    expect(() => e.run("fails")).toThrow("boom");
    await expect(e.call("fails")).rejects.toThrow("boom");
  });
  it("info reports real host values and the daemon's counts", async () => {
    const e = new Engine();
    registerSystemJobs(e, () => state);
    const info = await e.call("info");
    const os = await import("node:os");
    expect(info.NCPU).toBe(os.cpus().length);
    expect(info.MemTotal).toBe(os.totalmem());
    expect(info.KernelVersion).toBe(os.release());
    expect(info).toMatchObject({ ID: "test-id", Containers: 3, ContainersRunning: 1, ContainersStopped: 2, Images: 7, Driver: "vfs", DockerRootDir: "/tmp/x" });
    expect(["1", "2"]).toContain(info.CgroupVersion);
  });
  it("publishes events in Docker's shape with strictly increasing timeNano", () => {
    const e = new Engine();
    const seen: unknown[] = [];
    e.events.subscribe((ev) => seen.push(ev));
    const a = e.events.publish("container", "die", "abc", { exitCode: "3", image: "busybox", name: "done" });
    const b = e.events.publish("container", "destroy", "abc", {});
    expect(a).toMatchObject({ status: "die", id: "abc", from: "busybox", Type: "container", Action: "die", scope: "local" });
    expect(a.Actor).toEqual({ ID: "abc", Attributes: { exitCode: "3", image: "busybox", name: "done" } });
    expect(b.timeNano).toBeGreaterThan(a.timeNano);
    expect(a.time).toBe(Number(a.timeNano / 1_000_000_000n));
    expect(seen).toHaveLength(2);
    expect(e.events.history(b.timeNano)).toEqual([b]);
  });
});
