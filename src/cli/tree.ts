// The command tree: every command's usage, description, flags (with their help and
// defaults, in docker's words) and argument counts, as data. Help, flag errors and
// argument checks come from here without loading a command's code; `run` loads only the
// module of the command that runs.
import type { Parsed } from "./flags.ts";

/** What a command module exports for one command. */
export type Runner = (p: Parsed, inv: Invocation) => Promise<void>;

export interface Invocation {
  /** `wharf container ls`: the words that named the command. */
  path: string;
  def: CommandDef;
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

const attach: CommandDef = {
  use: "[OPTIONS] CONTAINER",
  desc: "Attach local standard input, output, and error streams to a running container",
  aliases: "wharf container attach, wharf attach",
  flags: [
    "|no-stdin||Do not attach STDIN||",
    "|sig-proxy||Proxy all received signals to the process|true|",
    "|detach-keys|string|Override the key sequence for detaching a container||",
  ],
  args: [1, 1],
  run: () => import("./commands/attach.ts").then((m) => m.attach),
};

const top: CommandDef = {
  use: "CONTAINER [ps OPTIONS]",
  desc: "Display the running processes of a container",
  aliases: "wharf container top, wharf top",
  args: [1, Infinity], positional: true,
  run: () => import("./commands/container-io.ts").then((m) => m.top),
};

const diff: CommandDef = {
  use: "CONTAINER",
  desc: "Inspect changes to files or directories on a container's filesystem",
  aliases: "wharf container diff, wharf diff",
  args: [1, 1],
  run: () => import("./commands/container-io.ts").then((m) => m.diff),
};

const port: CommandDef = {
  use: "CONTAINER [PRIVATE_PORT[/PROTO]]",
  desc: "List port mappings or a specific mapping for the container",
  aliases: "wharf container port, wharf port",
  args: [1, 2],
  run: () => import("./commands/container-io.ts").then((m) => m.port),
};

const commit: CommandDef = {
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
  run: () => import("./commands/container-io.ts").then((m) => m.commit),
};

const exportDef: CommandDef = {
  use: "[OPTIONS] CONTAINER",
  desc: "Export a container's filesystem as a tar archive",
  aliases: "wharf container export, wharf export",
  flags: [
    "o|output|string|Write to a file, instead of STDOUT||",
  ],
  args: [1, 1],
  run: () => import("./commands/container-io.ts").then((m) => m.exportCmd),
};

const containerPrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove all stopped containers",
  flags: [
    "f|force||Do not prompt for confirmation||",
    "|filter|filter|Provide filter values (e.g. \"until=<timestamp>\")|",
  ],
  args: [0, 0],
  run: () => import("./commands/container-prune.ts").then((m) => m.prune),
};

const cp: CommandDef = {
  use: "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\twharf cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
  desc: "Copy files/folders between a container and the local filesystem",
  aliases: "wharf container cp, wharf cp",
  flags: [
    "a|archive||Archive mode (copy all uid/gid information)||",
    "L|follow-link||Always follow symbol link in SRC_PATH||",
    "q|quiet||Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached||",
  ],
  args: [2, 2],
  run: () => import("./commands/cp.ts").then((m) => m.cp),
};

const exec: CommandDef = {
  use: "[OPTIONS] CONTAINER COMMAND [ARG...]",
  desc: "Execute a command in a running container",
  aliases: "wharf container exec, wharf exec",
  flags: [
    "i|interactive||Keep STDIN open even if not attached||",
    "t|tty||Allocate a pseudo-TTY||",
    "d|detach||Detached mode: run command in the background||",
    "e|env|list|Set environment variables||",
    "|env-file|list|Read in a file of environment variables||",
    "w|workdir|string|Working directory inside the container||",
    "u|user|string|Username or UID (format: \"<name|uid>[:<group|gid>]\")|",
    "|privileged||Give extended privileges to the command||",
    "|detach-keys|string|Override the key sequence for detaching a container||",
  ],
  args: [2, Infinity], positional: true,
  run: () => import("./commands/exec.ts").then((m) => m.exec),
};

