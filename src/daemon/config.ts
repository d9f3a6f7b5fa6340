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
  cgroupParent?: string;
  /** --tls / --tlsverify: undefined when neither was given (a TCP listener then refuses to start). */
  tls?: boolean;
  tlsVerify?: boolean;
  /** Unix sockets' group (--group); "" means leave the socket root's. */
  group: string;
  groupExplicit?: boolean;
}

export const defaultHost = "unix:///var/run/wharf.sock";

export function parseDaemonArgs(argv: string[], env: Record<string, string | undefined> = process.env): DaemonConfig | "version" {
  // dockerd's boolean flags take =true / =false; node's parseArgs takes neither.
  const bools: Record<string, boolean> = {};
  argv = argv.filter((a) => {
    const m = /^--(tls|tlsverify)(?:=(.*))?$/.exec(a);
    if (!m) return true;
    const v = m[2] ?? "true";
    if (!["true", "false", "1", "0"].includes(v)) throw invalidParameter(`invalid boolean value "${v}" for --${m[1]}`);
    bools[m[1]!] = v === "true" || v === "1";
    return false;
  });
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
        tlscacert: { type: "string" },
        tlscert: { type: "string" },
        tlskey: { type: "string" },
        group: { type: "string", short: "G" },
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
  // As dockerd: DOCKER_TLS_VERIFY turns verification on, DOCKER_CERT_PATH moves the defaults.
  const certDir = env.DOCKER_CERT_PATH || join(env.HOME || "/root", ".docker");
  const tlsVerify = bools.tlsverify ?? (env.DOCKER_TLS_VERIFY ? true : undefined);
  const tls = tlsVerify ? true : bools.tls;
  const files = {
    ca: v.tlscacert ?? join(certDir, "ca.pem"),
    cert: v.tlscert ?? join(certDir, "cert.pem"),
    key: v.tlskey ?? join(certDir, "key.pem"),
  };
  const listeners = hosts.map(parseHost).map((l) =>
    l.proto === "tcp" && tls ? { ...l, tls: { cert: files.cert, key: files.key, ...(tlsVerify ? { ca: files.ca } : {}) } } : l,
  );
  return {
    hosts,
    listeners,
    tls,
    tlsVerify,
    group: v.group ?? "docker",
    groupExplicit: v.group !== undefined,
    dataRoot: v["data-root"] ?? "/var/lib/wharf",
    execRoot,
    pidfile: v.pidfile ?? join(execRoot, "wharf.pid"),
    debug: !!v.debug,
    logLevel,
    storageDriver: v["storage-driver"],
    bridge: v.bridge,
    bip: v.bip,
    cgroupParent: v["cgroup-parent"],
  };
}

const valueFlags = new Set([
  "-H", "--host", "-l", "--log-level", "--data-root", "--exec-root", "-p", "--pidfile",
  "-s", "--storage-driver", "-b", "--bridge", "--bip", "--cgroup-parent",
  "--tlscacert", "--tlscert", "--tlskey", "-G", "--group",
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
