import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, parseFlags, str, type FlagSpec } from "../flags.ts";
import { needArgs } from "../common.ts";
import { formatOne } from "../render/format.ts";
import { ExitError } from "../exit.ts";
import { WharfError } from "../../errors.ts";

const kinds: Record<string, (ref: string, size: boolean) => string> = {
  container: (ref, size) => `/containers/${encodeURIComponent(ref)}/json${size ? "?size=1" : ""}`,
  image: (ref) => `/images/${encodeURIComponent(ref)}/json`,
  network: (ref) => `/networks/${encodeURIComponent(ref)}`,
  volume: (ref) => `/volumes/${encodeURIComponent(ref)}`,
};

/** What a type's own inspect (`volume inspect`) fixes: the type, and its name, usage and flags for the argument check. */
export interface OwnInspect {
  type: string;
  command?: string;
  usage?: string;
  flags?: FlagSpec[];
}

/** `inspect`, or a type's own inspect command. */
export async function inspect(rawArgs: string[], own?: OwnInspect): Promise<void> {
  const p = parseFlags(
    rawArgs,
    [
      { name: "format", short: "f", type: "string" },
      { name: "type", type: "string" },
      { name: "size", short: "s", type: "bool" },
      ...(own?.flags ?? []),
    ],
    { stopAtPositional: false },
  );
  if (own?.command) needArgs(own.command, p.positionals, 1, Infinity, own.usage);
  else if (!p.positionals.length) throw new ExitError(1, `"inspect" requires at least 1 argument.\nSee 'wharf inspect --help'.`);
  const type = own?.type ?? str(p, "type");
  if (type && !kinds[type]) throw new ExitError(1, `"${type}" is not a valid value for --type`);
  const order = type ? [type] : Object.keys(kinds);
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const ref of p.positionals) {
    let hit: unknown;
    let missing = "";
    for (const kind of order) {
      try {
        hit = await getClient().json("GET", kinds[kind]!(ref, bool(p, "size")));
        break;
      } catch (err) {
        if (!(err instanceof WharfError && err.kind === "notFound")) throw err;
        missing = err.message;
      }
    }
    // With --type the daemon's own answer is shown, as the docker CLI does.
    const prefix = "Error response from daemon: ";
    if (hit === undefined) errors.push(type ? (missing.startsWith(prefix) ? missing : prefix + missing) : `Error: No such object: ${ref}`);
    else found.push(hit);
  }
  const format = str(p, "format");
  if (format) for (const o of found) process.stdout.write(formatOne(format, o));
  else process.stdout.write(JSON.stringify(found, null, 4) + "\n");
  if (errors.length) throw new ExitError(1, errors.join("\n"));
}

export default defineCommand({
  meta: { name: "inspect", description: "Return low-level information on wharf objects" },
  run: ({ rawArgs }) => inspect(rawArgs),
});

/** `wharf container inspect`: inspect with --type container. */
export const containerInspect = defineCommand({
  meta: { name: "inspect", description: "Display detailed information on one or more containers" },
  run: ({ rawArgs }) => inspect(rawArgs, { type: "container" }),
});
