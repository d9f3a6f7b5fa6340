// Routes that read or write a container's filesystem and counters: archive (cp),
// changes (diff), export, commit, top and stats.
import { once } from "node:events";
import type { ApiResponse, Route } from "../../types.ts";
import { json } from "../../types.ts";
import { boolParam } from "../../query.ts";
import { compareVersions } from "../../router.ts";
import { invalidParameter } from "../../../errors.ts";

import type { CommitOptions, ContainerFsBackend, PathStat } from "./backend.ts";
import type { ContainerConfig } from "../../types/index.ts";

export type { CommitOptions, ContainerFsBackend, PathStat } from "./backend.ts";

const statHeader = (s: PathStat) => ({ "X-Docker-Container-Path-Stat": Buffer.from(JSON.stringify(s)).toString("base64") });

/**
 * A tar as a 200 body through the server's hijack response (a plain 200 without
 * `Upgrade: tcp`), whose writes wait for the socket: a stream sink has no backpressure.
 */
export function tarBody(archive: AsyncIterable<Uint8Array>, headers?: Record<string, string>): ApiResponse {
  return {
    kind: "hijack",
    contentType: "application/x-tar",
    headers,
    run: async (out) => {
      let gone = out.destroyed;
      const onClose = () => (gone = true);
      out.once("close", onClose);
      const it = archive[Symbol.asyncIterator]();
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          if (gone) return;
          if (!out.write(r.value)) await Promise.race([once(out, "drain"), once(out, "close")]);
        }
        if (!gone) await Promise.race([new Promise((r) => out.end(r)), once(out, "close")]);
      } finally {
        out.off("close", onClose);
        await it.return?.();
      }
    },
  };
}

export function containerFsRoutes(b: ContainerFsBackend): Route[] {
  const path = (q: URLSearchParams) => {
    const p = q.get("path");
    if (p === null || p === "") throw invalidParameter("Path cannot be empty");
    return p;
  };
  return [
    {
      method: "HEAD",
      path: "/containers/{id}/archive",
      handler: async (req) => ({ kind: "empty", status: 200, headers: statHeader(await b.archiveStat(req.params.id!, path(req.query))) }),
    },
    {
      method: "GET",
      path: "/containers/{id}/archive",
      handler: async (req) => {
        const { stat, tar } = await b.archiveGet(req.params.id!, path(req.query));
        return tarBody(tar, statHeader(stat));
      },
    },
    {
      method: "PUT",
      path: "/containers/{id}/archive",
      handler: async (req) => {
        await b.archivePut(req.params.id!, path(req.query), req.bodyStream(), {
          noOverwriteDirNonDir: boolParam(req.query, "noOverwriteDirNonDir"),
          copyUIDGID: boolParam(req.query, "copyUIDGID"),
        });
        return { kind: "empty", status: 200 };
      },
    },
    { method: "GET", path: "/containers/{id}/changes", handler: async (req) => json(await b.containerChanges(req.params.id!)) },
    { method: "GET", path: "/containers/{id}/export", handler: async (req) => tarBody(await b.containerExport(req.params.id!)) },
    {
      method: "GET",
      path: "/containers/{id}/top",
      handler: async (req) => json(await b.containerTop(req.params.id!, req.query.get("ps_args") || undefined)),
    },
    {
      method: "GET",
      path: "/containers/{id}/stats",
      handler: async (req) => {
        const q = req.query;
        const stream = q.get("stream") === null ? true : boolParam(q, "stream");
        // one-shot came with 1.41; older clients always got two samples' worth.
        const oneShot = compareVersions(req.version, "1.41") >= 0 && boolParam(q, "one-shot");
        if (stream && oneShot) throw invalidParameter("cannot have stream=true and one-shot=true");
        let close!: () => void;
        const closed = new Promise<void>((r) => (close = r));
        const samples = b.containerStats(req.params.id!, { stream, oneShot, closed });
        const it = samples[Symbol.asyncIterator]();
        // The first sample (or a lookup error) comes before the headers, so an unknown id is a 404.
        const first = await it.next();
        return {
          kind: "stream",
          status: 200,
          contentType: "application/json",
          run: async (sink) => {
            void sink.closed.then(close);
            try {
              if (!first.done) sink.write(JSON.stringify(first.value) + "\n");
              for (;;) {
                const r = await it.next();
                if (r.done || sink.isClosed) break;
                sink.write(JSON.stringify(r.value) + "\n");
              }
            } finally {
              close();
              await it.return?.(undefined);
            }
          },
        };
      },
    },
    {
      method: "POST",
      path: "/commit",
      handler: async (req) => {
        const q = req.query;
        const body = await req.body();
        let config: ContainerConfig = {};
        if (body.length) {
          try {
            // The JSON-parse boundary of a commit: the overrides are merged field by field as given.
            config = (JSON.parse(body.toString("utf8")) as ContainerConfig | null) ?? {};
          } catch (err) {
            throw invalidParameter(`invalid JSON in commit config: ${(err as Error).message}`);
          }
        }
        const r = await b.commit({
          container: q.get("container") ?? "",
          repo: q.get("repo") || undefined,
          tag: q.get("tag") || undefined,
          comment: q.get("comment") || undefined,
          author: q.get("author") || undefined,
          pause: q.get("pause") === null ? true : boolParam(q, "pause"),
          changes: q.getAll("changes").flatMap((c) => c.split("\n")),
          config,
        });
        return json(r, 201);
      },
    },
  ];
}
