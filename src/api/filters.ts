// The routers' view of Docker's `filters` query parameter; the parsing and matching
// live below the API (src/filters.ts) since domain list and prune code uses them too.
export { matchLabels, parseFilters, parseTimestampNano, type Filters } from "../filters.ts";
