// The system jobs every daemon has: ping, version, info, commands, events.
import { readdirSync } from "node:fs";
import type { Engine } from "../engine/engine.ts";
import { apiVersion, buildTime, engineVersion, gitCommit, minApiVersion, wharfVersion } from "../version.ts";
import { architecture, cgroupVersion, goArch, hostInfo, ipv4Forwarding, osRelease } from "../sys/host.ts";

/** The configuration /info reports (read at each call: SIGHUP may have changed it). */
export interface InfoSettings {
  debug: boolean;
  labels: string[];
  insecureRegistries: string[];
  registryMirrors: string[];
  liveRestore: boolean;
  logDriver: string;
  defaultAddressPools: { base: string; size: number }[];
}

export interface SystemState {
  id: string;
  dataRoot: string;
  settings: InfoSettings;
  storageDriver(): string;
  containerCounts(): { total: number; running: number; paused: number; stopped: number };
  imageCount(): number;
}

export function versionInfo() {
  const details = {
    ApiVersion: apiVersion,
    Arch: goArch(),
    BuildTime: buildTime,
    Experimental: "false",
    GitCommit: gitCommit,
    GoVersion: `bun ${Bun.version}`,
    KernelVersion: hostInfo.kernelVersion(),
    MinAPIVersion: minApiVersion,
    Os: "linux",
  };
  return {
    Platform: { Name: "wharf" },
    Components: [
      { Name: "Engine", Version: engineVersion, Details: details },
      { Name: "wharf", Version: wharfVersion, Details: { GitCommit: gitCommit } },
    ],
    Version: engineVersion,
    ApiVersion: apiVersion,
    MinAPIVersion: minApiVersion,
    GitCommit: gitCommit,
    GoVersion: details.GoVersion,
    Os: "linux",
    Arch: goArch(),
    KernelVersion: details.KernelVersion,
    BuildTime: buildTime,
  };
}

export function systemInfo(s: SystemState, eventListeners: number) {
  const c = s.containerCounts();
  const rel = osRelease();
  return {
    ID: s.id,
    Containers: c.total,
    ContainersRunning: c.running,
    ContainersPaused: c.paused,
    ContainersStopped: c.stopped,
    Images: s.imageCount(),
    Driver: s.storageDriver(),
    DriverStatus: [] as string[][],
    DockerRootDir: s.dataRoot,
    Plugins: {
      Volume: ["local"],
      Network: ["bridge", "host", "null"],
      Authorization: null,
      Log: ["json-file", "none"],
    },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    OomKillDisable: false,
    IPv4Forwarding: ipv4Forwarding(),
    BridgeNfIptables: false,
    BridgeNfIp6tables: false,
    Debug: s.settings.debug,
    NFd: openFds(),
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: s.settings.logDriver,
    CgroupDriver: "cgroupfs",
    CgroupVersion: cgroupVersion(),
    NEventsListener: eventListeners,
    KernelVersion: hostInfo.kernelVersion(),
    OperatingSystem: rel.prettyName,
    OSVersion: rel.versionId,
    OSType: "linux",
    Architecture: architecture(),
    IndexServerAddress: "https://index.docker.io/v1/",
    RegistryConfig: registryConfig(s.settings),
    NCPU: hostInfo.ncpu(),
    MemTotal: hostInfo.memTotal(),
    GenericResources: null,
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? "",
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? "",
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? "",
    Name: hostInfo.hostname(),
    Labels: s.settings.labels,
    ExperimentalBuild: false,
    ServerVersion: engineVersion,
    // Clients (and `--runtime`) know runtimes by dockerd's names; wharf's own init is the
    // runc-compatible one behind both.
    Runtimes: { "io.containerd.runc.v2": { path: "runc" }, runc: { path: "runc" } },
    DefaultRuntime: "runc",
    Swarm: {
      NodeID: "",
      NodeAddr: "",
      LocalNodeState: "inactive",
      ControlAvailable: false,
      Error: "",
      RemoteManagers: null,
    },
    LiveRestoreEnabled: s.settings.liveRestore,
    Isolation: "",
    InitBinary: "dockerinit",
    ContainerdCommit: { ID: "", Expected: "" },
    RuncCommit: { ID: "", Expected: "" },
    InitCommit: { ID: gitCommit, Expected: gitCommit },
    SecurityOptions: ["name=cgroupns"],
    ProductLicense: "",
    DefaultAddressPools: s.settings.defaultAddressPools.map((p) => ({ Base: p.base, Size: p.size })),
    Warnings: null,
    CDISpecDirs: [],
  };
}

/** dockerd's registry section: CIDRs and hostnames of insecure registries, mirrors with a trailing slash. */
function registryConfig(s: InfoSettings) {
  const mirrors = s.registryMirrors.map((m) => (m.endsWith("/") ? m : m + "/"));
  const cidrs = ["127.0.0.0/8", ...s.insecureRegistries.filter((r) => /^[\d.]+\/\d+$/.test(r))];
  const indexConfigs: Record<string, { Name: string; Mirrors: string[]; Secure: boolean; Official: boolean }> = {};
  for (const r of s.insecureRegistries.filter((r) => !/^[\d.]+\/\d+$/.test(r))) {
    indexConfigs[r] = { Name: r, Mirrors: [], Secure: false, Official: false };
  }
  indexConfigs["docker.io"] = { Name: "docker.io", Mirrors: mirrors, Secure: true, Official: true };
  return {
    AllowNondistributableArtifactsCIDRs: [] as string[],
    AllowNondistributableArtifactsHostnames: [] as string[],
    InsecureRegistryCIDRs: cidrs,
    IndexConfigs: indexConfigs,
    Mirrors: mirrors,
  };
}

function openFds(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}

/** The builtin jobs' part of the job map. */
export interface SystemJobs {
  ping: { in: undefined; out: string };
  version: { in: undefined; out: ReturnType<typeof versionInfo> };
  info: { in: undefined; out: ReturnType<typeof systemInfo> };
  commands: { in: undefined; out: string[] };
  events: { in: undefined; out: Engine["events"] };
}

declare module "../engine/engine.ts" {
  interface KnownJobs extends SystemJobs {}
}

/** Builtins register before the daemon's own jobs, as in the classic engine. */
export function registerSystemJobs(engine: Engine, state: () => SystemState): void {
  engine.register("ping", () => "OK");
  engine.register("version", () => versionInfo());
  engine.register("info", () => systemInfo(state(), engine.events.listenerCount));
  engine.register("commands", () => engine.commands());
  engine.register("events", () => engine.events);
}
