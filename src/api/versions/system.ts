// GET /info as an older API version shows it (moby's system_routes.go getInfo).
import { compareVersions } from "../router.ts";

type Runtime = { path?: string; runtimeArgs?: string[]; status?: Record<string, string> };
/** The fields of GET /info that changed between versions. */
export interface VersionedInfo {
  Runtimes?: Record<string, Runtime>;
  KernelVersion?: string;
  OperatingSystem?: string;
  SecurityOptions?: string[];
  ExecutionDriver?: string;
}

export function infoFor<T extends VersionedInfo>(version: string, info: T): T {
  if (compareVersions(version, "1.44") >= 0) return info;
  const out: T = { ...info };
  // Runtimes' `status` came with 1.44.
  if (out.Runtimes) {
    const rts: Record<string, Runtime> = {};
    for (const [k, v] of Object.entries(out.Runtimes)) rts[k] = { path: v.path, ...(v.runtimeArgs ? { runtimeArgs: v.runtimeArgs } : {}) };
    out.Runtimes = rts;
  }
  if (compareVersions(version, "1.39") < 0) {
    if (!out.KernelVersion) out.KernelVersion = "<unknown>";
    if (!out.OperatingSystem) out.OperatingSystem = "<unknown>";
  }
  if (compareVersions(version, "1.25") < 0) {
    // Security options were bare names, and the execution driver was still reported.
    out.SecurityOptions = (out.SecurityOptions ?? []).map((o) => /(?:^|,)name=([^,]*)/.exec(o)?.[1] ?? o);
    out.ExecutionDriver = "<not supported>";
  }
  return out;
}
