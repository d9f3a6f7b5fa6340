// POST /build/prune: wharf's classic builder keeps no BuildKit cache, so there is never
// anything to free; clients (`docker system prune`, `docker builder prune`) still call
// it and fail on a 404.
import { json, type Route } from "../../types.ts";
import { parseFilters } from "../../filters.ts";

const pruneFilters = ["until", "id", "parent", "type", "description", "inuse", "shared", "private"] as const;

export function buildCacheRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/build/prune",
      handler: (req) => {
        parseFilters(req.query.get("filters"), pruneFilters);
        return json({ CachesDeleted: null, SpaceReclaimed: 0 });
      },
    },
  ];
}
