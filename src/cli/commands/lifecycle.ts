// start, stop, kill, restart, rm, pause, unpause, wait, rename: each takes container
// names or ids, prints each one it handled, and reports the others on stderr (exit 1).
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str, type Parsed } from "../flags.ts";
import { forEachRef } from "../common.ts";
import { out } from "../output.ts";

/** `act` does the request for one container and returns what to print for it, if anything. */
const verb = (act: (ref: string, p: Parsed) => Promise<string | undefined>): Runner => async (p) => {
  await forEachRef(p.positionals, async (ref) => {
    const printed = await act(ref, p);
    if (printed !== undefined) out(`${printed}\n`);
  });
};

const c = () => getClient();
const at = (ref: string, what = "") => `/containers/${encodeURIComponent(ref)}${what}`;
const stopQuery = (p: Parsed) => ({ query: { t: str(p, "timeout"), signal: str(p, "signal") } });

export const start = verb(async (ref) => (await c().json("POST", at(ref, "/start")), ref));
export const stop = verb(async (ref, p) => (await c().json("POST", at(ref, "/stop"), stopQuery(p)), ref));
export const restart = verb(async (ref, p) => (await c().json("POST", at(ref, "/restart"), stopQuery(p)), ref));
export const kill = verb(async (ref, p) => (await c().json("POST", at(ref, "/kill"), { query: { signal: str(p, "signal") } }), ref));
export const pause = verb(async (ref) => (await c().json("POST", at(ref, "/pause")), ref));
export const unpause = verb(async (ref) => (await c().json("POST", at(ref, "/unpause")), ref));
export const wait = verb(async (ref) => String((await c().json<{ StatusCode: number }>("POST", at(ref, "/wait"))).StatusCode));

export const rm = verb(async (ref, p) => {
  const flag = (name: string) => (bool(p, name) ? "1" : undefined);
  await c().json("DELETE", at(ref), { query: { force: flag("force"), v: flag("volumes"), link: flag("link") } });
  return ref;
});

export const rename: Runner = async (p) => {
  await c().json("POST", at(p.positionals[0]!, "/rename"), { query: { name: p.positionals[1] } });
};