const history: CommandDef = {
  use: "[OPTIONS] IMAGE",
  desc: "Show the history of an image",
  aliases: "wharf image history, wharf history",
  flags: [
    "H|human||Print sizes and dates in human readable format|true|",
    "|no-trunc||Don't truncate output||",
    "q|quiet||Only show image IDs||",
    "|format|string|@table||",
    "|platform|string|Show history for the given platform. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")|",
  ],
  args: [1, 1],
  run: () => import("./commands/history.ts").then((m) => m.history),
};

const load: CommandDef = {
  use: "[OPTIONS]",
  desc: "Load an image from a tar archive or STDIN",
  aliases: "wharf image load, wharf load",
  flags: [
    "i|input|string|Read from tar archive file, instead of STDIN||",
    "q|quiet||Suppress the load output||",
    "|platform|string|Load only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")|",
  ],
  args: [0, 0],
  run: () => import("./commands/image-io.ts").then((m) => m.load),
};

const save: CommandDef = {
  use: "[OPTIONS] IMAGE [IMAGE...]",
  desc: "Save one or more images to a tar archive (streamed to STDOUT by default)",
  aliases: "wharf image save, wharf save",
  flags: [
    "o|output|string|Write to a file, instead of STDOUT||",
    "|platform|string|Save only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")|",
  ],
  args: [1, Infinity],
  run: () => import("./commands/image-io.ts").then((m) => m.save),
};

const importDef: CommandDef = {
  use: "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
  desc: "Import the contents from a tarball to create a filesystem image",
  aliases: "wharf image import, wharf import",
  flags: [
    "c|change|list|Apply wharffile instruction to the created image||",
    "m|message|string|Set commit message for imported image||",
    "|platform|string|Set platform if server is multi-platform capable||",
  ],
  args: [1, 2],
  run: () => import("./commands/image-io.ts").then((m) => m.importCmd),
};

const rmi: CommandDef = {
  use: "[OPTIONS] IMAGE [IMAGE...]",
  desc: "Remove one or more images",
  aliases: "wharf image rm, wharf image remove, wharf rmi",
  flags: [
    "f|force||Force removal of the image||",
    "|no-prune||Do not delete untagged parents||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/image-manage.ts").then((m) => m.rmi),
};

const tag: CommandDef = {
  use: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
  desc: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
  aliases: "wharf image tag, wharf tag",
  args: [2, 2],
  run: () => import("./commands/image-manage.ts").then((m) => m.tag),
};

const imagePrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove unused images",
  flags: [
    "a|all||Remove all unused images, not just dangling ones||",
    "f|force||Do not prompt for confirmation||",
    "|filter|filter|Provide filter values (e.g. \"until=<timestamp>\")|",
  ],
  args: [0, 0],
  run: () => import("./commands/image-manage.ts").then((m) => m.prune),
};

const imageInspect: CommandDef = {
  use: "[OPTIONS] IMAGE [IMAGE...]",
  desc: "Display detailed information on one or more images",
  flags: [
    "f|format|string|@json||",
    "|platform|string|Inspect a specific platform of the multi-platform image. If the image or the server is not multi-platform capable, the command will error out if the platform does not match. 'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/image-manage.ts").then((m) => m.inspect),
};

const images: CommandDef = {
  use: "[OPTIONS] [REPOSITORY[:TAG]]",
  desc: "List images",
  aliases: "wharf image ls, wharf image list, wharf images",
  flags: [
    "a|all||Show all images (default hides intermediate images)||",
    "q|quiet||Only show image IDs||",
    "|digests||Show digests||",
    "|no-trunc||Don't truncate output||",
    "f|filter|filter|Filter output based on conditions provided||",
    "|format|string|@table||",
    "|tree||List multi-platform images as a tree (EXPERIMENTAL)||",
  ],
  args: [0, 1],
  run: () => import("./commands/images.ts").then((m) => m.images),
};

