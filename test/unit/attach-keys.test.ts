import { describe, expect, it } from "vitest";
import { parseDetachKeys } from "../../src/daemon/containers/attach.ts";

describe("detach keys", () => {
  it("reads Docker's syntax", () => {
    expect(parseDetachKeys("ctrl-p,ctrl-q")).toEqual([16, 17]);
    expect(parseDetachKeys("ctrl-a,x")).toEqual([1, 120]);
    expect(parseDetachKeys("ctrl-@")).toEqual([0]);
  });
  it("refuses what it cannot read", () => {
    expect(() => parseDetachKeys("ctrl-pq")).toThrow("Invalid detach keys (ctrl-pq) provided");
  });
});
