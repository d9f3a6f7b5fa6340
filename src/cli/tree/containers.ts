// Container commands: lifecycle, inspection, files and processes.
import type { CommandDef } from "../command.ts";

export const attach: CommandDef = {
  use: "[OPTIONS] CONTAINER",
  desc: "Attach local standard input, output, and error streams to a running container",
  aliases: "wharf container attach, wharf attach",
  flags: [
    "|no-stdin||Do not attach STDIN||",
    "|sig-proxy||Proxy all received signals to the process|true|",
    "|detach-keys|string|Override the key sequence for detaching a container||",
  ],
  args: [1, 1],
  run: () => import("../commands/attach.ts").then((m) => m.attach),
};

export const top: CommandDef = {
  use: "CONTAINER [ps OPTIONS]",
  desc: "Display the running processes of a container",
  aliases: "wharf container top, wharf top",
  args: [1, Infinity], positional: true,
  run: () => import("../commands/container-io.ts").then((m) => m.top),
};

export const diff: CommandDef = {
  use: "CONTAINER",
  desc: "Inspect changes to files or directories on a container's filesystem",
  aliases: "wharf container diff, wharf diff",
  args: [1, 1],
  run: () => import("../commands/container-io.ts").then((m) => m.diff),
};

export const port: CommandDef = {
  use: "CONTAINER [PRIVATE_PORT[/PROTO]]",
  desc: "List port mappings or a specific mapping for the container",
  aliases: "wharf container port, wharf port",
  args: [1, 2],
  run: () => import("../commands/container-io.ts").then((m) => m.port),
};

export const commit: CommandDef = {
  use: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
  desc: "Create a new image from a container's changes",
  aliases: "wharf container commit, wharf commit",
  flags: [
    "a|author|string|Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")|",
    "c|change|list|Apply wharffile instruction to the created image||",
    "m|message|string|Commit message||",
    "p|pause||Pause container during commit|true|",
  ],
  args: [1, 2],
  run: () => import("../commands/container-io.ts").then((m) => m.commit),
};

export const exportDef: CommandDef = {
  use: "[OPTIONS] CONTAINER",
  desc: "Export a container's filesystem as a tar archive",
  aliases: "wharf container export, wharf export",
  flags: [
    "o|output|string|Write to a file, instead of STDOUT||",
  ],
  args: [1, 1],
  run: () => import("../commands/container-io.ts").then((m) => m.exportCmd),
};

export const containerPrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove all stopped containers",
  flags: [
    "f|force||Do not prompt for confirmation||",
    "|filter|filter|Provide filter values (e.g. \"until=<timestamp>\")|",
  ],
  args: [0, 0],
  run: () => import("../commands/container-prune.ts").then((m) => m.prune),
};

export const cp: CommandDef = {
  use: "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\twharf cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
  desc: "Copy files/folders between a container and the local filesystem",
  aliases: "wharf container cp, wharf cp",
  flags: [
    "a|archive||Archive mode (copy all uid/gid information)||",
    "L|follow-link||Always follow symbol link in SRC_PATH||",
    "q|quiet||Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached||",
  ],
  args: [2, 2],
  run: () => import("../commands/cp.ts").then((m) => m.cp),
};

export const containerInspect: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Display detailed information on one or more containers",
  flags: [
    "f|format|string|@json||",
    "s|size||Display total file sizes||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/inspect.ts").then((m) => m.containerInspect),
};

export const start: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Start one or more stopped containers",
  aliases: "wharf container start, wharf start",
  flags: [
    "a|attach||Attach STDOUT/STDERR and forward signals||",
    "i|interactive||Attach container's STDIN||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/lifecycle.ts").then((m) => m.start),
};

export const stop: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Stop one or more running containers",
  aliases: "wharf container stop, wharf stop",
  flags: [
    "t|timeout|int|Seconds to wait before killing the container||time",
    "s|signal|string|Signal to send to the container||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/lifecycle.ts").then((m) => m.stop),
};

export const restart: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Restart one or more containers",
  aliases: "wharf container restart, wharf restart",
  flags: [
    "t|timeout|int|Seconds to wait before killing the container||time",
    "s|signal|string|Signal to send to the container||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/lifecycle.ts").then((m) => m.restart),
};

