// `DELETE /containers/{name}` and `GET /containers/{name}/json` where the name is a
// link's (`/web/database`): the docker CLI sends it unescaped, so the path has one
// or two more segments than usual.
import { empty, jsonOf, type Route } from "../../types.ts";
import { boolParam } from "../../query.ts";
import type { ContainerBackend } from "./backend.ts";
import { containerInspectFor } from "../../versions/container.ts";

export function linkRoutes(b: Pick<ContainerBackend, "containerRemove" | "containerInspect">): Route[] {
  const handler: Route["handler"] = async (req) => {
    const q = req.query;
    const name = `/${req.params.parent}/${req.params.alias}`;
    await b.containerRemove(name, { force: boolParam(q, "force"), volumes: boolParam(q, "v"), link: boolParam(q, "link") });
    return empty(204);
  };
  const inspect: Route["handler"] = async (req) =>
    jsonOf(containerInspectFor(req.version, await b.containerInspect(`/${req.params.parent}/${req.params.alias}`, { size: boolParam(req.query, "size") })));
  return [
    { method: "DELETE", path: "/containers/{parent}/{alias}", handler },
    { method: "DELETE", path: "/containers//{parent}/{alias}", handler },
    { method: "GET", path: "/containers/{parent}/{alias}/json", handler: inspect },
    { method: "GET", path: "/containers//{parent}/{alias}/json", handler: inspect },
  ];
}
