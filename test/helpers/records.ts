// A container record as create makes one, for unit tests that build containers without a daemon.
import type { ContainerRecord } from "../../src/container/container.ts";
import { configDefaults, hostConfigDefaults } from "../../src/container/defaults.ts";
import { ContainerState } from "../../src/container/state.ts";

export function testRecord(
  id: string,
  name: string,
  opts: { config?: Record<string, unknown>; hostConfig?: Record<string, unknown>; created?: string } = {},
): ContainerRecord {
  return {
    ID: id,
    Created: opts.created ?? new Date().toISOString(),
    Name: name,
    Image: "sha256:" + "d".repeat(64),
    Config: configDefaults({ Image: "busybox", ...opts.config }, id),
    HostConfig: hostConfigDefaults(opts.hostConfig ?? {}),
    NetworkingConfig: null,
    State: new ContainerState().s,
    RestartCount: 0,
    Driver: "overlay2",
    ManuallyStopped: false,
    HasBeenStarted: false,
    ExecIDs: [],
  };
}
