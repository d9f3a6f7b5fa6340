// GET /info as an older API version shows it (moby's system_routes.go getInfo).
import { compareVersions } from "../router.ts";
import type { Json } from "../../container/config.ts";

export function infoFor(version: string, info: Json): Json {
  if (compareVersions(version, "1.44") >= 0) return info;
  const out: Json = { ...info };
  // Runtimes' `status` came with 1.44.
  if (out.Runtimes) {
    const rts: Json = {};
    for (const [k, v] of Object.entries(out.Runtimes as Json)) rts[k] = { path: (v as Json).path, ...((v as Json).runtimeArgs ? { runtimeArgs: (v as Json).runtimeArgs } : {}) };
    out.Runtimes = rts;
  }
  if (compareVersions(version, "1.39") < 0) {
    if (!out.KernelVersion) out.KernelVersion = "<unknown>";
    if (!out.OperatingSystem) out.OperatingSystem = "<unknown>";
  }
  if (compareVersions(version, "1.25") < 0) {
    // Security options were bare names, and the execution driver was still reported.
    out.SecurityOptions = ((out.SecurityOptions ?? []) as string[]).map((o) => /(?:^|,)name=([^,]*)/.exec(o)?.[1] ?? o);
    out.ExecutionDriver = "<not supported>";
  }
  return out;
}
