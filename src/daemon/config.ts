// The daemon's configuration: flags merged with the daemon.json file the way dockerd
// merges them (a key in both is refused, an unknown key is refused, defaults fill the rest).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseHost, type Listener } from "../api/server.ts";
import { invalidParameter } from "../errors.ts";
import { daemonOptions, parseFlags, type DaemonOption, type ParsedFlags } from "./flags.ts";
import { checkFileValue, fileConflicts, goFormat, type FileValue } from "./configfile.ts";
import { checkInsecureEntry, type RegistryOptions } from "../distribution/endpoint.ts";

export { daemonArgs } from "./flags.ts";

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface AddressPool {
  base: string;
  size: number;
}

/** The keys SIGHUP reloads (dockerd's reloadable set that applies to wharf). */
export interface ReloadableConfig {
  debug: boolean;
  logLevel: string;
  labels: string[];
  insecureRegistries: string[];
  registryMirrors: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  liveRestore: boolean;
  shutdownTimeout: number;
  defaultUlimits: Record<string, Ulimit>;
}

export interface DaemonConfig extends ReloadableConfig {
  configFile: string;
  /** What pulls and pushes use; one object, updated in place by a reload. */
  registry: RegistryOptions;
  listeners: Listener[];
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  storageDriver?: string;
  bridge?: string;
  bip?: string;
  ipv6?: boolean;
  fixedCidrV6?: string;
  cgroupParent?: string;
  defaultAddressPools: AddressPool[];
  dns: string[];
  dnsSearch: string[];
  dnsOpts: string[];
  logDriver: string;
  logOpts: Record<string, string>;
  iptables: boolean;
  ipForward: boolean;
  /** --tls / --tlsverify: undefined when neither was given (a TCP listener then refuses to start). */
  tls?: boolean;
  tlsVerify?: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Unix sockets' group (--group); "" means leave the socket root's. */
  group: string;
  groupExplicit?: boolean;
}

export const defaultHost = "unix:///var/run/wharf.sock";
export const defaultConfigFile = "/etc/wharf/daemon.json";
const logLevels = ["debug", "info", "warn", "error", "fatal"];

/** The configuration `wharf -d ARGS` runs with, or "version" for -v (main handles --help and --validate). */
export function parseDaemonArgs(argv: string[], env: Record<string, string | undefined> = process.env): DaemonConfig | "version" {
  const flags = parseFlags(argv);
  if (flags.get("version")) return "version";
  return loadConfig(flags, env);
}

