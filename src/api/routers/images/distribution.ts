// Registry routes: pull (POST /images/create?fromImage), push, distribution inspect,
// search and /auth. Parse, call, encode; a job's errors before its stream starts are
// HTTP errors, later ones arrive in the stream as `errorDetail`, as dockerd sends them.
import { invalidParameter } from "../../../errors.ts";
import { json, type ApiRequest, type ApiResponse, type Route } from "../../types.ts";
import type { DistributionBackend, ProgressJob } from "./backend.ts";

const maxNameSegments = 6;

function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function progressResponse(job: ProgressJob): ApiResponse {
  return {
    kind: "stream",
    status: 200,
    contentType: "application/json",
    run: async (sink) => {
      const ac = new AbortController();
      void sink.closed.then(() => ac.abort(new Error("context canceled")));
      try {
        await job.run((line) => {
          if (!sink.isClosed) sink.write(line);
        }, ac.signal);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (!sink.isClosed) sink.write(JSON.stringify({ errorDetail: { message }, error: message }) + "\n");
      }
    },
  };
}

export function pullHandler(b: DistributionBackend) {
  return async (req: ApiRequest): Promise<ApiResponse> => {
    const q = req.query;
    const job = await b.imagePull({
      fromImage: q.get("fromImage")!,
      tag: q.get("tag") || undefined,
      platform: q.get("platform") || undefined,
      registryAuth: header(req, "x-registry-auth"),
      signal: req.signal,
    });
    return progressResponse(job);
  };
}

function named(method: string, prefix: string, suffix: string, handler: (req: ApiRequest, name: string) => Promise<ApiResponse>): Route[] {
  const routes: Route[] = [];
  for (let n = 1; n <= maxNameSegments; n++) {
    const parts = Array.from({ length: n }, (_, i) => `{n${i}}`);
    routes.push({
      method,
      path: `${prefix}/${parts.join("/")}${suffix}`,
      handler: (req) => handler(req, Array.from({ length: n }, (_, i) => req.params[`n${i}`]).join("/")),
    });
  }
  return routes;
}

export function distributionRoutes(b: DistributionBackend): Route[] {
  return [
    ...named("POST", "/images", "/push", async (req, name) =>
      progressResponse(await b.imagePush(name, { tag: req.query.get("tag") || undefined, registryAuth: header(req, "x-registry-auth") })),
    ),
    ...named("GET", "/distribution", "/json", async (req, name) => json(await b.distributionInspect(name, header(req, "x-registry-auth")))),
    {
      method: "GET",
      path: "/images/search",
      handler: async (req) => {
        const term = req.query.get("term");
        if (!term) throw invalidParameter("term is required");
        const limit = req.query.get("limit");
        return json(await b.imageSearch(term, limit ? Number(limit) : undefined, header(req, "x-registry-auth")));
      },
    },
    {
      method: "POST",
      path: "/auth",
      handler: async (req) => {
        let body: unknown;
        try {
          body = JSON.parse((await req.body()).toString("utf8") || "{}");
        } catch (e) {
          throw invalidParameter(`invalid auth configuration: ${(e as Error).message}`);
        }
        if (!body || typeof body !== "object") throw invalidParameter("invalid auth configuration: not a JSON object");
        return json(await b.auth(body as { [field: string]: unknown }));
      },
    },
  ];
}