const info: CommandDef = {
  use: "[OPTIONS]",
  desc: "Display system-wide information",
  aliases: "wharf system info, wharf info",
  flags: [
    "f|format|string|@json||",
  ],
  args: [0, 0],
  run: () => import("./commands/info.ts").then((m) => m.info),
};

const version: CommandDef = {
  use: "[OPTIONS]",
  desc: "Show the wharf version information",
  flags: [
    "f|format|string|@json||",
  ],
  args: [0, 0],
  run: () => import("./commands/version.ts").then((m) => m.version),
};

const inspect: CommandDef = {
  use: "[OPTIONS] NAME|ID [NAME|ID...]",
  desc: "Return low-level information on wharf objects",
  flags: [
    "f|format|string|@json||",
    "|type|string|Only inspect objects of the given type||",
    "s|size||Display total file sizes if the type is container||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/inspect.ts").then((m) => m.inspectAny),
};

const containerInspect: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Display detailed information on one or more containers",
  flags: [
    "f|format|string|@json||",
    "s|size||Display total file sizes||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/inspect.ts").then((m) => m.containerInspect),
};

const start: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Start one or more stopped containers",
  aliases: "wharf container start, wharf start",
  flags: [
    "a|attach||Attach STDOUT/STDERR and forward signals||",
    "i|interactive||Attach container's STDIN||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/lifecycle.ts").then((m) => m.start),
};

const stop: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Stop one or more running containers",
  aliases: "wharf container stop, wharf stop",
  flags: [
    "t|timeout|int|Seconds to wait before killing the container||time",
    "s|signal|string|Signal to send to the container||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/lifecycle.ts").then((m) => m.stop),
};

const restart: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Restart one or more containers",
  aliases: "wharf container restart, wharf restart",
  flags: [
    "t|timeout|int|Seconds to wait before killing the container||time",
    "s|signal|string|Signal to send to the container||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/lifecycle.ts").then((m) => m.restart),
};

const kill: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Kill one or more running containers",
  aliases: "wharf container kill, wharf kill",
  flags: [
    "s|signal|string|Signal to send to the container||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/lifecycle.ts").then((m) => m.kill),
};

const rm: CommandDef = {
  use: "[OPTIONS] CONTAINER [CONTAINER...]",
  desc: "Remove one or more containers",
  aliases: "wharf container rm, wharf container remove, wharf rm",
  flags: [
    "f|force||Force the removal of a running container (uses SIGKILL)||",
    "v|volumes||Remove anonymous volumes associated with the container||",
    "l|link||Remove the specified link||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/lifecycle.ts").then((m) => m.rm),
};

const pause: CommandDef = {
  use: "CONTAINER [CONTAINER...]",
  desc: "Pause all processes within one or more containers",
  aliases: "wharf container pause, wharf pause",
  args: [1, Infinity],
  run: () => import("./commands/lifecycle.ts").then((m) => m.pause),
};

const unpause: CommandDef = {
  use: "CONTAINER [CONTAINER...]",
  desc: "Unpause all processes within one or more containers",
  aliases: "wharf container unpause, wharf unpause",
  args: [1, Infinity],
  run: () => import("./commands/lifecycle.ts").then((m) => m.unpause),
};

const wait: CommandDef = {
  use: "CONTAINER [CONTAINER...]",
  desc: "Block until one or more containers stop, then print their exit codes",
  aliases: "wharf container wait, wharf wait",
  args: [1, Infinity],
  run: () => import("./commands/lifecycle.ts").then((m) => m.wait),
};

const rename: CommandDef = {
  use: "CONTAINER NEW_NAME",
  desc: "Rename a container",
  aliases: "wharf container rename, wharf rename",
  args: [2, 2],
  run: () => import("./commands/lifecycle.ts").then((m) => m.rename),
};

