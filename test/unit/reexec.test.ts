import { describe, expect, it } from "vitest";
import { invokedAs, lookup, register } from "../../src/reexec.ts";

describe("reexec", () => {
  it("dispatches on the base name of argv0", () => {
    expect(invokedAs("/usr/local/bin/dockerinit")).toBe("dockerinit");
    expect(invokedAs("dist/wharf")).toBe("wharf");
    expect(invokedAs("")).toBe("wharf");
  });
  it("registers roles once and finds them by name", async () => {
    register("test-role", (args) => args.length);
    expect(await lookup("test-role")!(["a", "b"])).toBe(2);
    expect(lookup("no-such-role")).toBeUndefined();
    expect(() => register("test-role", () => 0)).toThrow(/registered twice/);
  });
});
