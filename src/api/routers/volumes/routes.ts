// /volumes routes: parse, call the volume service, encode. No business logic.
import { empty, json, type Route } from "../../types.ts";
import { boolParam, jsonBody } from "../../query.ts";
import { parseFilters } from "../../filters.ts";
import { invalidParameter } from "../../../errors.ts";
import { compareVersions } from "../../router.ts";
import type { CreateVolumeRequest, VolumeBackend } from "./backend.ts";

export type { VolumeBackend } from "./backend.ts";

export function volumeRoutes(v: VolumeBackend): Route[] {
  return [
    { method: "GET", path: "/volumes", handler: (req) => json(v.list(parseFilters(req.query.get("filters")))) },
    {
      method: "POST",
      path: "/volumes/create",
      handler: async (req) => {
        const body: CreateVolumeRequest = await jsonBody(await req.body(), "volume create request");
        for (const [k, val] of [["Name", body.Name], ["Driver", body.Driver]] as const) {
          if (val != null && typeof val !== "string") throw invalidParameter(`invalid JSON in volume create request: ${k} must be a string`);
        }
        return json(v.create(body), 201);
      },
    },
    {
      method: "POST",
      path: "/volumes/prune",
      handler: (req) => {
        const filters = parseFilters(req.query.get("filters"));
        // Before API 1.42 prune took every unused volume, named ones too.
        if (compareVersions(req.version, "1.42") < 0 && !filters.has("all")) filters.set("all", ["true"]);
        return json(v.prune(filters));
      },
    },
    { method: "GET", path: "/volumes/{name}", handler: (req) => json(v.inspect(req.params.name!)) },
    {
      method: "DELETE",
      path: "/volumes/{name}",
      handler: (req) => (v.remove(req.params.name!, boolParam(req.query, "force")), empty(204)),
    },
  ];
}