/** Flags plus the file; SIGHUP calls it again with the same flags. */
export function loadConfig(flags: ParsedFlags, env: Record<string, string | undefined> = process.env): DaemonConfig {
  const explicit = flags.get("config-file") as string | undefined;
  const configFile = explicit ?? defaultConfigFile;
  const file = readConfigFile(configFile, explicit !== undefined, flags);
  const get = (o: DaemonOption): FlagOrFile | undefined => {
    const f = flags.get(o.flag);
    if (f !== undefined) return { flag: f };
    if (o.key && file[o.key] !== undefined) return { file: file[o.key]! };
    return undefined;
  };
  const value = new Map<string, FlagOrFile>();
  for (const o of daemonOptions) {
    const v = get(o);
    if (v) value.set(o.flag, v);
  }
  const str = (flag: string) => stringOf(value.get(flag));
  const bool = (flag: string, dflt: boolean) => boolOf(value.get(flag)) ?? dflt;
  const int = (flag: string, dflt: number) => intOf(flag, value.get(flag)) ?? dflt;
  const list = (flag: string) => listOf(value.get(flag));

  const hostsGiven = list("host");
  const hosts = hostsGiven.length ? hostsGiven : env.DOCKER_HOST ? [env.DOCKER_HOST] : [defaultHost];
  const execRoot = str("exec-root") ?? "/var/run/wharf";
  const debug = bool("debug", false);
  const logLevel = debug ? "debug" : (str("log-level") ?? "info");
  if (!logLevels.includes(logLevel)) throw invalidParameter(`invalid log level: ${logLevel}`);
  // As dockerd: DOCKER_TLS_VERIFY turns verification on, DOCKER_CERT_PATH moves the defaults.
  const tlsVerify = boolOf(value.get("tlsverify")) ?? (env.DOCKER_TLS_VERIFY ? true : undefined);
  const tls = tlsVerify ? true : boolOf(value.get("tls"));
  const certDir = env.DOCKER_CERT_PATH || join(env.HOME || "/root", ".docker");
  const files = {
    ca: str("tlscacert") ?? join(certDir, "ca.pem"),
    cert: str("tlscert") ?? join(certDir, "cert.pem"),
    key: str("tlskey") ?? join(certDir, "key.pem"),
  };
  const listeners = hosts.map(parseHost).map((l) =>
    l.proto === "tcp" && tls ? { ...l, tls: { cert: files.cert, key: files.key, ...(tlsVerify ? { ca: files.ca } : {}) } } : l,
  );
  const group = str("group");
  const base: Omit<DaemonConfig, "registry"> = {
    configFile,
    hosts,
    listeners,
    dataRoot: str("data-root") ?? "/var/lib/wharf",
    execRoot,
    pidfile: str("pidfile") ?? join(execRoot, "wharf.pid"),
    debug,
    logLevel,
    storageDriver: str("storage-driver"),
    bridge: str("bridge"),
    bip: str("bip"),
    ipv6: bool("ipv6", false),
    fixedCidrV6: str("fixed-cidr-v6"),
    cgroupParent: str("cgroup-parent"),
    defaultAddressPools: poolsOf(value.get("default-address-pool")),
    dns: list("dns"),
    dnsSearch: list("dns-search"),
    dnsOpts: list("dns-opt"),
    insecureRegistries: list("insecure-registry"),
    registryMirrors: list("registry-mirror"),
    maxConcurrentDownloads: int("max-concurrent-downloads", 3),
    maxConcurrentUploads: int("max-concurrent-uploads", 5),
    liveRestore: bool("live-restore", true),
    logDriver: str("log-driver") ?? "json-file",
    logOpts: mapOf(value.get("log-opt")),
    labels: list("label"),
    defaultUlimits: ulimitsOf(value.get("default-ulimit")),
    shutdownTimeout: int("shutdown-timeout", 15),
    iptables: bool("iptables", true),
    ipForward: bool("ip-forward", true),
    tls,
    tlsVerify,
    tlsCaCert: files.ca,
    tlsCert: files.cert,
    tlsKey: files.key,
    group: group ?? "docker",
    groupExplicit: group !== undefined,
  };
  const config: DaemonConfig = { ...base, registry: registryOptionsOf(base, env) };
  validate(config);
  return config;
}

/** The registry settings of a configuration (the same keys SIGHUP reloads). */
function registryOptionsOf(c: ReloadableConfig, env: Record<string, string | undefined>): RegistryOptions {
  return {
    // A test hook: Docker Hub's origin on loopback, so mirror fallback can be tried offline.
    hub: env.WHARF_TEST_HUB_REGISTRY || undefined,
    insecure: c.insecureRegistries.map(checkInsecureEntry),
    mirrors: c.registryMirrors,
    maxConcurrentDownloads: c.maxConcurrentDownloads,
    maxConcurrentUploads: c.maxConcurrentUploads,
  };
}

type FlagOrFile = { flag: string | boolean | string[] } | { file: FileValue };