const logs: CommandDef = {
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
  run: () => import("./commands/logs.ts").then((m) => m.logs),
};

const networkCreate: CommandDef = {
  use: "[OPTIONS] NETWORK",
  desc: "Create a network",
  flags: [
    "d|driver|string|Driver to manage the Network|\"bridge\"|",
    "|subnet|strings|Subnet in CIDR format that represents a network segment||",
    "|gateway|strings|IPv4 or IPv6 Gateway for the master subnet||",
    "|ip-range|strings|Allocate container ip from a sub-range||",
    "|internal||Restrict external access to the network||",
    "|ipv6||Enable or disable IPv6 address assignment||",
    "|attachable||Enable manual container attachment||",
    "|label|list|Set metadata on a network||",
    "o|opt|map|Set driver specific options|map[]|",
    "|ipam-driver|string|IP Address Management Driver|\"default\"|",
    "|ipam-opt|map|Set IPAM driver specific options|map[]|",
  ],
  args: [1, 1],
  run: () => import("./commands/network.ts").then((m) => m.create),
};

const networkLs: CommandDef = {
  use: "[OPTIONS]",
  desc: "List networks",
  aliases: "wharf network ls, wharf network list",
  flags: [
    "q|quiet||Only display network IDs||",
    "f|filter|filter|Provide filter values (e.g. \"driver=bridge\")|",
    "|format|string|@table||",
    "|no-trunc||Do not truncate the output||",
  ],
  args: [0, 0],
  run: () => import("./commands/network.ts").then((m) => m.ls),
};

const networkInspect: CommandDef = {
  use: "[OPTIONS] NETWORK [NETWORK...]",
  desc: "Display detailed information on one or more networks",
  flags: [
    "f|format|string|@json||",
    "v|verbose||Verbose output for diagnostics||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/network.ts").then((m) => m.inspect),
};

const networkRm: CommandDef = {
  use: "NETWORK [NETWORK...]",
  desc: "Remove one or more networks",
  aliases: "wharf network rm, wharf network remove",
  flags: [
    "f|force||Do not error if the network does not exist||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/network.ts").then((m) => m.rm),
};

const networkConnect: CommandDef = {
  use: "[OPTIONS] NETWORK CONTAINER",
  desc: "Connect a container to a network",
  flags: [
    "|alias|strings|Add network-scoped alias for the container||",
    "|ip|string|IPv4 address (e.g., \"172.30.100.104\")|",
    "|link|list|Add link to another container||",
    "|driver-opt|strings|driver options for the network||",
  ],
  args: [2, 2],
  run: () => import("./commands/network.ts").then((m) => m.connect),
};

const networkDisconnect: CommandDef = {
  use: "[OPTIONS] NETWORK CONTAINER",
  desc: "Disconnect a container from a network",
  flags: [
    "f|force||Force the container to disconnect from a network||",
  ],
  args: [2, 2],
  run: () => import("./commands/network.ts").then((m) => m.disconnect),
};

const networkPrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove all unused networks",
  flags: [
    "f|force||Do not prompt for confirmation||",
    "|filter|filter|Provide filter values (e.g. \"until=<timestamp>\")|",
  ],
  args: [0, 0],
  run: () => import("./commands/network.ts").then((m) => m.prune),
};

const ps: CommandDef = {
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
  run: () => import("./commands/ps.ts").then((m) => m.ps),
};

const stats: CommandDef = {
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
  run: () => import("./commands/stats.ts").then((m) => m.stats),
};

const update: CommandDef = {
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
  run: () => import("./commands/update.ts").then((m) => m.update),
};

