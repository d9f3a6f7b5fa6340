// The daemon's flags as dockerd spells them: one table gives the flag, its short form,
// its daemon.json key (dockerd's "named options" take a plural there), its kind, whether
// SIGHUP reloads it, and its help line; the parser and `wharf -d --help` read it.
import { invalidParameter } from "../errors.ts";

export type OptionKind = "string" | "bool" | "int" | "list" | "map" | "ulimits" | "pools";

export interface DaemonOption {
  flag: string;
  short?: string;
  /** Its daemon.json key; none for flags that only make sense on the command line. */
  key?: string;
  kind: OptionKind;
  /** Reloaded on SIGHUP, as dockerd reloads it. */
  reload?: boolean;
  help: string;
  /** The value's name in --help, dockerd's style. */
  meta?: string;
}

export const daemonOptions: DaemonOption[] = [
  { flag: "bip", key: "bip", kind: "string", help: "Specify default-bridge IPv4 network", meta: "string" },
  { flag: "bridge", short: "b", key: "bridge", kind: "string", help: 'Attach containers to a network bridge (default "wharf0")', meta: "string" },
  { flag: "cgroup-parent", key: "cgroup-parent", kind: "string", help: "Set parent cgroup for all containers", meta: "string" },
  { flag: "config-file", kind: "string", help: 'Daemon configuration file (default "/etc/wharf/daemon.json")', meta: "string" },
  { flag: "daemon", short: "d", kind: "bool", help: "Run as the daemon (wharf -d)" },
  { flag: "data-root", key: "data-root", kind: "string", help: 'Root directory of persistent wharf state (default "/var/lib/wharf")', meta: "string" },
  { flag: "debug", short: "D", key: "debug", kind: "bool", reload: true, help: "Enable debug mode" },
  { flag: "default-address-pool", key: "default-address-pools", kind: "pools", help: "Default address pools for node specific local networks", meta: "pool-options" },
  { flag: "default-ulimit", key: "default-ulimits", kind: "ulimits", reload: true, help: "Default ulimits for containers (default [])", meta: "ulimit" },
  { flag: "dns", key: "dns", kind: "list", help: "DNS server to use", meta: "list" },
  { flag: "dns-opt", key: "dns-opts", kind: "list", help: "DNS options to use", meta: "list" },
  { flag: "dns-search", key: "dns-search", kind: "list", help: "DNS search domains to use", meta: "list" },
  { flag: "exec-root", key: "exec-root", kind: "string", help: 'Root directory for execution state files (default "/var/run/wharf")', meta: "string" },
  { flag: "group", short: "G", key: "group", kind: "string", help: 'Group for the unix socket (default "docker", else "wharf" when it exists)', meta: "string" },
  { flag: "help", short: "h", kind: "bool", help: "Print usage" },
  { flag: "host", short: "H", key: "hosts", kind: "list", help: "Daemon socket(s) to connect to", meta: "list" },
  { flag: "insecure-registry", key: "insecure-registries", kind: "list", reload: true, help: "Enable insecure registry communication", meta: "list" },
  { flag: "fixed-cidr-v6", key: "fixed-cidr-v6", kind: "string", help: "IPv6 subnet for the default bridge", meta: "string" },
  { flag: "ipv6", key: "ipv6", kind: "bool", help: "Enable IPv6 networking on the default bridge" },
  { flag: "ip-forward", key: "ip-forward", kind: "bool", help: "Enable net.ipv4.ip_forward (default true)" },
  { flag: "iptables", key: "iptables", kind: "bool", help: "Enable addition of iptables rules (default true)" },
  { flag: "label", key: "labels", kind: "list", reload: true, help: "Set key=value labels to the daemon", meta: "list" },
  { flag: "live-restore", key: "live-restore", kind: "bool", reload: true, help: "Keep containers running while the daemon is down (default true)" },
  { flag: "log-driver", key: "log-driver", kind: "string", help: 'Default driver for container logs (default "json-file")', meta: "string" },
  { flag: "log-level", short: "l", key: "log-level", kind: "string", reload: true, help: 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")', meta: "string" },
  { flag: "log-opt", key: "log-opts", kind: "map", help: "Default log driver options for containers (default map[])", meta: "map" },
  { flag: "max-concurrent-downloads", key: "max-concurrent-downloads", kind: "int", reload: true, help: "Set the max concurrent downloads (default 3)", meta: "int" },
  { flag: "max-concurrent-uploads", key: "max-concurrent-uploads", kind: "int", reload: true, help: "Set the max concurrent uploads (default 5)", meta: "int" },
  { flag: "pidfile", short: "p", key: "pidfile", kind: "string", help: 'Path to use for daemon PID file (default "<exec-root>/wharf.pid")', meta: "string" },
  { flag: "registry-mirror", key: "registry-mirrors", kind: "list", reload: true, help: "Preferred registry mirror", meta: "list" },
  { flag: "shutdown-timeout", key: "shutdown-timeout", kind: "int", reload: true, help: "Set the default shutdown timeout (default 15)", meta: "int" },
  { flag: "storage-driver", short: "s", key: "storage-driver", kind: "string", help: "Storage driver to use (overlay2, vfs)", meta: "string" },
  { flag: "tls", key: "tls", kind: "bool", help: "Use TLS; implied by --tlsverify" },
  { flag: "tlscacert", key: "tlscacert", kind: "string", help: "Trust certs signed only by this CA", meta: "string" },
  { flag: "tlscert", key: "tlscert", kind: "string", help: "Path to TLS certificate file", meta: "string" },
  { flag: "tlskey", key: "tlskey", kind: "string", help: "Path to TLS key file", meta: "string" },
  { flag: "tlsverify", key: "tlsverify", kind: "bool", help: "Use TLS and verify the remote" },
  { flag: "validate", kind: "bool", help: "Validate daemon configuration and exit" },
  { flag: "version", short: "v", kind: "bool", help: "Print version information and quit" },
];

export type FlagValue = string | boolean | string[];

/** Flags as given: the value of each (lists gathered), by flag name. */
export type ParsedFlags = Map<string, FlagValue>;

const byFlag = new Map(daemonOptions.map((o) => [o.flag, o]));
const byShort = new Map(daemonOptions.filter((o) => o.short).map((o) => [o.short!, o]));
const multi = (o: DaemonOption) => o.kind === "list" || o.kind === "map" || o.kind === "ulimits" || o.kind === "pools";

/** pflag's rules: `--flag value`, `--flag=value`, `-f value`, `-fvalue`, `--bool[=true|false]`, `-Dd`. */
export function parseFlags(argv: string[]): ParsedFlags {
  const out: ParsedFlags = new Map();
  const set = (o: DaemonOption, v: string | boolean) => {
    if (multi(o)) out.set(o.flag, [...((out.get(o.flag) as string[] | undefined) ?? []), String(v)]);
    else out.set(o.flag, v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (name: string) => {
      if (i + 1 >= argv.length) throw invalidParameter(`flag needs an argument: ${name}`);
      return argv[++i]!;
    };
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const o = byFlag.get(name);
      if (!o) throw invalidParameter(`unknown flag: --${name}`);
      if (o.kind === "bool") set(o, eq < 0 ? true : parseBool(a.slice(eq + 1), `--${name}`));
      else set(o, eq < 0 ? next(`--${name}`) : a.slice(eq + 1));
    } else if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const o = byShort.get(a[j]!);
        if (!o) throw invalidParameter(`unknown shorthand flag: '${a[j]}' in ${a}`);
        if (o.kind === "bool") {
          set(o, true);
          continue;
        }
        const rest = a.slice(j + 1).replace(/^=/, "");
        set(o, rest || next(`'${a[j]}' in -${a[j]}`));
        break;
      }
    } else {
      throw invalidParameter(`wharf -d takes no arguments, got "${a}" (see wharf -d --help)`);
    }
  }
  return out;
}

