// The swarm endpoints of an engine that is not in a swarm, as dockerd answers them:
// clients (the SDKs' `swarm.attrs`, Compose, Portainer) probe these and treat a 404 as
// a broken engine, but know what to do with these 503s.
import { notImplemented, unavailable } from "../../../errors.ts";
import type { Route } from "../../types.ts";

const notManager =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const notInSwarm = "This node is not part of a swarm";

const managerOnly: [string, string][] = [
  ["GET", "/swarm"], ["GET", "/swarm/unlockkey"], ["POST", "/swarm/update"],
  ["GET", "/services"], ["GET", "/services/{id}"], ["POST", "/services/create"], ["POST", "/services/{id}/update"],
  ["DELETE", "/services/{id}"], ["GET", "/services/{id}/logs"],
  ["GET", "/nodes"], ["GET", "/nodes/{id}"], ["DELETE", "/nodes/{id}"], ["POST", "/nodes/{id}/update"],
  ["GET", "/tasks"], ["GET", "/tasks/{id}"], ["GET", "/tasks/{id}/logs"],
  ["GET", "/secrets"], ["POST", "/secrets/create"], ["GET", "/secrets/{id}"], ["DELETE", "/secrets/{id}"], ["POST", "/secrets/{id}/update"],
  ["GET", "/configs"], ["POST", "/configs/create"], ["GET", "/configs/{id}"], ["DELETE", "/configs/{id}"], ["POST", "/configs/{id}/update"],
];

export function swarmRoutes(): Route[] {
  const fail = (msg: string) => () => {
    throw unavailable(msg);
  };
  return [
    ...managerOnly.map(([method, path]) => ({ method, path, handler: fail(notManager) })),
    // dockerd's errNoSwarm: there is no swarm to leave or unlock.
    { method: "POST", path: "/swarm/leave", handler: fail(notInSwarm) },
    { method: "POST", path: "/swarm/unlock", handler: fail(notInSwarm) },
    // dockerd would make or join a swarm here; wharf has no swarm mode to offer.
    ...["/swarm/init", "/swarm/join"].map((path) => ({
      method: "POST",
      path,
      handler: () => {
        throw notImplemented("swarm mode is not supported by this engine");
      },
    })),
  ];
}
