// /_ping, /version, /info, /events: parse, call the engine's jobs, encode.
import type { SystemBackend } from "./backend.ts";
import { encodeEvent, type DockerEvent } from "../../../engine/events.ts";
import { json, type ApiResponse, type Route } from "../../types.ts";
import { infoFor } from "../../versions/system.ts";
import { matchLabels, parseFilters, parseTimestampNano } from "../../filters.ts";

const pingHeaders = {
  "Cache-Control": "no-cache, no-store, must-revalidate",
  Pragma: "no-cache",
  "Builder-Version": "1",
  // Since 1.42 clients may learn the swarm state here; wharf is never in one.
  Swarm: "inactive",
};

const eventFilters = [
  "config", "container", "daemon", "event", "image", "label", "network", "node", "plugin",
  "scope", "secret", "service", "type", "volume",
] as const;

export function systemRoutes(engine: SystemBackend): Route[] {
  // Clients ping before every command and health probes ping in loops: one answer,
  // built once, sent in the turn the request arrived.
  const okBody = Buffer.from("OK");
  const pong: ApiResponse = { kind: "text", status: 200, body: okBody, headers: pingHeaders, wire: {} };
  const ping = (): ApiResponse | Promise<ApiResponse> => {
    const r = engine.run("ping");
    return r instanceof Promise ? r.then(() => pong) : pong;
  };
  return [
    { method: "GET", path: "/_ping", handler: ping },
    { method: "HEAD", path: "/_ping", handler: ping },
    { method: "GET", path: "/version", handler: async () => json(await engine.call("version")) },
    { method: "GET", path: "/info", handler: async (req) => json(infoFor(req.version, await engine.call("info"))) },
    {
      method: "GET",
      path: "/events",
      handler: (req) => {
        const filters = parseFilters(req.query.get("filters"), eventFilters);
        const since = req.query.get("since");
        const until = req.query.get("until");
        const sinceNano = since ? parseTimestampNano(since, "since") : undefined;
        const untilNano = until ? parseTimestampNano(until, "until") : undefined;
        const match = (e: DockerEvent) => eventMatches(e, filters);
        return {
          kind: "stream",
          status: 200,
          contentType: "application/json",
          run: async (sink) => {
            const queue: DockerEvent[] = [];
            let wake: (() => void) | undefined;
            // Subscribe before replaying so nothing falls between history and live.
            const off = engine.events.subscribe((e) => {
              queue.push(e);
              wake?.();
            });
            try {
              let last = 0n;
              if (sinceNano !== undefined) {
                for (const e of engine.events.history(sinceNano, untilNano)) {
                  if (match(e)) sink.write(encodeEvent(e) + "\n");
                  last = e.timeNano;
                }
              }
              const now = BigInt(Date.now()) * 1_000_000n;
              if (untilNano !== undefined && untilNano <= now) return;
              const deadline = untilNano !== undefined ? Bun.sleep(Number((untilNano - now) / 1_000_000n)) : new Promise(() => {});
              while (!sink.isClosed) {
                while (queue.length) {
                  const e = queue.shift()!;
                  if (e.timeNano <= last) continue;
                  if (untilNano !== undefined && e.timeNano > untilNano) return;
                  if (match(e)) sink.write(encodeEvent(e) + "\n");
                }
                const woke = new Promise<"event">((r) => (wake = () => r("event")));
                if ((await Promise.race([woke, sink.closed, deadline])) !== "event") return;
              }
            } finally {
              off();
            }
          },
        };
      },
    },
  ];
}

function eventMatches(e: DockerEvent, f: Map<string, string[]>): boolean {
  const any = (key: string, values: (string | undefined)[]) => {
    const want = f.get(key);
    return !want?.length || want.some((w) => values.some((v) => v !== undefined && (v === w || (v.length >= 12 && v.startsWith(w)))));
  };
  const a = e.Actor.Attributes;
  if (!any("type", [e.Type])) return false;
  if (!any("event", [e.Action, e.Action.split(":")[0]])) return false;
  if (!any("scope", [e.scope])) return false;
  if (f.has("container") && (e.Type !== "container" || !any("container", [e.Actor.ID, a.name]))) return false;
  if (f.has("image") && !any("image", [a.image, e.Type === "image" ? e.Actor.ID : undefined, a.name])) return false;
  if (f.has("network") && (e.Type !== "network" || !any("network", [e.Actor.ID, a.name]))) return false;
  if (f.has("volume") && (e.Type !== "volume" || !any("volume", [e.Actor.ID]))) return false;
  if (f.has("daemon") && (e.Type !== "daemon" || !any("daemon", [e.Actor.ID, a.name]))) return false;
  return matchLabels(a, f.get("label"));
}
