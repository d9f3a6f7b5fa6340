// Daemon flags, as dockerd spells them.
import { parseArgs } from "node:util";
import { join } from "node:path";
import { parseHost, type Listener } from "../api/server.ts";
import { invalidParameter } from "../errors.ts";
import { checkInsecureEntry, defaultRegistryOptions, type RegistryOptions } from "../distribution/endpoint.ts";

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
  cgroupParent?: string;
  registry: RegistryOptions;
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
        "cgroup-parent": { type: "string" },
        "insecure-registry": { type: "string", multiple: true },
        "registry-mirror": { type: "string", multiple: true },
        "max-concurrent-downloads": { type: "string" },
        "max-concurrent-uploads": { type: "string" },
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
    cgroupParent: v["cgroup-parent"],
    registry: {
      insecure: (v["insecure-registry"] ?? []).map(checkInsecureEntry),
      mirrors: v["registry-mirror"] ?? [],
      maxConcurrentDownloads: positive(v["max-concurrent-downloads"], "max-concurrent-downloads", defaultRegistryOptions.maxConcurrentDownloads),
      maxConcurrentUploads: positive(v["max-concurrent-uploads"], "max-concurrent-uploads", defaultRegistryOptions.maxConcurrentUploads),
    },
  };
}

function positive(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw invalidParameter(`invalid --${flag}: ${v} (want a positive integer)`);
  return n;
}

const valueFlags = new Set([
  "-H", "--host", "-l", "--log-level", "--data-root", "--exec-root", "-p", "--pidfile",
  "-s", "--storage-driver", "-b", "--bridge", "--bip", "--cgroup-parent",
  "--insecure-registry", "--registry-mirror", "--max-concurrent-downloads", "--max-concurrent-uploads",
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
