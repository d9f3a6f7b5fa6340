// GET /containers/{id}/attach/ws: attach over a websocket (the server does the
// handshake for hijack routes); stdout and stderr come unframed, as Docker sends them.
import type { Route } from "../../types.ts";
import { attachOptions, type AttachBackend } from "./io.ts";

export function attachWsRoutes(b: { containerAttach(ref: string, opts: Parameters<AttachBackend["containerAttach"]>[1] & { raw?: boolean }): ReturnType<AttachBackend["containerAttach"]> }): Route[] {
  return [
    {
      method: "GET",
      path: "/containers/{id}/attach/ws",
      handler: async (req) => {
        const a = await b.containerAttach(req.params.id!, { ...attachOptions(req.query), raw: true });
        return { kind: "hijack", contentType: "application/vnd.docker.raw-stream", run: a.run };
      },
    },
  ];
}
