// dockerd's exec GC in the exec store: an ended exec (one its container no longer lists)
// is marked at one sweep and forgotten at the next; listed ones stay, whatever their age.
import { describe, expect, test } from "vitest";
import { ExecStore, type ExecInstance } from "../../src/daemon/exec/store.ts";

const exec = (id: string, containerId = "c1"): ExecInstance => ({
  id,
  containerId,
  config: { Cmd: ["true"], Env: [], WorkingDir: "", User: "", Privileged: false, Tty: false, AttachStdin: false, AttachStdout: true, AttachStderr: true, DetachKeys: "" },
  running: false,
  exitCode: null,
  pid: 0,
  started: false,
});

describe("exec store GC", () => {
  test("ended execs go at the second sweep; listed ones stay; an ended one is inspectable until then", () => {
    const s = new ExecStore();
    for (const id of ["ended", "running", "created"]) s.add(exec(id));
    const listed = new Set(["running", "created"]);
    expect(s.sweep((e) => listed.has(e.id))).toBe(0);
    expect(s.get("ended").id).toBe("ended");
    expect(s.sweep((e) => listed.has(e.id))).toBe(1);
    expect(() => s.get("ended")).toThrow("No such exec instance: ended");
    expect(s.size).toBe(2);
    // The running one ends: it too goes two sweeps later, the created one never.
    listed.delete("running");
    s.sweep((e) => listed.has(e.id));
    expect(s.get("running").id).toBe("running");
    s.sweep((e) => listed.has(e.id));
    expect(() => s.get("running")).toThrow();
    for (let i = 0; i < 5; i++) s.sweep((e) => listed.has(e.id));
    expect(s.get("created").id).toBe("created");
  });

  test("a container's removal drops its execs and their marks", () => {
    const s = new ExecStore();
    s.add(exec("a", "c1"));
    s.add(exec("b", "c2"));
    s.sweep(() => false);
    expect(s.dropContainer("c1")).toEqual(["a"]);
    expect(s.sweep(() => false)).toBe(1);
    expect(s.size).toBe(0);
  });
});
