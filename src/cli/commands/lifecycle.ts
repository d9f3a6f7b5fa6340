// start, stop, kill, restart, rm, pause, unpause, wait, rename: each takes container
// names or ids, prints each one it handled, and reports the others on stderr (exit 1).
import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, parseFlags, str, type FlagSpec } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { forEachRef } from "../common.ts";

interface Verb {
  name: string;
  description: string;
  flags: FlagSpec[];
  /** Does the request for one container; returns what to print for it, if anything. */
  act: (ref: string, p: ReturnType<typeof parseFlags>) => Promise<string | undefined>;
}

function verbCommand(v: Verb) {
  return defineCommand({
    meta: { name: v.name, description: v.description },
    async run({ rawArgs }) {
      const p = parseFlags(rawArgs, v.flags, { stopAtPositional: false });
      if (!p.positionals.length) throw new ExitError(1, `"${v.name}" requires at least 1 argument.\nSee 'wharf ${v.name} --help'.`);
      await forEachRef(p.positionals, async (ref) => {
        const out = await v.act(ref, p);
        if (out !== undefined) process.stdout.write(`${out}\n`);
      });
    },
  });
}

const c = () => getClient();
const q = (s: string | undefined) => (s === undefined ? undefined : s);

export const start = verbCommand({
  name: "start",
  description: "Start one or more stopped containers",
  flags: [{ name: "attach", short: "a", type: "bool" }, { name: "interactive", short: "i", type: "bool" }],
  act: async (ref) => (await c().json("POST", `/containers/${encodeURIComponent(ref)}/start`), ref),
});

const stopFlags: FlagSpec[] = [
  { name: "time", short: "t", type: "string", aliases: ["timeout"] },
  { name: "signal", short: "s", type: "string" },
];

export const stop = verbCommand({
  name: "stop",
  description: "Stop one or more running containers",
  flags: stopFlags,
  act: async (ref, p) => (await c().json("POST", `/containers/${encodeURIComponent(ref)}/stop`, { query: { t: q(str(p, "time")), signal: q(str(p, "signal")) } }), ref),
});

export const restart = verbCommand({
  name: "restart",
  description: "Restart one or more containers",
  flags: stopFlags,
  act: async (ref, p) => (await c().json("POST", `/containers/${encodeURIComponent(ref)}/restart`, { query: { t: q(str(p, "time")), signal: q(str(p, "signal")) } }), ref),
});

export const kill = verbCommand({
  name: "kill",
  description: "Kill one or more running containers",
  flags: [{ name: "signal", short: "s", type: "string" }],
  act: async (ref, p) => (await c().json("POST", `/containers/${encodeURIComponent(ref)}/kill`, { query: { signal: q(str(p, "signal")) } }), ref),
});

export const rm = verbCommand({
  name: "rm",
  description: "Remove one or more containers",
  flags: [
    { name: "force", short: "f", type: "bool" },
    { name: "volumes", short: "v", type: "bool" },
    { name: "link", short: "l", type: "bool" },
  ],
  act: async (ref, p) => {
    await c().json("DELETE", `/containers/${encodeURIComponent(ref)}`, {
      query: { force: bool(p, "force") ? "1" : undefined, v: bool(p, "volumes") ? "1" : undefined, link: bool(p, "link") ? "1" : undefined },
    });
    return ref;
  },
});

export const pause = verbCommand({
  name: "pause",
  description: "Pause all processes within one or more containers",
  flags: [],
  act: async (ref) => (await c().json("POST", `/containers/${encodeURIComponent(ref)}/pause`), ref),
});

export const unpause = verbCommand({
  name: "unpause",
  description: "Unpause all processes within one or more containers",
  flags: [],
  act: async (ref) => (await c().json("POST", `/containers/${encodeURIComponent(ref)}/unpause`), ref),
});

export const wait = verbCommand({
  name: "wait",
  description: "Block until one or more containers stop, then print their exit codes",
  flags: [],
  act: async (ref) => String((await c().json("POST", `/containers/${encodeURIComponent(ref)}/wait`)).StatusCode),
});

export const rename = defineCommand({
  meta: { name: "rename", description: "Rename a container" },
  async run({ rawArgs }) {
    if (rawArgs.length !== 2) throw new ExitError(1, `"rename" requires exactly 2 arguments.\nSee 'wharf rename --help'.`);
    await c().json("POST", `/containers/${encodeURIComponent(rawArgs[0]!)}/rename`, { query: { name: rawArgs[1] } });
  },
});