export const kill: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Kill one or more running containers",
  aliases: "wharf container kill, wharf kill",
  flags: [
    "s|signal|string|Signal to send to the container||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/lifecycle.ts").then((m) => m.kill),
};

export const rm: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Remove one or more containers",
  aliases: "wharf container rm, wharf container remove, wharf rm",
  flags: [
    "f|force||Force the removal of a running container (uses SIGKILL)||",
    "v|volumes||Remove anonymous volumes associated with the container||",
    "l|link||Remove the specified link||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/lifecycle.ts").then((m) => m.rm),
};

export const pause: CommandDef = {
  use: "CONTAINER [CONTAINER...]",
  desc: "Pause all processes within one or more containers",
  aliases: "wharf container pause, wharf pause",
  args: [1, Infinity],
  run: () => import("../commands/lifecycle.ts").then((m) => m.pause),
};

export const unpause: CommandDef = {
  use: "CONTAINER [CONTAINER...]",
  desc: "Unpause all processes within one or more containers",
  aliases: "wharf container unpause, wharf unpause",
  args: [1, Infinity],
  run: () => import("../commands/lifecycle.ts").then((m) => m.unpause),
};

export const wait: CommandDef = {
  use: "CONTAINER [CONTAINER...]",
  desc: "Block until one or more containers stop, then print their exit codes",
  aliases: "wharf container wait, wharf wait",
  args: [1, Infinity],
  run: () => import("../commands/lifecycle.ts").then((m) => m.wait),
};

export const rename: CommandDef = {
  use: "CONTAINER NEW_NAME",
  desc: "Rename a container",
  aliases: "wharf container rename, wharf rename",
  args: [2, 2],
  run: () => import("../commands/lifecycle.ts").then((m) => m.rename),
};

export const logs: CommandDef = {
  use: "[OPTIONS] CONTAINER",
  desc: "Fetch the logs of a container",
  aliases: "wharf container logs, wharf logs",
  flags: [
    "f|follow||Follow log output||",
    "t|timestamps||Show timestamps||",
    "n|tail|string|Number of lines to show from the end of the logs|\"all\"|",
    "|since|string|Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)|",
    "|until|string|Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)|",
    "|details||Show extra details provided to logs||",
  ],
  args: [1, 1],
  run: () => import("../commands/logs.ts").then((m) => m.logs),
};

export const ps: CommandDef = {
  use: "[OPTIONS]",
  desc: "List containers",
  aliases: "wharf container ls, wharf container list, wharf container ps, wharf ps",
  flags: [
    "a|all||Show all containers (default shows just running)||",
    "q|quiet||Only display container IDs||",
    "n|last|int|Show n last created containers (includes all states)|-1|",
    "l|latest||Show the latest created container (includes all states)||",
    "s|size||Display total file sizes||",
    "|no-trunc||Don't truncate output||",
    "f|filter|filter|Filter output based on conditions provided||",
    "|format|string|@table||",
  ],
  args: [0, 0],
  run: () => import("../commands/ps.ts").then((m) => m.ps),
};

export const stats: CommandDef = {
  use: "[OPTIONS] [CONTAINER...]",
  desc: "Display a live stream of container(s) resource usage statistics",
  aliases: "wharf container stats, wharf stats",
  flags: [
    "a|all||Show all containers (default shows just running)||",
    "|no-stream||Disable streaming stats and only pull the first result||",
    "|no-trunc||Do not truncate output||",
    "|format|string|@table||",
  ],
  args: [0, Infinity],
  run: () => import("../commands/stats.ts").then((m) => m.stats),
};

export const update: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Update configuration of one or more containers",
  aliases: "wharf container update, wharf update",
  flags: [
    "m|memory|bytes|Memory limit||",
    "|memory-swap|bytes|Swap limit equal to memory plus swap: -1 to enable unlimited swap||",
    "|memory-reservation|bytes|Memory soft limit||",
    "|cpus|decimal|Number of CPUs||",
    "c|cpu-shares|int|CPU shares (relative weight)||",
    "|cpuset-cpus|string|CPUs in which to allow execution (0-3, 0,1)||",
    "|pids-limit|int|Tune container pids limit (set -1 for unlimited)||",
    "|restart|string|Restart policy to apply when a container exits||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/update.ts").then((m) => m.update),
};
