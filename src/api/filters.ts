// The routers' view of Docker's `filters` and timestamp query parameters; the parsing and
// matching live below the API (src/filters.ts, src/time.ts) since domain list and prune
// code uses them too.
export { matchLabels, parseFilters, type Filters } from "../filters.ts";
export { parseTimestampNano } from "../time.ts";
