// `DELETE /containers/{name}` where the name is a link's (`/web/database`): the docker
// CLI sends it unescaped, so the path has two or three more segments than usual.
import { empty, type Route } from "../../types.ts";
import { boolParam } from "../../query.ts";
import type { ContainerBackend } from "./backend.ts";

export function linkRoutes(b: Pick<ContainerBackend, "containerRemove">): Route[] {
  const handler: Route["handler"] = async (req) => {
    const q = req.query;
    const name = `/${req.params.parent}/${req.params.alias}`;
    await b.containerRemove(name, { force: boolParam(q, "force"), volumes: boolParam(q, "v"), link: boolParam(q, "link") });
    return empty(204);
  };
  return [
    { method: "DELETE", path: "/containers/{parent}/{alias}", handler },
    { method: "DELETE", path: "/containers//{parent}/{alias}", handler },
  ];
}
