// Daemon flags, as dockerd spells them.
import { parseArgs } from "node:util";
import { join } from "node:path";
import { parseHost, type Listener } from "../api/server.ts";
import { invalidParameter } from "../errors.ts";

export interface DaemonConfig {
  listeners: Listener[];
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  debug: boolean;
  logLevel: string;
  storageDriver?: string;
  bridge?: string;
  bip?: string;
  ipv6?: boolean;
  fixedCidrV6?: string;
  cgroupParent?: string;
}

export const defaultHost = "unix:///var/run/wharf.sock";

export function parseDaemonArgs(argv: string[], env: Record<string, string | undefined> = process.env): DaemonConfig | "version" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        daemon: { type: "boolean", short: "d" },
        host: { type: "string", short: "H", multiple: true },
        "data-root": { type: "string" },
        "exec-root": { type: "string" },
        pidfile: { type: "string", short: "p" },
        debug: { type: "boolean", short: "D" },
        "log-level": { type: "string", short: "l" },
        version: { type: "boolean", short: "v" },
        "storage-driver": { type: "string", short: "s" },
        bridge: { type: "string", short: "b" },
        bip: { type: "string" },
        ipv6: { type: "boolean" },
        "fixed-cidr-v6": { type: "string" },
        "cgroup-parent": { type: "string" },
      },
    });
  } catch (err) {
    throw invalidParameter((err as Error).message);
  }
  const v = parsed.values;
  if (v.version) return "version";
  const hosts = v.host?.length ? v.host : env.DOCKER_HOST ? [env.DOCKER_HOST] : [defaultHost];
  const execRoot = v["exec-root"] ?? "/var/run/wharf";
  const logLevel = v.debug ? "debug" : (v["log-level"] ?? "info");
  if (!["debug", "info", "warn", "error", "fatal"].includes(logLevel)) {
    throw invalidParameter(`invalid log level: ${logLevel}`);
  }
  return {
    hosts,
    listeners: hosts.map(parseHost),
    dataRoot: v["data-root"] ?? "/var/lib/wharf",
    execRoot,
    pidfile: v.pidfile ?? join(execRoot, "wharf.pid"),
    debug: !!v.debug,
    logLevel,
    storageDriver: v["storage-driver"],
    bridge: v.bridge,
    bip: v.bip,
    ipv6: !!v.ipv6,
    fixedCidrV6: v["fixed-cidr-v6"],
    cgroupParent: v["cgroup-parent"],
  };
}

const valueFlags = new Set([
  "-H", "--host", "-l", "--log-level", "--data-root", "--exec-root", "-p", "--pidfile",
  "-s", "--storage-driver", "-b", "--bridge", "--bip", "--fixed-cidr-v6", "--cgroup-parent",
]);

/**
 * The daemon's arguments when this invocation is `wharf daemon …` or has `-d`/`--daemon`
 * among its leading flags (`wharf -H x -d`); undefined for a client command, whose own
 * `-d` (as in `run -d`) comes after the command name.
 */
export function daemonArgs(args: string[]): string[] | undefined {
  if (args[0] === "daemon") return args.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-d" || a === "--daemon") return [...args.slice(0, i), ...args.slice(i + 1)];
    if (!a.startsWith("-")) return undefined;
    if (valueFlags.has(a)) i++;
  }
  return undefined;
}
