import { describe, expect, it } from "vitest";
import { ContainerState } from "../../src/container/state.ts";
import { humanDuration, nowNano, zeroTime } from "../../src/time.ts";
import { KeyedLock } from "../../src/keyedlock.ts";
import { generateName, validContainerName } from "../../src/container/names.ts";

describe("container state", () => {
  it("starts created with Docker's zero times", () => {
    const s = new ContainerState();
    expect(s.s).toMatchObject({ Status: "created", Running: false, Pid: 0, StartedAt: zeroTime, FinishedAt: zeroTime });
    expect(s.statusText()).toBe("Created");
  });
  it("wait not-running returns at once when stopped, next-exit waits for the next exit", async () => {
    const s = new ContainerState();
    expect(await s.wait("not-running")).toEqual({ StatusCode: 0, Error: null });
    s.setRunning(42);
    const next = s.wait("next-exit");
    const notRunning = s.wait("not-running");
    const removed = s.wait("removed");
    let removedDone = false;
    void removed.then(() => (removedDone = true));
    s.setStopped({ exitCode: 3 });
    expect(await next).toEqual({ StatusCode: 3, Error: null });
    expect(await notRunning).toEqual({ StatusCode: 3, Error: null });
    await Bun.sleep(1);
    expect(removedDone).toBe(false);
    s.setRemoved();
    expect(await removed).toEqual({ StatusCode: 3, Error: null });
  });
  it("status texts read like docker ps", () => {
    const s = new ContainerState();
    s.setRunning(1, new Date(Date.now() - 2000).toISOString());
    expect(s.statusText()).toBe("Up 2 seconds");
    s.setPaused(true);
    expect(s.statusText()).toBe("Up 2 seconds (Paused)");
    s.setStopped({ exitCode: 3, finishedAt: new Date(Date.now() - 2000).toISOString() });
    expect(s.statusText()).toBe("Exited (3) 2 seconds ago");
    // go-units truncates seconds and minutes (1.5 minutes is "About a minute") and rounds hours.
    expect(humanDuration(90_000)).toBe("About a minute");
    expect(humanDuration(150_000)).toBe("2 minutes");
    expect(humanDuration(1_999)).toBe("1 second");
    expect(humanDuration(59.9 * 60_000)).toBe("59 minutes");
    expect(humanDuration(90 * 60_000)).toBe("2 hours");
    expect(humanDuration(60_000)).toBe("About a minute");
  });
  it("writes RFC 3339 times with nanoseconds", () => {
    expect(nowNano()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });
});

describe("keyed lock", () => {
  it("runs work on one key in order and other keys in parallel", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const slow = lock.run("a", async () => {
      await Bun.sleep(30);
      log.push("a1");
    });
    const fast = lock.run("a", () => void log.push("a2"));
    const other = lock.run("b", () => void log.push("b1"));
    await Promise.all([slow, fast, other]);
    expect(log).toEqual(["b1", "a1", "a2"]);
    expect(lock.size).toBe(0);
  });
  it("releases the key when the work throws", async () => {
    const lock = new KeyedLock();
    await expect(lock.run("a", () => { throw new Error("x"); })).rejects.toThrow("x");
    expect(await lock.run("a", () => 5)).toBe(5);
  });
});

describe("names", () => {
  it("generates valid Docker-style names", () => {
    for (let i = 0; i < 200; i++) {
      const n = generateName(i % 2);
      expect(n).toMatch(/^[a-z]+_[a-z]+\d?$/);
      expect(validContainerName.test(n)).toBe(true);
      expect(n).not.toBe("boring_wozniak");
    }
  });
  it("accepts and refuses names as Docker does", () => {
    expect(validContainerName.test("/web")).toBe(true);
    expect(validContainerName.test("my.app-1_x")).toBe(true);
    expect(validContainerName.test("a")).toBe(false);
    expect(validContainerName.test("-web")).toBe(false);
    expect(validContainerName.test("we b")).toBe(false);
  });
});
