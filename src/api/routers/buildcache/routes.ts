// POST /build/prune for a daemon with no build cache wired: nothing to free, but
// clients (`docker system prune`, `docker builder prune`) call it and fail on a 404.
// Registered after every other router, so a builder's own route takes precedence.
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
