import { describe, expect, it } from "vitest";
import { parseSignal, signalName } from "../../src/sys/signals.ts";

describe("signals", () => {
  it("reads names, SIG names and numbers", () => {
    expect(parseSignal("KILL")).toBe(9);
    expect(parseSignal("SIGTERM")).toBe(15);
    expect(parseSignal("sigint")).toBe(2);
    expect(parseSignal("9")).toBe(9);
    expect(parseSignal("SIGRTMIN+3")).toBe(37);
    expect(signalName(15)).toBe("SIGTERM");
  });
  it("refuses unknown signals with Docker's message", () => {
    expect(() => parseSignal("SIGNOPE")).toThrow("Invalid signal: SIGNOPE");
    expect(() => parseSignal("99")).toThrow("Invalid signal: 99");
  });
});
