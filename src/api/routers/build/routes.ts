// POST /build and POST /build/prune: parse, call the builder, encode its message stream.
import { boolParam, intParam } from "../../query.ts";
import { parseFilters } from "../../filters.ts";
import { invalidParameter, notImplemented } from "../../../errors.ts";
import { parseNormalized } from "../../../image/reference.ts";
import type { BuildOptions, BuildOutput } from "../../../builder/types.ts";
import { json, type ApiRequest, type Route, type StreamSink } from "../../types.ts";
import type { BuildBackend } from "./backend.ts";

const pruneFilters = ["until", "id", "parent", "type", "description", "inuse", "shared", "private"];

export function buildRoutes(b: BuildBackend): Route[] {
  return [
    {
      method: "POST",
      path: "/build",
      handler: async (req) => {
        const opts = buildOptions(req);
        const prepared = await b.prepare(req.bodyStream(), opts);
        return {
          kind: "stream",
          status: 200,
          contentType: "application/json",
          run: async (sink) => {
            const cancel = new AbortController();
            void sink.closed.then(() => cancel.abort());
            await prepared.run(output(sink), cancel.signal);
          },
        };
      },
    },
    {
      method: "POST",
      path: "/build/prune",
      handler: async (req) =>
        json(
          await b.prune({
            all: boolParam(req.query, "all"),
            keepStorage: intParam(req.query, "keep-storage") ?? 0,
            filters: parseFilters(req.query.get("filters"), pruneFilters),
          }),
        ),
    },
  ];
}

// Go's encoder escapes these; the bytes match what dockerd sends.
const goEscapes: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };
const encode = (v: unknown) => JSON.stringify(v).replace(/[<>&]/g, (c) => goEscapes[c]!) + "\n";

function output(sink: StreamSink): BuildOutput {
  return {
    stream: (text) => sink.write(encode({ stream: text })),
    progress: (m) => sink.write(encode(m)),
    aux: (value) => sink.write(encode({ aux: value })),
    error: (message, code) => sink.write(encode({ errorDetail: { ...(code !== undefined ? { code } : {}), message }, error: message })),
  };
}

function jsonParam<T>(q: URLSearchParams, name: string, fallback: T): T {
  const v = q.get(name);
  if (v === null || v === "") return fallback;
  try {
    return JSON.parse(v) as T;
  } catch (err) {
    throw invalidParameter(`invalid ${name} value: ${(err as Error).message}`);
  }
}

function firstHeader(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) || undefined;
}

function buildOptions(req: ApiRequest): BuildOptions {
  const q = req.query;
  if (boolParam(q, "squash")) throw invalidParameter("squash is only supported with experimental mode");
  if (q.get("remote")) throw notImplemented("building from a remote context (git or URL) is not supported: send the context as a tar");
  if (q.get("version") === "2") throw notImplemented("BuildKit (version=2) is not supported by wharf: the classic builder API (version=1) builds the same Dockerfiles");
  const tags = q.getAll("t").filter(Boolean);
  for (const t of tags) parseNormalized(t);
  const buildArgs = jsonParam<Record<string, string | null>>(q, "buildargs", {});
  const labels = jsonParam<Record<string, string>>(q, "labels", {});
  const rm = q.get("rm") === null ? true : boolParam(q, "rm");
  const extraHosts = q.getAll("extrahosts").flatMap((h) => h.split(",")).filter(Boolean);
  return {
    dockerfile: q.get("dockerfile") || "Dockerfile",
    tags,
    buildArgs: new Map(Object.entries(buildArgs)),
    target: q.get("target") || undefined,
    noCache: boolParam(q, "nocache"),
    rm,
    forceRm: boolParam(q, "forcerm"),
    labels,
    quiet: boolParam(q, "q"),
    networkMode: q.get("networkmode") || "default",
    platform: q.get("platform") || undefined,
    extraHosts,
    cacheFrom: jsonParam<string[]>(q, "cachefrom", []),
    pull: boolParam(q, "pull"),
    registryConfig: firstHeader(req, "x-registry-config"),
    shmSize: intParam(q, "shmsize") || undefined,
    memory: intParam(q, "memory") || undefined,
    memorySwap: intParam(q, "memswap") || undefined,
    cpuShares: intParam(q, "cpushares") || undefined,
    cpusetCpus: q.get("cpusetcpus") || undefined,
    ulimits: jsonParam<{ Name: string; Soft: number; Hard: number }[]>(q, "ulimits", []),
  };
}
