import { describe, expect, it } from "vitest";
import { goDuration, parseGoDuration } from "../../src/time.ts";
import { applyChanges } from "../../src/image/changes.ts";

describe("Go durations", () => {
  it("formats as time.Duration.String does", () => {
    expect(goDuration(0)).toBe("0s");
    expect(goDuration(500)).toBe("500ns");
    expect(goDuration(1500)).toBe("1.5µs");
    expect(goDuration(200e6)).toBe("200ms");
    expect(goDuration(1.5e9)).toBe("1.5s");
    expect(goDuration(30e9)).toBe("30s");
    expect(goDuration(90e9)).toBe("1m30s");
    expect(goDuration(3.6e12)).toBe("1h0m0s");
    expect(goDuration(-2e9)).toBe("-2s");
  });
  it("parses Go's syntax and refuses anything else", () => {
    expect(parseGoDuration("300ms")).toBe(300e6);
    expect(parseGoDuration("1m30s")).toBe(90e9);
    expect(parseGoDuration("1.5s")).toBe(1.5e9);
    expect(parseGoDuration("10us")).toBe(10e3);
    expect(parseGoDuration("0")).toBe(0);
    for (const bad of ["", "5", "s", "5x", "1s ", "-1s"]) expect(parseGoDuration(bad)).toBeUndefined();
  });
});

describe("HEALTHCHECK in changes", () => {
  it("takes Dockerfile options before CMD", () => {
    const c = applyChanges({}, ["HEALTHCHECK --interval=5s --timeout=2s --start-period=1m --start-interval=1s --retries=4 CMD curl -f http://localhost/"]);
    expect(c.Healthcheck).toEqual({
      Test: ["CMD-SHELL", "curl -f http://localhost/"],
      Interval: 5e9, Timeout: 2e9, StartPeriod: 60e9, StartInterval: 1e9, Retries: 4,
    });
    expect(applyChanges({}, ['HEALTHCHECK CMD ["true"]']).Healthcheck).toEqual({ Test: ["CMD", "true"] });
    expect(applyChanges({}, ["HEALTHCHECK NONE"]).Healthcheck).toEqual({ Test: ["NONE"] });
  });
  it("refuses an unknown option or a bad value", () => {
    expect(() => applyChanges({}, ["HEALTHCHECK --every=5s CMD true"])).toThrow(/unknown flag: --every/);
    expect(() => applyChanges({}, ["HEALTHCHECK --interval=soon CMD true"])).toThrow(/invalid --interval value: soon/);
    expect(() => applyChanges({}, ["HEALTHCHECK --retries=-1 CMD true"])).toThrow(/invalid --retries value/);
  });
});
