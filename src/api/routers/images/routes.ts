// Image routes: parse, call the backend, encode. No business logic.
import { empty, json, type ApiRequest, type ApiResponse, type Route } from "../../types.ts";
import { boolParam } from "../../query.ts";
import { parseFilters } from "../../filters.ts";
import { errorMessage, invalidParameter, notImplemented } from "../../../errors.ts";
import type { DistributionBackend, ImageBackend } from "./backend.ts";
import { pullHandler } from "./distribution.ts";
import { once } from "node:events";

const pruneFilters = ["dangling", "until", "label", "label!"];
const maxNameSegments = 6;

/**
 * Image names hold slashes (`wharf-fixture/multilayer:1.0`, `host:5000/a/b`) and the docker
 * CLI sends them unescaped, so a `{name}` route is registered for 1…6 path segments.
 */
function named(method: string, suffix: string, handler: (req: ApiRequest, name: string) => Promise<ApiResponse>): Route[] {
  const routes: Route[] = [];
  for (let n = 1; n <= maxNameSegments; n++) {
    const parts = Array.from({ length: n }, (_, i) => `{n${i}}`);
    routes.push({
      method,
      path: `/images/${parts.join("/")}${suffix}`,
      handler: (req) => handler(req, Array.from({ length: n }, (_, i) => req.params[`n${i}`]).join("/")),
    });
  }
  return routes;
}

export function imageRoutes(b: ImageBackend, dist?: DistributionBackend): Route[] {
  const pull = dist ? pullHandler(dist) : undefined;
  return [
    {
      method: "GET",
      path: "/images/json",
      handler: async (req) =>
        json(
          await b.imageList({
            all: boolParam(req.query, "all"),
            digests: boolParam(req.query, "digests"),
            filters: parseFilters(req.query.get("filters")),
            version: req.version,
          }),
        ),
    },
    {
      method: "POST",
      path: "/images/load",
      handler: async (req) => {
        // dockerd answers 200 whatever happens and reports a failure in the stream.
        let out: string;
        try {
          out = (await b.imageLoad(req.bodyStream())).map((l) => JSON.stringify({ stream: `${l}\n` }) + "\n").join("");
        } catch (err) {
          const message = errorMessage(err);
          out = JSON.stringify({ errorDetail: { message }, error: message }) + "\n";
        }
        return { kind: "stream", status: 200, contentType: "application/json", run: async (sink) => sink.write(out) };
      },
    },
    {
      method: "POST",
      path: "/images/prune",
      handler: async (req) => json(await b.imagesPrune(parseFilters(req.query.get("filters"), pruneFilters))),
    },
    {
      method: "GET",
      path: "/images/get",
      handler: async (req) => tarResponse(await b.imageSave(namesParam(req.query))),
    },
    {
      method: "POST",
      path: "/images/create",
      handler: async (req) => {
        const q = req.query;
        const src = q.get("fromSrc");
        if (!src) {
          if (q.get("fromImage") && pull) return pull(req);
          if (q.get("fromImage")) throw notImplemented("pulling images is not implemented yet: use docker load or docker import");
          throw invalidParameter("fromImage or fromSrc is required");
        }
        const id = await b.imageImport(req.bodyStream(), {
          src,
          repo: q.get("repo") || undefined,
          tag: q.get("tag") || undefined,
          message: q.get("message") || undefined,
          changes: q.getAll("changes"),
          platform: q.get("platform") || undefined,
        });
        return {
          kind: "stream",
          status: 200,
          contentType: "application/json",
          run: async (sink) => sink.write(JSON.stringify({ status: id }) + "\n"),
        };
      },
    },
    ...named("GET", "/json", async (req, name) => json(await b.imageInspect(name, req.version))),
    ...named("GET", "/history", async (_req, name) => json(await b.imageHistory(name))),
    ...named("GET", "/get", async (_req, name) => tarResponse(await b.imageSave([name]))),
    ...named("POST", "/tag", async (req, name) => {
      await b.imageTag(name, req.query.get("repo") ?? "", req.query.get("tag") || undefined);
      return empty(201);
    }),
    ...named("DELETE", "", async (req, name) =>
      json(await b.imageDelete(name, { force: boolParam(req.query, "force"), noprune: boolParam(req.query, "noprune") })),
    ),
  ];
}

/** `names=a&names=b`; older clients also sent one comma-separated value. */
function namesParam(q: URLSearchParams): string[] {
  const names = q.getAll("names").flatMap((n) => n.split(",")).filter(Boolean);
  if (!names.length) throw invalidParameter("names: at least one image name is required");
  return names;
}

/**
 * The archive as a 200 body. The plain stream sink has no backpressure (a slow reader of a
 * 200 MB save would have it all buffered in the daemon), so this uses the server's hijack
 * response, which on a request without `Upgrade: tcp` is an ordinary 200 body written
 * through a Duplex whose writes wait for the socket.
 */
function tarResponse(archive: AsyncIterable<Uint8Array>): ApiResponse {
  return {
    kind: "hijack",
    contentType: "application/x-tar",
    run: async (out) => {
      let gone = out.destroyed;
      const onClose = () => (gone = true);
      out.once("close", onClose);
      try {
        for await (const chunk of archive) {
          if (gone) return;
          if (!out.write(chunk)) await Promise.race([once(out, "drain"), once(out, "close")]);
        }
        // Writes still queued in the Duplex must reach the response before the server ends it.
        if (!gone) await Promise.race([new Promise((r) => out.end(r)), once(out, "close")]);
      } finally {
        out.off("close", onClose);
      }
    },
  };
}
