import { containerSummary } from "../../src/container/summary.ts";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Container, commandText } from "../../src/container/container.ts";
import { configDefaults, hostConfigDefaults } from "../../src/container/defaults.ts";
import { ContainerState } from "../../src/container/state.ts";

const ref = (f: string) => {
  const d = JSON.parse(readFileSync(new URL(`../../docs/reference/dockerd-20.10/${f}`, import.meta.url), "utf8"));
  return Array.isArray(d) ? d : d;
};

function sample(): Container {
  const id = "e".repeat(64);
  const st = new ContainerState();
  st.setRunning(1234);
  st.setStopped({ exitCode: 3 });
  return new Container(
    {
      ID: id,
      Created: "2026-11-23T07:13:08.904485837Z",
      Name: "done",
      Image: "sha256:" + "d".repeat(64),
      Config: configDefaults({ Image: "busybox", Cmd: ["sh", "-c", "echo out; echo err >&2; exit 3"], AttachStdout: true, AttachStderr: true }, id),
      HostConfig: hostConfigDefaults({}),
      NetworkingConfig: null,
      State: st.s,
      RestartCount: 0,
      Driver: "overlay2",
      ManuallyStopped: false,
      HasBeenStarted: true,
      ExecIDs: [],
    },
    { root: "/r", logPath: "/r/x-json.log", hostnamePath: "/r/hostname", hostsPath: "/r/hosts", resolvConfPath: "/r/resolv.conf" },
  );
}

/** Every key the reference has is present with the same JSON type (null matches anything Docker may fill). */
function sameShape(ours: any, theirs: any, path: string, skip: Set<string>): void {
  for (const [k, v] of Object.entries(theirs)) {
    const p = `${path}.${k}`;
    if (skip.has(p)) continue;
    expect(ours, p).toHaveProperty([k]);
    const o = ours[k];
    if (v === null || o === null) continue;
    expect(Array.isArray(o), p).toBe(Array.isArray(v));
    expect(typeof o, p).toBe(typeof v);
    if (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length && !/Ports|Labels|Networks|Config$|Data/.test(k)) {
      sameShape(o, v, p, skip);
    }
  }
}

describe("container shapes", () => {
  it("inspect has every field of the reference inspect with the same types", () => {
    const theirs = ref("container-inspect-exited.json");
    const t = Array.isArray(theirs) ? theirs[0] : theirs;
    // Fields API 1.45 dropped since 20.10.
    const skip = new Set([".HostConfig.KernelMemory", ".HostConfig.KernelMemoryTCP"]);
    sameShape(sample().inspect(), t, "", skip);
  });
  it("list entries have every field of the reference list", () => {
    const theirs = ref("containers-list.json")[0];
    const c = sample();
    const ours = containerSummary(c, [`/${c.rec.Name}`], "busybox") as unknown as Record<string, unknown> & { Command: string; Names: string[]; State: string; Status: string };
    sameShape(ours, theirs, "", new Set());
    expect(ours.Command).toBe(theirs.Command);
    expect(ours.Names).toEqual(["/done"]);
    expect(ours.State).toBe("exited");
    expect(ours.Status).toMatch(/^Exited \(3\) /);
  });
  it("quotes arguments with spaces in the list Command as dockerd does", () => {
    expect(commandText("httpd", ["-f", "-p", "80"])).toBe("httpd -f -p 80");
    expect(commandText("true", [])).toBe("true");
  });
});
