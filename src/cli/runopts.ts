// The flags of `run` and `create`, turned into the create request Docker's CLI sends.
import type { ContainerConfig, ContainerCreateBody, HostConfig } from "../api/types/index.ts";
import { readFileSync } from "node:fs";
import { bool, compileFlags, FlagError, list, parseFlags, str, type FlagSpec, type Parsed } from "./flags.ts";
import { runFlags } from "./tree/flag-lists.ts";
import { nanoCpus, ramInBytes } from "./units.ts";
import { absoluteBinds, parseMountFlag } from "./mountopt.ts";
import { parsePortSpecs } from "./portspec.ts";
import { keyValues } from "./common.ts";
import { parseGoDuration } from "../time.ts";

/** run's flags, from the command tree (create's are the same less the attach ones). */
export const runFlagSpecs: FlagSpec[] = compileFlags(runFlags);

export interface CreateRequest {
  name?: string;
  platform?: string;
  /** The create body; the CLI always sends a HostConfig. */
  body: ContainerCreateBody & { HostConfig: HostConfig };
  parsed: Parsed;
}

function parseEnvFile(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => (l.includes("=") ? l : `${l}=${process.env[l] ?? ""}`));
}

function parseRestart(s: string): { Name: string; MaximumRetryCount: number } {
  const [name, count] = s.split(":");
  if (count !== undefined && !/^\d+$/.test(count)) throw new FlagError(`invalid restart policy format: maximum retry count must be an integer`);
  return { Name: name!, MaximumRetryCount: count ? Number(count) : 0 };
}

function parseUlimit(s: string): { Name: string; Soft: number; Hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s);
  if (!m) throw new FlagError(`invalid ulimit argument: ${s}`);
  return { Name: m[1]!, Soft: Number(m[2]), Hard: Number(m[3] ?? m[2]) };
}

/** The Healthcheck the docker CLI sends for the --health-* flags, or undefined for none. */
function healthcheck(p: Parsed): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const cmd = str(p, "health-cmd");
  if (cmd) out.Test = ["CMD-SHELL", cmd];
  for (const [flag, field] of [["interval", "Interval"], ["timeout", "Timeout"], ["start-period", "StartPeriod"], ["start-interval", "StartInterval"]] as const) {
    const v = str(p, `health-${flag}`);
    if (v === undefined) continue;
    const ns = v.startsWith("-") ? -(parseGoDuration(v.slice(1)) ?? NaN) : parseGoDuration(v);
    if (ns === undefined || Number.isNaN(ns)) throw new FlagError(`invalid argument "${v}" for "--health-${flag}" flag: time: invalid duration "${v}"`);
    if (ns < 0) throw new FlagError(`--health-${flag} cannot be negative`);
    if (ns) out[field] = ns;
  }
  const retries = str(p, "health-retries");
  if (retries !== undefined) {
    if (!/^-?\d+$/.test(retries)) throw new FlagError(`invalid argument "${retries}" for "--health-retries" flag: strconv.ParseInt: parsing "${retries}": invalid syntax`);
    if (Number(retries) < 0) throw new FlagError("--health-retries cannot be negative");
    if (Number(retries)) out.Retries = Number(retries);
  }
  // As the docker CLI: zero values are no settings.
  const any = Object.keys(out).length > 0;
  if (bool(p, "no-healthcheck")) {
    if (any) throw new FlagError("--no-healthcheck conflicts with --health-* options");
    return { Test: ["NONE"] };
  }
  return any ? out : undefined;
}