const volumeCreate: CommandDef = {
  use: "[OPTIONS] [VOLUME]",
  desc: "Create a volume",
  flags: [
    "d|driver|string|Specify volume driver name|\"local\"|",
    "o|opt|map|Set driver specific options|map[]|",
    "|label|list|Set metadata for a volume||",
    "|name|string|||",
  ],
  args: [0, 1],
  run: () => import("./commands/volume.ts").then((m) => m.create),
};

const volumeLs: CommandDef = {
  use: "[OPTIONS]",
  desc: "List volumes",
  aliases: "wharf volume ls, wharf volume list",
  flags: [
    "q|quiet||Only display volume names||",
    "f|filter|filter|Provide filter values (e.g. \"dangling=true\")|",
    "|format|string|@table||",
    "|cluster||Display only cluster volumes, and use cluster volume list formatting||",
  ],
  args: [0, 0],
  run: () => import("./commands/volume.ts").then((m) => m.ls),
};

const volumeInspect: CommandDef = {
  use: "[OPTIONS] VOLUME [VOLUME...]",
  desc: "Display detailed information on one or more volumes",
  flags: [
    "f|format|string|@json||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/volume.ts").then((m) => m.inspect),
};

const volumeRm: CommandDef = {
  use: "[OPTIONS] VOLUME [VOLUME...]",
  desc: "Remove one or more volumes",
  aliases: "wharf volume rm, wharf volume remove",
  flags: [
    "f|force||Force the removal of one or more volumes||",
  ],
  args: [1, Infinity],
  run: () => import("./commands/volume.ts").then((m) => m.rm),
};

const volumePrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove unused local volumes",
  flags: [
    "f|force||Do not prompt for confirmation||",
    "a|all||Remove all unused volumes, not just anonymous ones||",
    "|filter|filter|Provide filter values (e.g. \"label=<label>\")|",
  ],
  args: [0, 0],
  run: () => import("./commands/volume.ts").then((m) => m.prune),
};

const events: CommandDef = {
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
  run: () => import("./commands/events.ts").then((m) => m.events),
};

const systemDf: CommandDef = {
  use: "[OPTIONS]",
  desc: "Show wharf disk usage",
  flags: [
    "|format|string|@table||",
    "v|verbose||Show detailed information on space usage||",
  ],
  args: [0, 0],
  run: () => import("./commands/system.ts").then((m) => m.df),
};

const systemPrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove unused data",
  flags: [
    "a|all||Remove all unused images not just dangling ones||",
    "f|force||Do not prompt for confirmation||",
    "|filter|filter|Provide filter values (e.g. \"label=<key>=<value>\")|",
    "|volumes||Prune anonymous volumes||",
  ],
  args: [0, 0],
  run: () => import("./commands/system.ts").then((m) => m.prune),
};

const systemInfo: CommandDef = {
  use: "[OPTIONS]",
  desc: "Display system-wide information",
  aliases: "wharf system info, wharf info",
  flags: [
    "f|format|string|@json||",
  ],
  args: [0, 0],
  run: () => import("./commands/info.ts").then((m) => m.info),
};

const systemEvents: CommandDef = {
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
  run: () => import("./commands/events.ts").then((m) => m.events),
};

const login: CommandDef = {
  use: "[OPTIONS] [SERVER]",
  desc: "Authenticate to a registry",
  flags: [
    "u|username|string|Username||",
    "p|password|string|Password or Personal Access Token (PAT)||",
    "|password-stdin||Take the Password or Personal Access Token (PAT) from stdin||",
  ],
  args: [0, 1],
  run: () => import("./commands/login.ts").then((m) => m.login),
};

const logout: CommandDef = {
  use: "[SERVER]",
  desc: "Log out from a registry",
  args: [0, 1],
  run: () => import("./commands/login.ts").then((m) => m.logout),
};

