// The command tree: every command's usage, description, flags (with their help and
// defaults, in docker's words) and argument counts, as data. Help, flag errors and
// argument checks come from here without loading a command's code; `run` loads only the
// module of the command that runs.
import type { CommandDef } from "./command.ts";
import { attach, top, diff, port, commit, exportDef, containerPrune, cp, containerInspect, start, stop, restart, kill, rm, pause, unpause, wait, rename, logs, ps, stats, update } from "./tree/containers.ts";
import { run, create, exec } from "./tree/run.ts";
import { history, load, save, importDef, rmi, tag, imagePrune, imageInspect, images, build, pull, push, search, login, logout } from "./tree/images.ts";
import { networkCreate, networkLs, networkInspect, networkRm, networkConnect, networkDisconnect, networkPrune, volumeCreate, volumeLs, volumeInspect, volumeRm, volumePrune } from "./tree/resources.ts";
import { info, version, inspect, events, systemDf, systemPrune, systemInfo, systemEvents, completion } from "./tree/system.ts";

/** Re-exported for callers that read the tree (help tests). */
export type { CommandDef, Invocation, Runner } from "./command.ts";

const group = (desc: string, sub: Record<string, CommandDef>): CommandDef => ({ use: "COMMAND", desc, sub });
const alias = (def: CommandDef): CommandDef => ({ ...def, hidden: true });

const container = group("Manage containers", {
  attach, commit, cp, create, diff, exec, export: exportDef, inspect: containerInspect, kill, logs,
  ls: ps, list: alias(ps), ps: alias(ps), pause, port, prune: containerPrune, rename, restart, rm, remove: alias(rm),
  run, start, stats, stop, top, unpause, update, wait,
});

const image = group("Manage images", {
  build, history, import: importDef, inspect: imageInspect, load, ls: images, list: alias(images), prune: imagePrune,
  pull, push, rm: rmi, remove: alias(rmi), save, tag,
});

const network = group("Manage networks", {
  connect: networkConnect, create: networkCreate, disconnect: networkDisconnect, inspect: networkInspect,
  ls: networkLs, list: alias(networkLs), prune: networkPrune, rm: networkRm, remove: alias(networkRm),
});

const volume = group("Manage volumes", {
  create: volumeCreate, inspect: volumeInspect, ls: volumeLs, list: alias(volumeLs), prune: volumePrune, rm: volumeRm, remove: alias(volumeRm),
});

const system = group("Manage wharf", { df: systemDf, events: systemEvents, info: systemInfo, prune: systemPrune });

/** Listed first in the top-level help, as docker lists its common commands. */
export const commonCommands = ["run", "exec", "ps", "build", "pull", "push", "images", "login", "logout", "search", "version", "info"];

export const commands: Record<string, CommandDef> = {
  attach, build, commit, completion, container, cp, create, diff, events, exec, export: exportDef, history, image, images,
  import: importDef, info, inspect, kill, load, login, logout, logs, network, pause, port, ps, pull, push, rename,
  restart, rm, rmi, run, save, search, start, stats, stop, system, tag, top, unpause, update, version, volume, wait,
};
