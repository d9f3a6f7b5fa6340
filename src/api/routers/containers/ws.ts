// GET /containers/{id}/attach/ws: attach over a websocket (the server does the
// handshake for hijack routes); stdout and stderr come unframed, as Docker sends them.
import type { Route } from "../../types.ts";
import { compareVersions } from "../../router.ts";
import { attachOptions } from "./io.ts";
import type { AttachWsBackend } from "./backend.ts";

export function attachWsRoutes(b: AttachWsBackend): Route[] {
  return [
    {
      method: "GET",
      path: "/containers/{id}/attach/ws",
      handler: async (req) => {
        const opts = attachOptions(req.query);
        // Before 1.42 the stream parameters were documented but ignored: all three attached.
        if (compareVersions(req.version, "1.42") < 0) Object.assign(opts, { stdin: true, stdout: true, stderr: true });
        const a = await b.containerAttach(req.params.id!, { ...opts, raw: true });
        return { kind: "hijack", contentType: "application/vnd.docker.raw-stream", run: a.run };
      },
    },
  ];
}
