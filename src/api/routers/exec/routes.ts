// The exec routes, and the terminal resize of containers. Parse, call, encode.
import { compareVersions } from "../../router.ts";
import type { Duplex } from "node:stream";
import { empty, json, type Route } from "../../types.ts";
import { intParam, jsonBody } from "../../query.ts";
import { invalidParameter } from "../../../errors.ts";
import { streamType } from "../containers/io.ts";
import type { ExecBackend, ExecStartBody } from "./backend.ts";

export type { ExecBackend } from "./backend.ts";


function size(q: URLSearchParams): [number, number] {
  const h = intParam(q, "h") ?? 0;
  const w = intParam(q, "w") ?? 0;
  if (h < 0 || w < 0) throw invalidParameter(`invalid terminal size ${h}x${w}`);
  return [h, w];
}

export function execRoutes(b: ExecBackend): Route[] {
  return [
    {
      method: "POST",
      path: "/containers/{id}/exec",
      handler: async (req) => {
        const body = await jsonBody(await req.body(), "exec config");
        // ConsoleSize came with 1.42: older clients' values are not theirs to mean.
        if (compareVersions(req.version, "1.42") < 0 && body && typeof body === "object") delete body.ConsoleSize;
        return json(await b.execCreate(req.params.id!, body), 201);
      },
    },
    {
      method: "POST",
      path: "/exec/{id}/start",
      handler: async (req) => {
        // Taken as given, as dockerd's decoder would not refuse these either: Detach and Tty are read as flags.
        const body: ExecStartBody = await jsonBody(await req.body(), "exec start config");
        if (compareVersions(req.version, "1.42") < 0 && body && typeof body === "object") delete body.ConsoleSize;
        const s = await b.execStart(req.params.id!, body);
        if (s.detach) {
          await s.run();
          return empty(200);
        }
        return { kind: "hijack", contentType: streamType(req.version, s.tty), run: (socket) => s.run(socket) };
      },
    },
    {
      method: "POST",
      path: "/exec/{id}/resize",
      handler: async (req) => {
        const [h, w] = size(req.query);
        await b.execResize(req.params.id!, h, w);
        return empty(200);
      },
    },
    { method: "GET", path: "/exec/{id}/json", handler: async (req) => json(await b.execInspect(req.params.id!)) },
    {
      method: "POST",
      path: "/containers/{id}/resize",
      handler: async (req) => {
        const [h, w] = size(req.query);
        await b.containerResize(req.params.id!, h, w);
        return empty(200);
      },
    },
  ];
}
