// The docker-style client: global flags, then the command named by the next words
// (walking management groups), its flags checked against the tree, help or argument
// errors answered from the tree, and only then the command's own module loaded.
import { parseGlobalFlags } from "./globals.ts";
import { configure } from "./context.ts";
import { ConnectError } from "../client/client.ts";
import { ExitError } from "./exit.ts";
import { compileFlags, FlagError, parseFlags, type FlagSpec } from "./flags.ts";
import type { CommandDef } from "./command.ts";
import { commands, commonCommands } from "./tree.ts";
import { commandHelp, globalFlagLines, rootHelp } from "./help.ts";
import { WharfError, errorMessage } from "../errors.ts";
import { gitCommit, wharfVersion } from "../version.ts";
import { err, flushOutput, out } from "./output.ts";


/** docker's argument-count errors (cli/required.go), with the usage and the description. */
export function argsError(path: string, def: CommandDef, n: number): string | undefined {
  const [min, max] = def.args ?? [0, Infinity];
  if (n >= min && n <= max) return;
  const noun = (k: number) => `${k} argument${k === 1 ? "" : "s"}`;
  const what =
    max === 0 ? "accepts no arguments" :
    min === max ? `requires exactly ${noun(min)}` :
    max === Infinity ? `requires at least ${noun(min)}` :
    min === 0 ? `requires at most ${noun(max)}` :
    `requires at least ${min} and at most ${noun(max)}`;
  return `"${path}" ${what}.\nSee '${path} --help'.\n\nUsage:  ${path} ${def.use}\n\n${def.desc}`;
}

/** The flags a command parses: its own plus --help (-h too, unless the command uses -h). */
export function commandFlags(def: CommandDef): FlagSpec[] {
  const flags = compileFlags(def.flags ?? []);
  const h = flags.some((f) => f.short === "h") ? {} : { short: "h" };
  return [...flags, { name: "help", ...h, type: "bool", kind: "", desc: `Print usage`, hidden: true }];
}

const unknownCommand = (path: string, parent: string) =>
  `wharf: unknown command: ${path}\n\nRun '${parent} --help' for more information\n`;

export async function clientMain(argv: string[]): Promise<number> {
  const code = await dispatch(argv);
  await flushOutput();
  return code;
}

async function dispatch(argv: string[]): Promise<number> {
  let g;
  try {
    g = parseGlobalFlags(argv);
  } catch (e) {
    err(`${errorMessage(e)}\nSee 'wharf --help'.\n`);
    return 125;
  }
  const rest = g.rest;
  if (g.version) {
    out(`wharf version ${wharfVersion}, build ${gitCommit}\n`);
    return 0;
  }
  if (g.help || rest.length === 0 || (rest[0] === "help" && rest.length === 1)) {
    out(rootHelp(commands, commonCommands, compileFlags(globalFlagLines)));
    return 0;
  }
  try {
    configure(g);
  } catch (e) {
    err(`${errorMessage(e)}\n`);
    return 1;
  }
  // `wharf help ps` is `wharf ps --help`.
  const words = rest[0] === "help" ? [...rest.slice(1), "--help"] : rest;
  let def: CommandDef | undefined = commands[words[0]!];
  let path = `wharf ${words[0]}`;
  if (!def) {
    err(unknownCommand(path, "wharf"));
    return 1;
  }
  let i = 1;
  while (def.sub) {
    const next: string | undefined = words[i];
    if (next === undefined || next === "--help" || next === "-h") {
      out(commandHelp(path, def, []));
      return 0;
    }
    const sub: CommandDef | undefined = def.sub[next];
    if (!sub) {
      err(next.startsWith("-") ? `unknown flag: ${next}\nSee '${path} --help'.\n` : unknownCommand(`${path} ${next}`, path));
      return next.startsWith("-") ? 125 : 1;
    }
    def = sub;
    path += ` ${next}`;
    i++;
  }
  const flags = commandFlags(def);
  try {
    const p = parseFlags(words.slice(i), flags, { stopAtPositional: def.positional === true });
    if (p.flags.get("help") === true) {
      out(commandHelp(path, def, flags));
      return 0;
    }
    const bad = argsError(path, def, p.positionals.length);
    if (bad) throw new ExitError(1, bad);
    const run = await def.run!();
    await run(p, { path, def, commands });
    return (process.exitCode as number | undefined) ?? 0;
  } catch (e) {
    if (e instanceof ExitError) {
      if (e.message) err(`${e.message}\n`);
      return e.code;
    }
    if (e instanceof FlagError) {
      err(`${e.message}\nSee '${path} --help'.\n`);
      return 125;
    }
    if (e instanceof ConnectError || e instanceof WharfError) {
      err(`${e.message}\n`);
      return 1;
    }
    err(`wharf: ${errorMessage(e)}\n`);
    return 1;
  }
}
