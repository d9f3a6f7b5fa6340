// System-wide commands: info, version, inspect, events, df, prune, completion.
import type { CommandDef } from "../command.ts";

export const info: CommandDef = {
  use: "[OPTIONS]",
  desc: "Display system-wide information",
  aliases: "wharf system info, wharf info",
  flags: [
    "f|format|string|@json||",
  ],
  args: [0, 0],
  run: () => import("../commands/info.ts").then((m) => m.info),
};

export const version: CommandDef = {
  use: "[OPTIONS]",
  desc: "Show the wharf version information",
  flags: [
    "f|format|string|@json||",
  ],
  args: [0, 0],
  run: () => import("../commands/version.ts").then((m) => m.version),
};

export const inspect: CommandDef = {
  use: "[OPTIONS] NAME|ID [NAME|ID...]",
  desc: "Return low-level information on wharf objects",
  flags: [
    "f|format|string|@json||",
    "|type|string|Only inspect objects of the given type||",
    "s|size||Display total file sizes if the type is container||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/inspect.ts").then((m) => m.inspectAny),
};

export const events: CommandDef = {
  use: "[OPTIONS]",
  desc: "Get real time events from the server",
  aliases: "wharf system events, wharf events",
  flags: [
    "f|filter|filter|Filter output based on conditions provided||",
    "|format|string|@json||",
    "|since|string|Show all events created since timestamp||",
    "|until|string|Stream events until this timestamp||",
  ],
  args: [0, 0],
  run: () => import("../commands/events.ts").then((m) => m.events),
};

export const systemDf: CommandDef = {
  use: "[OPTIONS]",
  desc: "Show wharf disk usage",
  flags: [
    "|format|string|@table||",
    "v|verbose||Show detailed information on space usage||",
  ],
  args: [0, 0],
  run: () => import("../commands/system.ts").then((m) => m.df),
};

export const systemPrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove unused data",
  flags: [
    "a|all||Remove all unused images not just dangling ones||",
    "f|force||Do not prompt for confirmation||",
    "|filter|filter|Provide filter values (e.g. \"label=<key>=<value>\")|",
    "|volumes||Prune anonymous volumes||",
  ],
  args: [0, 0],
  run: () => import("../commands/system.ts").then((m) => m.prune),
};

export const systemInfo: CommandDef = {
  use: "[OPTIONS]",
  desc: "Display system-wide information",
  aliases: "wharf system info, wharf info",
  flags: [
    "f|format|string|@json||",
  ],
  args: [0, 0],
  run: () => import("../commands/info.ts").then((m) => m.info),
};

export const systemEvents: CommandDef = {
  use: "[OPTIONS]",
  desc: "Get real time events from the server",
  aliases: "wharf system events, wharf events",
  flags: [
    "f|filter|filter|Filter output based on conditions provided||",
    "|format|string|@json||",
    "|since|string|Show all events created since timestamp||",
    "|until|string|Stream events until this timestamp||",
  ],
  args: [0, 0],
  run: () => import("../commands/events.ts").then((m) => m.events),
};

export const completion: CommandDef = {
  use: "bash|zsh|fish",
  desc: "Generate the autocompletion script for the specified shell",
  args: [1, 1],
  run: () => import("../commands/completion.ts").then((m) => m.completion),
};
