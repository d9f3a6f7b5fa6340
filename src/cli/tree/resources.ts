// Networks and volumes.
import type { CommandDef } from "../command.ts";

export const networkCreate: CommandDef = {
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
  run: () => import("../commands/network.ts").then((m) => m.create),
};

export const networkLs: CommandDef = {
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
  run: () => import("../commands/network.ts").then((m) => m.ls),
};

export const networkInspect: CommandDef = {
  use: "[OPTIONS] NETWORK [NETWORK...]",
  desc: "Display detailed information on one or more networks",
  flags: [
    "f|format|string|@json||",
    "v|verbose||Verbose output for diagnostics||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/network.ts").then((m) => m.inspect),
};

export const networkRm: CommandDef = {
  use: "NETWORK [NETWORK...]",
  desc: "Remove one or more networks",
  aliases: "wharf network rm, wharf network remove",
  flags: [
    "f|force||Do not error if the network does not exist||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/network.ts").then((m) => m.rm),
};

export const networkConnect: CommandDef = {
  use: "[OPTIONS] NETWORK CONTAINER",
  desc: "Connect a container to a network",
  flags: [
    "|alias|strings|Add network-scoped alias for the container||",
    "|ip|string|IPv4 address (e.g., \"172.30.100.104\")|",
    "|link|list|Add link to another container||",
    "|driver-opt|strings|driver options for the network||",
  ],
  args: [2, 2],
  run: () => import("../commands/network.ts").then((m) => m.connect),
};

export const networkDisconnect: CommandDef = {
  use: "[OPTIONS] NETWORK CONTAINER",
  desc: "Disconnect a container from a network",
  flags: [
    "f|force||Force the container to disconnect from a network||",
  ],
  args: [2, 2],
  run: () => import("../commands/network.ts").then((m) => m.disconnect),
};

export const networkPrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove all unused networks",
  flags: [
    "f|force||Do not prompt for confirmation||",
    "|filter|filter|Provide filter values (e.g. \"until=<timestamp>\")|",
  ],
  args: [0, 0],
  run: () => import("../commands/network.ts").then((m) => m.prune),
};

export const volumeCreate: CommandDef = {
  use: "[OPTIONS] [VOLUME]",
  desc: "Create a volume",
  flags: [
    "d|driver|string|Specify volume driver name|\"local\"|",
    "o|opt|map|Set driver specific options|map[]|",
    "|label|list|Set metadata for a volume||",
    "|name|string|||",
  ],
  args: [0, 1],
  run: () => import("../commands/volume.ts").then((m) => m.create),
};

export const volumeLs: CommandDef = {
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
  run: () => import("../commands/volume.ts").then((m) => m.ls),
};

export const volumeInspect: CommandDef = {
  use: "[OPTIONS] VOLUME [VOLUME...]",
  desc: "Display detailed information on one or more volumes",
  flags: [
    "f|format|string|@json||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/volume.ts").then((m) => m.inspect),
};

export const volumeRm: CommandDef = {
  use: "[OPTIONS] VOLUME [VOLUME...]",
  desc: "Remove one or more volumes",
  aliases: "wharf volume rm, wharf volume remove",
  flags: [
    "f|force||Force the removal of one or more volumes||",
  ],
  args: [1, Infinity],
  run: () => import("../commands/volume.ts").then((m) => m.rm),
};

export const volumePrune: CommandDef = {
  use: "[OPTIONS]",
  desc: "Remove unused local volumes",
  flags: [
    "f|force||Do not prompt for confirmation||",
    "a|all||Remove all unused volumes, not just anonymous ones||",
    "|filter|filter|Provide filter values (e.g. \"label=<label>\")|",
  ],
  args: [0, 0],
  run: () => import("../commands/volume.ts").then((m) => m.prune),
};