/** `run`/`create` argv (after the command name) → the create request. */
export function buildCreateRequest(argv: string[] | Parsed): CreateRequest & { image: string; cmd: string[] } {
  const p = Array.isArray(argv) ? parseFlags(argv, runFlagSpecs, { stopAtPositional: true }) : argv;
  const [image, ...cmd] = p.positionals;
  if (!image) throw new FlagError('"run" requires at least 1 argument.\nSee \'wharf run --help\'.');
  const env = [...list(p, "env-file").flatMap(parseEnvFile), ...list(p, "env").map((e) => (e.includes("=") ? e : `${e}=${process.env[e] ?? ""}`))];
  const entrypoint = str(p, "entrypoint");
  const stopTimeout = str(p, "stop-timeout");
  const interactive = bool(p, "interactive");
  const detached = bool(p, "detach");
  const attach = list(p, "attach");
  const config: ContainerConfig = {
    Hostname: str(p, "hostname") ?? "",
    Domainname: str(p, "domainname") ?? "",
    User: str(p, "user") ?? "",
    AttachStdin: !detached && (interactive || attach.includes("stdin")),
    AttachStdout: !detached && (!attach.length || attach.includes("stdout")),
    AttachStderr: !detached && (!attach.length || attach.includes("stderr")),
    Tty: bool(p, "tty"),
    OpenStdin: interactive,
    StdinOnce: interactive && !detached,
    Env: env,
    Cmd: cmd.length ? cmd : null,
    Image: image,
    WorkingDir: str(p, "workdir") ?? "",
    Entrypoint: entrypoint === undefined ? null : entrypoint === "" ? [""] : [entrypoint],
    Labels: keyValues(list(p, "label")),
    ...(str(p, "stop-signal") ? { StopSignal: str(p, "stop-signal") } : {}),
    ...(stopTimeout !== undefined ? { StopTimeout: Number(stopTimeout) } : {}),
    ...(list(p, "expose").length ? { ExposedPorts: Object.fromEntries(list(p, "expose").map((e) => [e.includes("/") ? e : `${e}/tcp`, {}])) } : {}),
    ...(str(p, "mac-address") ? { MacAddress: str(p, "mac-address") } : {}),
  };
  const health = healthcheck(p);
  if (health) config.Healthcheck = health;
  const mem = str(p, "memory");
  const swap = str(p, "memory-swap");
  const pids = str(p, "pids-limit");
  const securityOpt = list(p, "security-opt");
  const hostConfig: HostConfig = {
    Binds: list(p, "volume").length ? absoluteBinds(list(p, "volume")) : null,
    LogConfig: { Type: str(p, "log-driver") ?? "", Config: keyValues(list(p, "log-opt"), "log-opt") },
    NetworkMode: str(p, "network") ?? "default",
    RestartPolicy: parseRestart(str(p, "restart") ?? "no"),
    AutoRemove: bool(p, "rm"),
    CapAdd: list(p, "cap-add").length ? list(p, "cap-add") : null,
    CapDrop: list(p, "cap-drop").length ? list(p, "cap-drop") : null,
    Privileged: bool(p, "privileged"),
    ReadonlyRootfs: bool(p, "read-only"),
    PublishAllPorts: bool(p, "publish-all"),
    SecurityOpt: securityOpt.length ? securityOpt : null,
    GroupAdd: list(p, "group-add").length ? list(p, "group-add") : null,
    Memory: mem ? ramInBytes(mem) : 0,
    MemorySwap: swap ? (swap === "-1" ? -1 : ramInBytes(swap)) : 0,
    MemoryReservation: str(p, "memory-reservation") ? ramInBytes(str(p, "memory-reservation")!) : 0,
    NanoCpus: str(p, "cpus") ? nanoCpus(str(p, "cpus")!) : 0,
    CpuShares: str(p, "cpu-shares") ? Number(str(p, "cpu-shares")) : 0,
    CpusetCpus: str(p, "cpuset-cpus") ?? "",
    PidsLimit: pids ? Number(pids) : null,
    Ulimits: list(p, "ulimit").map(parseUlimit),
    ...(list(p, "sysctl").length ? { Sysctls: keyValues(list(p, "sysctl"), "sysctl") } : {}),
    ...(str(p, "shm-size") ? { ShmSize: ramInBytes(str(p, "shm-size")!) } : {}),
    ...(bool(p, "init") ? { Init: true } : {}),
    ...(list(p, "tmpfs").length ? { Tmpfs: Object.fromEntries(list(p, "tmpfs").map((t) => { const i = t.indexOf(":"); return i < 0 ? [t, ""] : [t.slice(0, i), t.slice(i + 1)]; })) } : {}),
    ...(list(p, "volumes-from").length ? { VolumesFrom: list(p, "volumes-from") } : {}),
    ...(list(p, "mount").length ? { Mounts: list(p, "mount").map(parseMountFlag) } : {}),
    ...(list(p, "link").length ? { Links: list(p, "link") } : {}),
    ...(list(p, "dns").length ? { Dns: list(p, "dns") } : {}),
    ...(list(p, "dns-search").length ? { DnsSearch: list(p, "dns-search") } : {}),
    ...(list(p, "dns-option").length ? { DnsOptions: list(p, "dns-option") } : {}),
    ...(list(p, "add-host").length ? { ExtraHosts: list(p, "add-host") } : {}),
  };
  // -p adds to ExposedPorts and PortBindings; --network-alias, --ip, --mac-address go to the endpoint.
  const ports = parsePortSpecs(list(p, "publish"));
  if (Object.keys(ports.ExposedPorts).length) config.ExposedPorts = { ...(config.ExposedPorts ?? {}), ...ports.ExposedPorts };
  hostConfig.PortBindings = ports.PortBindings;
  const endpoint = {
    ...(list(p, "network-alias").length ? { Aliases: list(p, "network-alias") } : {}),
    ...(str(p, "ip") ? { IPAMConfig: { IPv4Address: str(p, "ip") } } : {}),
    ...(str(p, "mac-address") ? { MacAddress: str(p, "mac-address") } : {}),
  };
  const networking = Object.keys(endpoint).length ? { NetworkingConfig: { EndpointsConfig: { [hostConfig.NetworkMode as string]: endpoint } } } : {};
  return { name: str(p, "name"), platform: str(p, "platform"), body: { ...config, HostConfig: hostConfig, ...networking }, parsed: p, image, cmd };
}
