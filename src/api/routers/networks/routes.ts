// /networks: list, inspect, create, remove, connect, disconnect, prune.
import { empty, json, type Route } from "../../types.ts";
import { parseFilters } from "../../filters.ts";
import { jsonBody } from "../../query.ts";
import type { Json } from "../../../container/config.ts";

/** What the routes need of the network controller. */
export interface NetworkBackend {
  list(filters: Map<string, string[]>): Json[];
  inspect(ref: string): Json;
  create(body: Json, version: string): Promise<{ Id: string; Warning: string }>;
  remove(ref: string): Promise<void>;
  connect(ref: string, body: Json): Promise<void>;
  disconnect(ref: string, body: Json): Promise<void>;
  prune(filters: Map<string, string[]>): Promise<{ NetworksDeleted: string[] }>;
}

const listFilters = ["dangling", "driver", "id", "label", "name", "scope", "type"];
const pruneFilters = ["until", "label", "label!"];

export function networkRoutes(b: NetworkBackend): Route[] {
  return [
    { method: "GET", path: "/networks", handler: (req) => json(b.list(parseFilters(req.query.get("filters"), listFilters))) },
    { method: "GET", path: "/networks/{id}", handler: (req) => json(b.inspect(req.params.id!)) },
    {
      method: "POST",
      path: "/networks/create",
      handler: async (req) => json(await b.create(await jsonBody<Json>(await req.body(), "network config"), req.version), 201),
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
      handler: async (req) => (await b.connect(req.params.id!, await jsonBody<Json>(await req.body(), "network connect config")), empty(200)),
    },
    {
      method: "POST",
      path: "/networks/{id}/disconnect",
      handler: async (req) => (await b.disconnect(req.params.id!, await jsonBody<Json>(await req.body(), "network disconnect config")), empty(200)),
    },
  ];
}
