// Engine.serve, the one wiring of every resource: each verb becomes a job reachable by
// name with the verb's arguments, and the backend handed back calls through those jobs.
import { describe, expect, it } from "vitest";
import { Engine, jobName } from "../../src/engine/engine.ts";

class Thing {
  calls: unknown[][] = [];
  thingCreate(name: string, opts: { size: number }) {
    this.calls.push(["create", name, opts]);
    return { Id: `id-${name}` };
  }
  async thingsPrune() {
    return { Deleted: ["a"] };
  }
  thingFail(): never {
    throw new Error("boom");
  }
}

describe("engine serve", () => {
  it("names jobs after the verbs", () => {
    expect(jobName("containerStart")).toBe("container_start");
    expect(jobName("imagesPrune")).toBe("images_prune");
  });
  it("registers every verb and calls through the job with the verb's own this", async () => {
    const e = new Engine();
    const t = new Thing();
    const b = e.serve(t, ["thingCreate", "thingsPrune", "thingFail"]);
    expect(e.commands()).toEqual(["thing_create", "thing_fail", "things_prune"]);
    // A synchronous verb answers synchronously through the backend.
    expect(b.thingCreate("x", { size: 1 })).toEqual({ Id: "id-x" });
    expect(await e.call("thing_create", ["y", { size: 2 }])).toEqual({ Id: "id-y" });
    expect(t.calls).toEqual([["create", "x", { size: 1 }], ["create", "y", { size: 2 }]]);
    expect(await b.thingsPrune()).toEqual({ Deleted: ["a"] });
    expect(() => b.thingFail()).toThrow("boom");
  });
  it("takes a name function so two resources' verbs do not collide", () => {
    const e = new Engine();
    e.serve({ create: () => 1 }, ["create"], (v) => `volume_${v}`);
    e.serve({ create: () => 2 }, ["create"], (v) => `network_${v}`);
    expect(e.run("volume_create", [])).toBe(1);
    expect(e.run("network_create", [])).toBe(2);
    expect(() => e.serve({ create: () => 3 }, ["create"], (v) => `volume_${v}`)).toThrow(/already registered/);
  });
});