/** The file's keys, checked: none unknown, none also given as a flag, each of its kind. */
function readConfigFile(path: string, explicit: boolean, flags: ParsedFlags): Record<string, FileValue> {
  if (!explicit && !existsSync(path)) return {};
  const fail = (msg: string) => invalidParameter(`unable to configure the wharf daemon with file ${path}: ${msg}`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw fail(`open ${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = text.trim() ? JSON.parse(text) : {};
  } catch (err) {
    throw fail(`invalid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw fail("the file must hold one JSON object");
  const file = parsed as Record<string, FileValue>;
  const known = new Map(daemonOptions.filter((o) => o.key).map((o) => [o.key!, o]));
  const unknown = Object.keys(file).filter((k) => !known.has(k));
  if (unknown.length) throw fail(`the following directives don't match any configuration option: ${unknown.join(", ")}`);
  const conflicts = fileConflicts(flags, file);
  if (conflicts) throw fail(`the following directives are specified both as a flag and in the configuration file: ${conflicts}`);
  for (const [k, v] of Object.entries(file)) {
    const problem = checkFileValue(known.get(k)!, v);
    if (problem) throw fail(problem);
  }
  return file;
}

const stringOf = (v: FlagOrFile | undefined): string | undefined =>
  v === undefined ? undefined : "flag" in v ? String(v.flag) : String(v.file);
const boolOf = (v: FlagOrFile | undefined): boolean | undefined =>
  v === undefined ? undefined : "flag" in v ? v.flag === true : v.file === true;
const listOf = (v: FlagOrFile | undefined): string[] =>
  v === undefined ? [] : "flag" in v ? (v.flag as string[]) : (v.file as string[]);

function intOf(name: string, v: FlagOrFile | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = "flag" in v ? Number(v.flag) : (v.file as number);
  if (!Number.isInteger(n)) throw invalidParameter(`invalid argument "${goFormat("flag" in v ? v.flag : v.file)}" for "--${name}" flag: strconv.ParseInt: parsing "${"flag" in v ? v.flag : v.file}": invalid syntax`);
  return n;
}

function mapOf(v: FlagOrFile | undefined): Record<string, string> {
  if (v === undefined) return {};
  if ("file" in v) return v.file as Record<string, string>;
  const out: Record<string, string> = {};
  for (const kv of v.flag as string[]) {
    const i = kv.indexOf("=");
    if (i <= 0) throw invalidParameter(`invalid key value pair format in log-opt ${kv}`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function ulimitsOf(v: FlagOrFile | undefined): Record<string, Ulimit> {
  if (v === undefined) return {};
  if ("file" in v) return v.file as unknown as Record<string, Ulimit>;
  const out: Record<string, Ulimit> = {};
  for (const s of v.flag as string[]) {
    const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s);
    if (!m) throw invalidParameter(`invalid ulimit argument: ${s}`);
    out[m[1]!] = { Name: m[1]!, Soft: Number(m[2]), Hard: Number(m[3] ?? m[2]) };
  }
  return out;
}

function poolsOf(v: FlagOrFile | undefined): AddressPool[] {
  if (v === undefined) return [];
  if ("file" in v) return v.file as unknown as AddressPool[];
  return (v.flag as string[]).map((s) => {
    const fields = Object.fromEntries(s.split(",").map((kv) => kv.split("=") as [string, string]));
    if (!fields.base || !fields.size) throw invalidParameter(`invalid default address pool ${s}: want base=CIDR,size=N`);
    return { base: fields.base, size: Number(fields.size) };
  });
}

const ulimitNames = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];

function validate(c: DaemonConfig): void {
  if (!["json-file", "none"].includes(c.logDriver)) throw invalidParameter(`failed to set log driver: logger: no log driver named '${c.logDriver}' is registered`);
  for (const [k, u] of Object.entries(c.defaultUlimits)) {
    if (!ulimitNames.includes(u.Name ?? k)) throw invalidParameter(`invalid ulimit type: ${u.Name ?? k}`);
    if (u.Soft > u.Hard) throw invalidParameter(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
  }
  for (const p of c.defaultAddressPools) {
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(p.base) || !(p.size >= Number(p.base.split("/")[1]) && p.size <= 30)) {
      throw invalidParameter(`invalid default address pool {base: ${p.base}, size: ${p.size}}: want an IPv4 CIDR base and a size from its prefix to 30`);
    }
  }
  for (const l of c.labels) if (!/^[^=]+=/.test(l)) throw invalidParameter(`bad attribute format: ${l}`);
  if (c.maxConcurrentDownloads < 0) throw invalidParameter(`invalid max concurrent downloads: ${c.maxConcurrentDownloads}`);
  if (c.maxConcurrentUploads < 0) throw invalidParameter(`invalid max concurrent uploads: ${c.maxConcurrentUploads}`);
  if (c.shutdownTimeout < -1) throw invalidParameter(`invalid shutdown timeout: ${c.shutdownTimeout}`);
}