const build: CommandDef = {
  use: "[OPTIONS] PATH | URL | -",
  desc: "Build an image from a Dockerfile",
  aliases: "wharf image build, wharf build, wharf builder build",
  flags: [
    "|add-host|list|Add a custom host-to-IP mapping (\"host:ip\")||",
    "|build-arg|list|Set build-time variables||",
    "f|file|string|Name of the Dockerfile (Default is \"PATH/Dockerfile\")||",
    "|force-rm||Always remove intermediate containers||",
    "|iidfile|string|Write the image ID to the file||",
    "|label|list|Set metadata for an image||",
    "|network|string|Set the networking mode for the RUN instructions during build|\"default\"|",
    "|no-cache||Do not use cache when building the image||",
    "|platform|string|Set platform if server is multi-platform capable||",
    "|pull||Always attempt to pull a newer version of the image||",
    "q|quiet||Suppress the build output and print image ID on success||",
    "|rm||Remove intermediate containers after a successful build|true|",
    "|shm-size|string|Size of \"/dev/shm\"||",
    "t|tag|list|Name and optionally a tag in the \"name:tag\" format||",
    "|target|string|Set the target build stage to build.||",
  ],
  args: [1, 1],
  run: () => import("./commands/build.ts").then((m) => m.build),
};

const pull: CommandDef = {
  use: "[OPTIONS] NAME[:TAG|@DIGEST]",
  desc: "Download an image from a registry",
  aliases: "wharf image pull, wharf pull",
  flags: [
    "a|all-tags||Download all tagged images in the repository||",
    "q|quiet||Suppress verbose output||",
    "|platform|string|Set platform if server is multi-platform capable||",
  ],
  args: [1, 1],
  run: () => import("./commands/pull.ts").then((m) => m.pull),
};

const push: CommandDef = {
  use: "[OPTIONS] NAME[:TAG]",
  desc: "Upload an image to a registry",
  aliases: "wharf image push, wharf push",
  flags: [
    "a|all-tags||Push all tags of an image to the repository||",
    "q|quiet||Suppress verbose output||",
    "|platform|string|Push a platform-specific manifest as a single-platform image to the registry. Image index won't be pushed, meaning that other manifests, including attestations won't be preserved. 'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)||",
  ],
  args: [1, 1],
  run: () => import("./commands/push.ts").then((m) => m.push),
};

const search: CommandDef = {
  use: "[OPTIONS] TERM",
  desc: "Search Docker Hub for images",
  flags: [
    "f|filter|filter|Filter output based on conditions provided||",
    "|format|string|Pretty-print search using a Go template||",
    "|limit|int|Max number of search results||",
    "|no-trunc||Don't truncate output||",
  ],
  args: [1, 1],
  run: () => import("./commands/search.ts").then((m) => m.search),
};

