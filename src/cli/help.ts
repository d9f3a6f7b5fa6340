// Help texts laid out as the docker CLI (cobra and pflag) lays them out: the usage
// line, the description, aliases, the subcommands, and the flags sorted by name with
// their value type and default, wrapped to the terminal's width.
import type { CommandDef } from "./command.ts";
import type { FlagSpec } from "./flags.ts";
import { stdoutIsTerminal } from "./output.ts";

const formatTable = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

const formatJson = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export function flagDescription(f: FlagSpec): string {
  return f.desc === "@table" ? formatTable : f.desc === "@json" ? formatJson : (f.desc ?? "");
}

/** The width docker wraps help to: the terminal's, 80 otherwise (less one column). */
const width = () => (stdoutIsTerminal() && process.stdout.columns ? process.stdout.columns : 80) - 1;

/** pflag's wrapN: the first piece of `s` that fits `i` columns, and the rest. */
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ""];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(" "), head.lastIndexOf("\t"), head.lastIndexOf("\n"));
  if (w <= 0) return [s, ""];
  const nl = head.lastIndexOf("\n");
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

/** pflag's wrap: `s` wrapped to `w` columns, continuation lines indented by `i`. */
function wrap(i: number, w: number, s: string): string {
  let room = w - i;
  let out = "";
  if (room < 24) {
    i = 16;
    room = w - i;
    out += "\n" + " ".repeat(i);
  }
  const indent = (t: string) => t.replaceAll("\n", "\n" + " ".repeat(i));
  if (room < 24) return out + indent(s);
  const slop = 5;
  room -= slop;
  let [line, rest] = wrapN(room, slop, s);
  out += indent(line);
  while (rest !== "") {
    [line, rest] = wrapN(room, slop, rest);
    out += "\n" + " ".repeat(i) + indent(line);
  }
  return out;
}

export function flagUsages(flags: FlagSpec[], cols = width()): string {
  const shown = flags.filter((f) => !f.hidden).sort((a, b) => (a.name < b.name ? -1 : 1));
  const lines = shown.map((f) => {
    let left = f.short ? `  -${f.short}, --${f.name}` : `      --${f.name}`;
    if (f.kind) left += ` ${f.kind}`;
    let right = flagDescription(f);
    if (f.def !== undefined && f.def !== "") right += ` (default ${f.def})`;
    return [left, right] as const;
  });
  const max = Math.max(0, ...lines.map(([l]) => l.length + 1));
  return lines.map(([l, r]) => `${l}${" ".repeat(max - l.length + 2)}${wrap(max + 2, cols, r)}\n`).join("");
}

/** The command list of a group: names padded as cobra pads them. */
function commandList(entries: [string, CommandDef][]): string {
  const pad = Math.max(11, ...entries.map(([n]) => n.length)) + 1;
  return entries.map(([n, d]) => `  ${n.padEnd(pad)}${d.desc}\n`).join("");
}

export function commandHelp(path: string, def: CommandDef, flags: FlagSpec[]): string {
  let out = `Usage:  ${path} ${def.use}\n\n${def.desc}\n`;
  if (def.aliases) out += `\nAliases:\n  ${def.aliases}\n`;
  if (def.sub) {
    const entries = Object.entries(def.sub).filter(([, d]) => !d.hidden).sort(([a], [b]) => (a < b ? -1 : 1));
    out += `\nCommands:\n${commandList(entries)}\nRun '${path} COMMAND --help' for more information on a command.\n`;
    return out;
  }
  const usage = flagUsages(flags);
  if (usage) out += `\nOptions:\n${usage}`;
  return out;
}

export const globalFlagLines = [
  "|config|string|Location of client config files|\"~/.docker\"|",
  "c|context|string|Name of the context to use to connect to the daemon (only \"default\": wharf has no contexts)||",
  "d|daemon||Run the wharf daemon instead of the client ('wharf -d --help' lists its flags)||",
  "D|debug||Enable debug mode||",
  "H|host|list|Daemon socket to connect to||",
  "l|log-level|string|Set the logging level (\"debug\", \"info\", \"warn\", \"error\", \"fatal\")|\"info\"|",
  "v|version||Print version information and quit||",
];

/** `wharf --help`: docker's layout, with the daemon flag and every command wharf has. */
export function rootHelp(commands: Record<string, CommandDef>, common: string[], globals: FlagSpec[]): string {
  const all = Object.entries(commands).filter(([, d]) => !d.hidden);
  const commonSet = new Set(common);
  const pick = (f: (e: [string, CommandDef]) => boolean) => all.filter(f).sort(([a], [b]) => (a < b ? -1 : 1));
  const commonEntries = common.flatMap((n) => (commands[n] ? [[n, commands[n]] as [string, CommandDef]] : []));
  return [
    "Usage:  wharf [OPTIONS] COMMAND\n",
    "A Docker-compatible container engine: the docker CLI's commands against a wharf (or any Docker) daemon;",
    "'wharf -d' runs the daemon.\n",
    `Common Commands:\n${commandList(commonEntries)}`,
    `Management Commands:\n${commandList(pick(([, d]) => !!d.sub))}`,
    `Commands:\n${commandList(pick(([n, d]) => !d.sub && !commonSet.has(n)))}`,
    `Global Options:\n${flagUsages(globals)}`,
    "Run 'wharf COMMAND --help' for more information on a command.\n",
  ].join("\n");
}
