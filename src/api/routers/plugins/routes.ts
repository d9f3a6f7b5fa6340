// The plugin endpoints of an engine with no managed plugins (wharf's volume and network
// drivers are built in): the list is empty and every named plugin is missing, in
// dockerd's words.
import { notFound, notImplemented } from "../../../errors.ts";
import { json, type Route } from "../../types.ts";

export function pluginRoutes(): Route[] {
  const missing = (req: { params: Record<string, string> }) => {
    throw notFound(`plugin "${req.params.name}" not found`);
  };
  const unsupported = () => {
    throw notImplemented("managed plugins are not supported by this engine");
  };
  const named: [string, string][] = [
    ["GET", "/plugins/{name}/json"], ["DELETE", "/plugins/{name}"], ["POST", "/plugins/{name}/enable"],
    ["POST", "/plugins/{name}/disable"], ["POST", "/plugins/{name}/push"], ["POST", "/plugins/{name}/upgrade"],
    ["POST", "/plugins/{name}/set"],
  ];
  return [
    { method: "GET", path: "/plugins", handler: () => json([]) },
    { method: "GET", path: "/plugins/privileges", handler: unsupported },
    { method: "POST", path: "/plugins/pull", handler: unsupported },
    { method: "POST", path: "/plugins/create", handler: unsupported },
    ...named.map(([method, path]) => ({ method, path, handler: missing })),
  ];
}