const run: CommandDef = {
  use: "[OPTIONS] IMAGE [COMMAND] [ARG...]",
  desc: "Create and run a new container from an image",
  aliases: "wharf container run, wharf run",
  flags: [
    "d|detach||Run container in background and print container ID||",
    "i|interactive||Keep STDIN open even if not attached||",
    "t|tty||Allocate a pseudo-TTY||",
    "|rm||Automatically remove the container and its associated anonymous volumes when it exits||",
    "|name|string|Assign a name to the container||",
    "e|env|list|Set environment variables||",
    "|env-file|list|Read in a file of environment variables||",
    "w|workdir|string|Working directory inside the container||",
    "u|user|string|Username or UID (format: <name|uid>[:<group|gid>])||",
    "|entrypoint|string|Overwrite the default ENTRYPOINT of the image||",
    "l|label|list|Set meta data on a container||",
    "|restart|string|Restart policy to apply when a container exits|\"no\"|",
    "m|memory|bytes|Memory limit||",
    "|memory-swap|bytes|Swap limit equal to memory plus swap: '-1' to enable unlimited swap||",
    "|memory-reservation|bytes|Memory soft limit||",
    "|cpus|decimal|Number of CPUs||",
    "c|cpu-shares|int|CPU shares (relative weight)||",
    "|cpuset-cpus|string|CPUs in which to allow execution (0-3, 0,1)||",
    "|pids-limit|int|Tune container pids limit (set -1 for unlimited)||",
    "|cap-add|list|Add Linux capabilities||",
    "|cap-drop|list|Drop Linux capabilities||",
    "|privileged||Give extended privileges to this container||",
    "|read-only||Mount the container's root filesystem as read only||",
    "|init||Run an init inside the container that forwards signals and reaps processes||",
    "|stop-signal|string|Signal to stop the container||",
    "|stop-timeout|int|Timeout (in seconds) to stop a container||",
    "h|hostname|string|Container host name||",
    "|domainname|string|Container NIS domain name||",
    "|ulimit|ulimit|Ulimit options|[]|",
    "|sysctl|map|Sysctl options|map[]|",
    "|network|network|Connect a container to a network||net",
    "|shm-size|bytes|Size of /dev/shm||",
    "|group-add|list|Add additional groups to join||",
    "|security-opt|list|Security Options||",
    "|log-driver|string|Logging driver for the container||",
    "|log-opt|list|Log driver options||",
    "p|publish|list|Publish a container's port(s) to the host||",
    "P|publish-all||Publish all exposed ports to random ports||",
    "|expose|list|Expose a port or a range of ports||",
    "v|volume|list|Bind mount a volume||",
    "|mount|mount|Attach a filesystem mount to the container||",
    "|tmpfs|list|Mount a tmpfs directory||",
    "|volumes-from|list|Mount volumes from the specified container(s)||",
    "|link|list|Add link to another container||",
    "|dns|list|Set custom DNS servers||",
    "|dns-search|list|Set custom DNS search domains||",
    "|dns-option|list|Set DNS options||",
    "|add-host|list|Add a custom host-to-IP mapping (host:ip)||",
    "|network-alias|list|Add network-scoped alias for the container||",
    "|ip|string|IPv4 address (e.g., 172.30.100.104)||",
    "|mac-address|string|Container MAC address (e.g., 92:d0:c6:0a:29:33)||",
    "|platform|string|Set platform if server is multi-platform capable||",
    "|pull|string|Pull image before running (\"always\", \"missing\", \"never\")|\"missing\"|",
    "q|quiet||Suppress the pull output||",
    "|sig-proxy||Proxy received signals to the process|true|",
    "|detach-keys|string|Override the key sequence for detaching a container||",
    "a|attach|list|Attach to STDIN, STDOUT or STDERR||",
    "|cidfile|string|Write the container ID to the file||",
    "|health-cmd|string|Command to run to check health||",
    "|health-interval|duration|Time between running the check (ms|s|m|h)|0s|",
    "|health-timeout|duration|Maximum time to allow one check to run (ms|s|m|h)|0s|",
    "|health-retries|int|Consecutive failures needed to report unhealthy||",
    "|health-start-period|duration|Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)|0s|",
    "|health-start-interval|duration|Time between running the check during the start period (ms|s|m|h)|0s|",
    "|no-healthcheck||Disable any container-specified HEALTHCHECK||",
  ],
  args: [1, Infinity], positional: true,
  run: () => import("./commands/run.ts").then((m) => m.run),
};

