// run, create and exec: the commands that start processes, with the long flag lists.
import type { CommandDef } from "../command.ts";
import { createFlags, execFlags, runFlags } from "./flag-lists.ts";

export const run: CommandDef = {
  use: "[OPTIONS] IMAGE [COMMAND] [ARG...]",
  desc: "Create and run a new container from an image",
  aliases: "wharf container run, wharf run",
  flags: runFlags,
  args: [1, Infinity], positional: true,
  run: () => import("../commands/run.ts").then((m) => m.run),
};

export const create: CommandDef = {
  use: "[OPTIONS] IMAGE [COMMAND] [ARG...]",
  desc: "Create a new container",
  aliases: "wharf container create, wharf create",
  flags: createFlags,
  args: [1, Infinity], positional: true,
  run: () => import("../commands/create.ts").then((m) => m.create),
};

export const exec: CommandDef = {
  use: "[OPTIONS] CONTAINER COMMAND [ARG...]",
  desc: "Execute a command in a running container",
  aliases: "wharf container exec, wharf exec",
  flags: execFlags,
  args: [2, Infinity], positional: true,
  run: () => import("../commands/exec.ts").then((m) => m.exec),
};
