import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { errorFromResponse, readAll } from "../../client/client.ts";
import { Demuxer, STDERR } from "../../streams/stdcopy.ts";
import { clientTimestamp } from "../timestamp.ts";

export { clientTimestamp };

export const logs: Runner = async (p) => {
  const ref = p.positionals[0]!;
  const client = getClient();
  const info = await client.json<{ Config?: { Tty?: boolean | null } }>("GET", `/containers/${encodeURIComponent(ref)}/json`);
  const res = await client.request("GET", `/containers/${encodeURIComponent(ref)}/logs`, {
    query: {
      stdout: 1,
      stderr: 1,
      follow: bool(p, "follow") ? 1 : undefined,
      timestamps: bool(p, "timestamps") ? 1 : undefined,
      tail: str(p, "tail") ?? "all",
      since: str(p, "since") ? clientTimestamp(str(p, "since")!) : undefined,
      until: str(p, "until") ? clientTimestamp(str(p, "until")!) : undefined,
    },
  });
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  const demux = new Demuxer((s, payload) => (s === STDERR ? process.stderr : process.stdout).write(payload));
  for await (const chunk of res) {
    if (info.Config?.Tty) process.stdout.write(chunk);
    else demux.push(chunk);
  }
};