const create: CommandDef = {
  use: "[OPTIONS] IMAGE [COMMAND] [ARG...]",
  desc: "Create a new container",
  aliases: "wharf container create, wharf create",
  flags: [
    "i|interactive||Keep STDIN open even if not attached||",
    "t|tty||Allocate a pseudo-TTY||",
    "|rm||Automatically remove the container and its associated anonymous volumes when it exits||",
    "|name|string|Assign a name to the container||",
    "e|env|list|Set environment variables||",
    "|env-file|list|Read in a file of environment variables||",
    "w|workdir|string|Working directory inside the container||",
    "u|user|string|Username or UID (format: <name|uid>[:<group|gid>])||",
    "|entrypoint|string|Overwrite the default ENTRYPOINT of the image||",
    "l|label|list|Set meta data on a container||",
    "|restart|string|Restart policy to apply when a container exits|\"no\"|",
    "m|memory|bytes|Memory limit||",
    "|memory-swap|bytes|Swap limit equal to memory plus swap: '-1' to enable unlimited swap||",
    "|memory-reservation|bytes|Memory soft limit||",
    "|cpus|decimal|Number of CPUs||",
    "c|cpu-shares|int|CPU shares (relative weight)||",
    "|cpuset-cpus|string|CPUs in which to allow execution (0-3, 0,1)||",
    "|pids-limit|int|Tune container pids limit (set -1 for unlimited)||",
    "|cap-add|list|Add Linux capabilities||",
    "|cap-drop|list|Drop Linux capabilities||",
    "|privileged||Give extended privileges to this container||",
    "|read-only||Mount the container's root filesystem as read only||",
    "|init||Run an init inside the container that forwards signals and reaps processes||",
    "|stop-signal|string|Signal to stop the container||",
    "|stop-timeout|int|Timeout (in seconds) to stop a container||",
    "h|hostname|string|Container host name||",
    "|domainname|string|Container NIS domain name||",
    "|ulimit|ulimit|Ulimit options|[]|",
    "|sysctl|map|Sysctl options|map[]|",
    "|network|network|Connect a container to a network||net",
    "|shm-size|bytes|Size of /dev/shm||",
    "|group-add|list|Add additional groups to join||",
    "|security-opt|list|Security Options||",
    "|log-driver|string|Logging driver for the container||",
    "|log-opt|list|Log driver options||",
    "p|publish|list|Publish a container's port(s) to the host||",
    "P|publish-all||Publish all exposed ports to random ports||",
    "|expose|list|Expose a port or a range of ports||",
    "v|volume|list|Bind mount a volume||",
    "|mount|mount|Attach a filesystem mount to the container||",
    "|tmpfs|list|Mount a tmpfs directory||",
    "|volumes-from|list|Mount volumes from the specified container(s)||",
    "|link|list|Add link to another container||",
    "|dns|list|Set custom DNS servers||",
    "|dns-search|list|Set custom DNS search domains||",
    "|dns-option|list|Set DNS options||",
    "|add-host|list|Add a custom host-to-IP mapping (host:ip)||",
    "|network-alias|list|Add network-scoped alias for the container||",
    "|ip|string|IPv4 address (e.g., 172.30.100.104)||",
    "|mac-address|string|Container MAC address (e.g., 92:d0:c6:0a:29:33)||",
    "|platform|string|Set platform if server is multi-platform capable||",
    "|pull|string|Pull image before creating (\"always\", \"|missing\", \"never\")|\"missing\"|",
    "q|quiet||Suppress the pull output||",
    "a|attach|list|Attach to STDIN, STDOUT or STDERR||",
    "|cidfile|string|Write the container ID to the file||",
    "|health-cmd|string|Command to run to check health||",
    "|health-interval|duration|Time between running the check (ms|s|m|h)|0s|",
    "|health-timeout|duration|Maximum time to allow one check to run (ms|s|m|h)|0s|",
    "|health-retries|int|Consecutive failures needed to report unhealthy||",
    "|health-start-period|duration|Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)|0s|",
    "|health-start-interval|duration|Time between running the check during the start period (ms|s|m|h)|0s|",
    "|no-healthcheck||Disable any container-specified HEALTHCHECK||",
  ],
  args: [1, Infinity], positional: true,
  run: () => import("./commands/create.ts").then((m) => m.create),
};

const completion: CommandDef = {
  use: "bash|zsh|fish",
  desc: "Generate the autocompletion script for the specified shell",
  args: [1, 1],
  run: () => import("./commands/completion.ts").then((m) => m.completion),
};

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
