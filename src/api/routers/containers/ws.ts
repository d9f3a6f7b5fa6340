// GET /containers/{id}/attach/ws: attach over a websocket (the server does the
// handshake for hijack routes); stdout and stderr come unframed, as Docker sends them.
import type { Route } from "../../types.ts";
import { boolParam } from "../../query.ts";
import type { AttachBackend } from "./io.ts";

export function attachWsRoutes(b: { containerAttach(ref: string, opts: Parameters<AttachBackend["containerAttach"]>[1] & { raw?: boolean }): ReturnType<AttachBackend["containerAttach"]> }): Route[] {
  return [
    {
      method: "GET",
      path: "/containers/{id}/attach/ws",
      handler: async (req) => {
        const q = req.query;
        const a = await b.containerAttach(req.params.id!, {
          stream: boolParam(q, "stream"),
          logs: boolParam(q, "logs"),
          stdin: boolParam(q, "stdin"),
          stdout: boolParam(q, "stdout"),
          stderr: boolParam(q, "stderr"),
          detachKeys: q.get("detachKeys") || undefined,
          raw: true,
        });
        return { kind: "hijack", contentType: "application/vnd.docker.raw-stream", run: a.run };
      },
    },
  ];
}
