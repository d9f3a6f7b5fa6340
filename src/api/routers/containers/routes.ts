// Container lifecycle routes: parse, call the backend, encode. No business logic.
import { empty, json, jsonOf, type Route } from "../../types.ts";
import { boolParam, intParam, jsonBody } from "../../query.ts";
import { parseFilters } from "../../filters.ts";
import { invalidParameter } from "../../../errors.ts";
import type { ContainerBackend } from "./backend.ts";
import { RawJson } from "../../rawjson.ts";
import { compareVersions } from "../../router.ts";
import { containerInspectFor } from "../../versions/container.ts";
import { createBodyFor } from "../../versions/create.ts";
import { checkCreateBodyTypes, checkUpdateBodyTypes } from "../../../container/bodytypes.ts";
import type { WaitCondition } from "../../../container/state.ts";

const listFilters = [
  "ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task", "label", "name",
  "network", "publish", "since", "status", "volume",
] as const;
const pruneFilters = ["until", "label", "label!"] as const;

export function containerRoutes(b: ContainerBackend): Route[] {
  // The signal parameter came with 1.42; older clients never meant one.
  const stopOpts = (q: URLSearchParams, version: string) => ({
    timeout: intParam(q, "t"),
    signal: compareVersions(version, "1.42") >= 0 ? q.get("signal") || undefined : undefined,
  });
  return [
    {
      method: "POST",
      path: "/containers/create",
      handler: async (req) => {
        const body = createBodyFor(req.version, await jsonBody(await req.body(), "container config"));
        checkCreateBodyTypes(body);
        const name = req.query.get("name") || undefined;
        return json(await b.containerCreate({ name, body, platform: req.query.get("platform") || undefined }), 201);
      },
    },
    { method: "POST", path: "/containers/{id}/start", handler: async (req) => (await b.containerStart(req.params.id!), empty(204)) },
    {
      method: "POST",
      path: "/containers/{id}/stop",
      handler: async (req) => (await b.containerStop(req.params.id!, stopOpts(req.query, req.version)), empty(204)),
    },
    {
      method: "POST",
      path: "/containers/{id}/restart",
      handler: async (req) => (await b.containerRestart(req.params.id!, stopOpts(req.query, req.version)), empty(204)),
    },
    {
      method: "POST",
      path: "/containers/{id}/kill",
      handler: async (req) => (await b.containerKill(req.params.id!, req.query.get("signal") || undefined), empty(204)),
    },
    {
      method: "POST",
      path: "/containers/{id}/wait",
      handler: async (req) => {
        // Before 1.30 there was no condition, and the headers came with the answer.
        const legacy = compareVersions(req.version, "1.30") < 0;
        const cond = (legacy ? "not-running" : req.query.get("condition") || "not-running") as WaitCondition;
        if (!["not-running", "next-exit", "removed"].includes(cond)) {
          throw invalidParameter(`invalid condition: "${cond}"`);
        }
        const waitFor = await b.containerWait(req.params.id!, cond);
        if (legacy) return json(await waitFor());
        // Headers go out at once; the body comes when the condition holds.
        return {
          kind: "stream",
          status: 200,
          contentType: "application/json",
          run: async (sink) => {
            const r = await Promise.race([waitFor(), sink.closed.then(() => undefined)]);
            if (r) sink.write(JSON.stringify(r) + "\n");
          },
        };
      },
    },
    {
      method: "DELETE",
      path: "/containers/{id}",
      handler: async (req) => {
        const q = req.query;
        await b.containerRemove(req.params.id!, { force: boolParam(q, "force"), volumes: boolParam(q, "v"), link: boolParam(q, "link") });
        return empty(204);
      },
    },
    { method: "POST", path: "/containers/{id}/pause", handler: async (req) => (await b.containerPause(req.params.id!), empty(204)) },
    { method: "POST", path: "/containers/{id}/unpause", handler: async (req) => (await b.containerUnpause(req.params.id!), empty(204)) },
    {
      method: "POST",
      path: "/containers/{id}/rename",
      handler: async (req) => {
        const name = req.query.get("name");
        if (!name) throw invalidParameter("rename: name must not be empty");
        await b.containerRename(req.params.id!, name);
        return empty(204);
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/update",
      handler: async (req) => {
        const body = await jsonBody(await req.body(), "update config");
        checkUpdateBodyTypes(body);
        return json(await b.containerUpdate(req.params.id!, body));
      },
    },
    {
      method: "POST",
      path: "/containers/prune",
      handler: async (req) => json(await b.containersPrune(parseFilters(req.query.get("filters"), pruneFilters))),
    },
    {
      method: "GET",
      path: "/containers/json",
      handler: async (req) => {
        const q = req.query;
        const limit = intParam(q, "limit");
        const list = await b.containerList({
          all: boolParam(q, "all"),
          limit: limit !== undefined && limit > 0 ? limit : undefined,
          size: boolParam(q, "size"),
          filters: parseFilters(q.get("filters"), listFilters),
        });
        // The backend may answer with JSON it assembled from cached pieces.
        if (list instanceof RawJson) return { kind: "text", status: 200, body: list.text + "\n", headers: { "Content-Type": "application/json" } };
        return json(list);
      },
    },
    {
      method: "GET",
      path: "/containers/{id}/json",
      handler: (req) => {
        const answer = b.containerInspect(req.params.id!, { size: boolParam(req.query, "size") });
        return jsonOf(answer instanceof Promise ? answer.then((a) => containerInspectFor(req.version, a)) : containerInspectFor(req.version, answer));
      },
    },
  ];
}