function parseBool(s: string, name: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(s)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(s)) return false;
  throw invalidParameter(`invalid argument "${s}" for "${name}" flag: strconv.ParseBool: parsing "${s}": invalid syntax`);
}

export function daemonUsage(): string {
  const rows = daemonOptions.map((o) => {
    const left = `${o.short ? `-${o.short}, ` : "    "}--${o.flag}${o.meta ? ` ${o.meta}` : ""}`;
    return [left, o.help] as const;
  });
  const w = Math.max(...rows.map(([l]) => l.length)) + 3;
  return [
    "Usage:\twharf -d [OPTIONS]",
    "",
    "A self-sufficient runtime for containers.",
    "",
    "Options:",
    ...rows.map(([l, h]) => `  ${l.padEnd(w)}${h}`),
    "",
    "Keys of the configuration file (JSON) are the long flag names; list and map flags take",
    "dockerd's plural keys: hosts, labels, dns-opts, insecure-registries, registry-mirrors,",
    "log-opts, default-ulimits, default-address-pools. SIGHUP reloads: " +
      daemonOptions.filter((o) => o.reload).map((o) => o.key).join(", ") + ".",
    "",
  ].join("\n");
}

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
    const o = a.startsWith("--") ? byFlag.get(a.slice(2)) : a.length === 2 ? byShort.get(a[1]!) : undefined;
    if (o && o.kind !== "bool") i++;
  }
  return undefined;
}
