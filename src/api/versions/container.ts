// Container answers as an older API version shows them (moby's api/docs/CHANGELOG.md).
// The daemon builds the current (1.45) shape once; a client asking at an older version
// gets that shape adjusted here, the adjusted text cached next to the current one.
import { RawJson } from "../rawjson.ts";
import { compareVersions } from "../router.ts";

/** The parts of an inspect answer that changed between versions. */
export interface VersionedInspect {
  Id?: string;
  Config?: { Hostname?: string | null } | null;
  NetworkSettings?: { Networks?: { [name: string]: { Aliases?: string[] | null } | null } | null } | null;
  HostConfig?: { NetworkMode?: string | null; KernelMemory?: number; KernelMemoryTCP?: number } | null;
}

/** The versions at which the inspect shape changed, newest first. */
const steps = ["1.45", "1.42"] as const;
type Step = (typeof steps)[number];

const older = new WeakMap<RawJson, Map<Step, RawJson>>();

/** Networks named so are not user-defined: dockerd adds no aliases on them. */
const builtinModes = new Set(["bridge", "host", "none", "default"]);

/** The oldest change the version predates, or undefined for the current shape. */
function stepFor(version: string): Step | undefined {
  let found: Step | undefined;
  for (const s of steps) if (compareVersions(version, s) < 0) found = s;
  return found;
}

/**
 * GET /containers/{id}/json at an older version:
 * - below 1.45 each user-defined network's `Aliases` also holds the short container ID
 *   and the hostname (dockerd's ContainerInspect; Compose 1.29 relies on the short ID
 *   being there to leave a container's network alone);
 * - below 1.42 `HostConfig.KernelMemory` and `KernelMemoryTCP` are there even when unset.
 */
export function containerInspectFor<T extends VersionedInspect>(version: string, answer: T | RawJson): T | RawJson {
  const step = stepFor(version);
  if (!step) return answer;
  if (!(answer instanceof RawJson)) return shapeInspect(structuredClone(answer), step);
  let byStep = older.get(answer);
  if (!byStep) older.set(answer, (byStep = new Map()));
  let hit = byStep.get(step);
  if (!hit) byStep.set(step, (hit = new RawJson(JSON.stringify(shapeInspect(JSON.parse(answer.text) as VersionedInspect, step)))));
  return hit;
}

function shapeInspect<T extends VersionedInspect>(c: T, step: Step): T {
  const shortId = String(c.Id ?? "").slice(0, 12);
  const hostname: string = c.Config?.Hostname ?? "";
  const nets = c.NetworkSettings?.Networks ?? {};
  for (const [name, ep] of Object.entries(nets)) {
    if (builtinModes.has(name) || !ep) continue;
    const aliases: string[] = [...(ep.Aliases ?? [])];
    for (const a of [shortId, hostname]) if (a && !aliases.includes(a)) aliases.push(a);
    ep.Aliases = aliases;
  }
  if (step === "1.42" && c.HostConfig) {
    c.HostConfig.KernelMemory ??= 0;
    c.HostConfig.KernelMemoryTCP ??= 0;
  }
  return c;
}
