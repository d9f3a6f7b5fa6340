// Hijacked connections (attach, exec start): the request asks for `Upgrade: tcp`, the
// daemon answers 101 and both ends then speak raw bytes on the socket.
import type { Duplex } from "node:stream";
import { ConnectError, errorFromResponse, readAll, type Client } from "./client.ts";
import { apiVersion } from "../version.ts";

export async function hijack(client: Client, method: string, path: string, query: Record<string, string>, body?: unknown): Promise<Duplex> {
  const qs = new URLSearchParams(query);
  const { send, where } = client.connection();
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return await new Promise<Duplex>((resolve, reject) => {
    const req = send({
      ...where,
      method,
      path: `/v${apiVersion}${path}${qs.size ? `?${qs}` : ""}`,
      headers: {
        Connection: "Upgrade",
        Upgrade: "tcp",
        ...(payload ? { "Content-Type": "application/json", "Content-Length": String(payload.length) } : {}),
      },
    });
    req.on("upgrade", (_res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.on("response", async (res) => {
      const text = await readAll(res);
      reject(errorFromResponse(res.statusCode ?? 500, text));
    });
    req.on("error", (err) => reject(new ConnectError(client.host, err)));
    req.end(payload);
  });
}
