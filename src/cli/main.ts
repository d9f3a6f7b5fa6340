// The docker-style client: global flags, then a citty command tree with lazy subcommands.
import { defineCommand, runCommand, showUsage } from "citty";
import { parseGlobalFlags } from "./globals.ts";
import { setHost } from "./context.ts";
import { ConnectError } from "../client/client.ts";
import { ExitError } from "./exit.ts";
import { FlagError } from "./flags.ts";
import { WharfError, errorMessage } from "../errors.ts";
import { gitCommit, wharfVersion } from "../version.ts";

const lifecycle = (name: keyof typeof import("./commands/lifecycle.ts")) => () =>
  import("./commands/lifecycle.ts").then((m) => m[name]);

const subCommands = {
  version: () => import("./commands/version.ts").then((m) => m.default),
  info: () => import("./commands/info.ts").then((m) => m.default),
  run: () => import("./commands/run.ts").then((m) => m.default),
  create: () => import("./commands/create.ts").then((m) => m.default),
  start: lifecycle("start"),
  stop: lifecycle("stop"),
  restart: lifecycle("restart"),
  kill: lifecycle("kill"),
  rm: lifecycle("rm"),
  pause: lifecycle("pause"),
  unpause: lifecycle("unpause"),
  wait: lifecycle("wait"),
  rename: lifecycle("rename"),
  ps: () => import("./commands/ps.ts").then((m) => m.default),
  logs: () => import("./commands/logs.ts").then((m) => m.default),
  attach: () => import("./commands/attach.ts").then((m) => m.default),
  exec: () => import("./commands/exec.ts").then((m) => m.default),
  inspect: () => import("./commands/inspect.ts").then((m) => m.default),
  container: () => import("./commands/container.ts").then((m) => m.default),
  update: () => import("./commands/update.ts").then((m) => m.default),
  images: () => import("./commands/images.ts").then((m) => m.default),
  image: () => import("./commands/image.ts").then((m) => m.default),
  history: () => import("./commands/history.ts").then((m) => m.default),
  rmi: () => import("./commands/image-manage.ts").then((m) => m.rmi),
  tag: () => import("./commands/image-manage.ts").then((m) => m.tag),
  load: () => import("./commands/image-io.ts").then((m) => m.load),
  save: () => import("./commands/image-io.ts").then((m) => m.save),
  import: () => import("./commands/image-io.ts").then((m) => m.importCmd),
  volume: () => import("./commands/volume.ts").then((m) => m.default),
  network: () => import("./commands/network.ts").then((m) => m.default),
  top: () => import("./commands/container-io.ts").then((m) => m.top),
  diff: () => import("./commands/container-io.ts").then((m) => m.diff),
  port: () => import("./commands/container-io.ts").then((m) => m.port),
  commit: () => import("./commands/container-io.ts").then((m) => m.commit),
  export: () => import("./commands/container-io.ts").then((m) => m.exportCmd),
  stats: () => import("./commands/stats.ts").then((m) => m.default),
  cp: () => import("./commands/cp.ts").then((m) => m.default),
};

const root = defineCommand({
  meta: { name: "wharf", version: wharfVersion, description: "A Docker-compatible container engine" },
  subCommands,
});

export async function clientMain(argv: string[]): Promise<number> {
  let g;
  try {
    g = parseGlobalFlags(argv);
  } catch (err) {
    process.stderr.write(`wharf: ${errorMessage(err)}\n`);
    return 125;
  }
  setHost(g.host, g.tls);
  const rest = g.rest;
  if (rest[0] === "-v" || rest[0] === "--version") {
    process.stdout.write(`wharf version ${wharfVersion}, build ${gitCommit}\n`);
    return 0;
  }
  if (rest.length === 0 || rest[0] === "--help" || rest[0] === "-h" || rest[0] === "help") {
    await showUsage(root);
    return 0;
  }
  if (!(rest[0]! in subCommands)) {
    process.stderr.write(`wharf: '${rest[0]}' is not a wharf command.\nSee 'wharf --help'\n`);
    return 1;
  }
  try {
    await runCommand(root, { rawArgs: rest });
    return (process.exitCode as number | undefined) ?? 0;
  } catch (err) {
    if (err instanceof ExitError) {
      if (err.message) process.stderr.write(`${err.message}\n`);
      return err.code;
    }
    if (err instanceof FlagError) {
      process.stderr.write(`${err.message}\nSee 'wharf ${rest[0]} --help'.\n`);
      return 125;
    }
    if (err instanceof ConnectError || err instanceof WharfError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    process.stderr.write(`wharf: ${errorMessage(err)}\n`);
    return 1;
  }
}
