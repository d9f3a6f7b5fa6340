// Container answers as an older API version shows them (moby's api/docs/CHANGELOG.md).
// The daemon builds the current (1.45) shape once; a client asking at an older version
// gets that shape adjusted here, the adjusted text cached next to the current one.
import { RawJson } from "../rawjson.ts";
import { compareVersions } from "../router.ts";
import type { Json } from "../../container/config.ts";

const older = new WeakMap<RawJson, RawJson>();

/** Networks named so are not user-defined: dockerd adds no aliases on them. */
const builtinModes = new Set(["bridge", "host", "none", "default"]);

/**
 * GET /containers/{id}/json below 1.45: each user-defined network's `Aliases` also holds
 * the short container ID and the hostname (dockerd's ContainerInspect; Compose 1.29 relies
 * on the short ID being there to leave a container's network alone).
 */
export function containerInspectFor(version: string, answer: Json | RawJson): Json | RawJson {
  if (compareVersions(version, "1.45") >= 0) return answer;
  if (!(answer instanceof RawJson)) return shapeInspect(structuredClone(answer));
  let hit = older.get(answer);
  if (!hit) older.set(answer, (hit = new RawJson(JSON.stringify(shapeInspect(JSON.parse(answer.text) as Json)))));
  return hit;
}

function shapeInspect(c: Json): Json {
  const shortId = String(c.Id ?? "").slice(0, 12);
  const hostname: string = c.Config?.Hostname ?? "";
  const nets: Json = c.NetworkSettings?.Networks ?? {};
  for (const [name, ep] of Object.entries(nets) as [string, Json][]) {
    if (builtinModes.has(name) || !ep) continue;
    const aliases: string[] = [...(ep.Aliases ?? [])];
    for (const a of [shortId, hostname]) if (a && !aliases.includes(a)) aliases.push(a);
    ep.Aliases = aliases;
  }
  return c;
}
