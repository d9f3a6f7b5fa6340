import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, parseFlags, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { errorFromResponse, readAll } from "../../client/client.ts";
import { Demuxer, STDERR } from "../../streams/stdcopy.ts";
import { parseGoDuration } from "../../goduration.ts";

/** docker's CLI accepts relative times (`10m`, `1h30m`) and turns them into timestamps. */
export function clientTimestamp(v: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(v)) return v;
  const ago = parseGoDuration(v);
  if (ago !== undefined) return ((now - ago / 1e6) / 1000).toFixed(9);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ExitError(1, `invalid value for time: ${v}`);
  return (t / 1000).toFixed(9);
}

export default defineCommand({
  meta: { name: "logs", description: "Fetch the logs of a container" },
  async run({ rawArgs }) {
    const p = parseFlags(
      rawArgs,
      [
        { name: "follow", short: "f", type: "bool" },
        { name: "timestamps", short: "t", type: "bool" },
        { name: "tail", short: "n", type: "string" },
        { name: "since", type: "string" },
        { name: "until", type: "string" },
        { name: "details", type: "bool" },
      ],
      { stopAtPositional: false },
    );
    if (p.positionals.length !== 1) throw new ExitError(1, `"logs" requires exactly 1 argument.\nSee 'wharf logs --help'.`);
    const ref = p.positionals[0]!;
    const client = getClient();
    const info = await client.json("GET", `/containers/${encodeURIComponent(ref)}/json`);
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
  },
});
