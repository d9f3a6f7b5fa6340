// /networks: list, inspect, create, remove, connect, disconnect, prune.
import { empty, json, type Route } from "../../types.ts";
import { parseFilters } from "../../filters.ts";
import { jsonBody } from "../../query.ts";
import type { NetworkBackend } from "./backend.ts";

export type { NetworkBackend } from "./backend.ts";


const listFilters = ["dangling", "driver", "id", "label", "name", "scope", "type"];
const pruneFilters = ["until", "label", "label!"];

export function networkRoutes(b: NetworkBackend): Route[] {
  return [
    { method: "GET", path: "/networks", handler: (req) => json(b.list(parseFilters(req.query.get("filters"), listFilters))) },
    { method: "GET", path: "/networks/{id}", handler: (req) => json(b.inspect(req.params.id!)) },
    {
      method: "POST",
      path: "/networks/create",
      handler: async (req) => json(await b.create(await jsonBody(await req.body(), "network config"), req.version), 201),
    },
    {
      method: "POST",
      path: "/networks/prune",
      handler: async (req) => json(await b.prune(parseFilters(req.query.get("filters"), pruneFilters))),
    },
    { method: "DELETE", path: "/networks/{id}", handler: async (req) => (await b.remove(req.params.id!), empty(204)) },
    {
      method: "POST",
      path: "/networks/{id}/connect",
      handler: async (req) => (await b.connect(req.params.id!, await jsonBody(await req.body(), "network connect config")), empty(200)),
    },
    {
      method: "POST",
      path: "/networks/{id}/disconnect",
      handler: async (req) => (await b.disconnect(req.params.id!, await jsonBody(await req.body(), "network disconnect config")), empty(200)),
    },
  ];
}
