// What the command tree describes and what a command module exports: the tree's data
// (src/cli/tree/) and the commands' code (src/cli/commands/) both import this, and
// neither the other's, so loading a command never loads the tree.
import type { Parsed } from "./flags.ts";

/** What a command module exports for one command. */
export type Runner = (p: Parsed, inv: Invocation) => Promise<void>;

export interface Invocation {
  /** `wharf container ls`: the words that named the command. */
  path: string;
  def: CommandDef;
  /** The whole command table the command was found in (completion walks it). */
  commands: Record<string, CommandDef>;
}

export interface CommandDef {
  /** The usage line after the command's path: `[OPTIONS] IMAGE [COMMAND] [ARG...]`. */
  use: string;
  desc: string;
  aliases?: string;
  /**
   * `short|long|type|description|default|aliases`: the type is docker's help name (none
   * for a boolean; list, filter, map, strings, stringArray, ulimit, mount repeat; any
   * other takes one value). `@table` / `@json` stand for docker's --format text.
   */
  flags?: string[];
  /** Least and most positional arguments. */
  args?: [number, number];
  /** Flags end at the first positional: what follows belongs to the container's command. */
  positional?: boolean;
  run?: () => Promise<Runner>;
  /** A management group: its commands by name. */
  sub?: Record<string, CommandDef>;
  /** Not listed in the parent's help (aliases such as `container list`). */
  hidden?: boolean;
}
