// A container's record (what is persisted) and its inspect and list shapes.
import type { ContainerConfig, ContainerInspect, EndpointSettings, HostConfig, MountPoint, NetworkingConfig, NetworkSettings, PortMap } from "../api/types/index.ts";
import { ContainerState, type StateJSON } from "./state.ts";
import { pathAndArgs } from "./config.ts";
import { portsList, portsMap as publishedPorts, type Binding } from "./ports.ts";

/** Per running container, kept in its record so a restarted daemon can undo it (set by the network controller). */
export interface NetRuntime {
  sandboxKey: string;
  endpoints: { networkId: string; name: string; hostVeth: string; iface: string; ip: string; bits: number; bridge: string; ip6?: string; bits6?: number }[];
  bindings: Binding[];
  /** The bridge the ports were published on, and the container's address there. */
  portsOn?: { bridge: string; ip: string };
  /** The resolver the container's resolv.conf points to (user networks). */
  dns?: string;
}

export interface ContainerRecord {
  ID: string;
  Created: string;
  Name: string; // without the leading slash
  Image: string; // image id
  Config: ContainerConfig;
  HostConfig: HostConfig;
  NetworkingConfig: NetworkingConfig | null;
  State: StateJSON;
  RestartCount: number;
  Driver: string;
  /** True after `stop`/`kill` by a user, so restart policies leave it alone. */
  ManuallyStopped: boolean;
  HasBeenStarted: boolean;
  ExecIDs: string[];
  /** Docker's NetworkSettings as the network controller last set them (absent before the first start). */
  NetworkSettings?: NetworkSettings;
  /** What the network controller set up for the running process (sandbox, veths, ports), to undo it. */
  NetRuntime?: NetRuntime;
}

export interface ContainerPaths {
  root: string; // <data-root>/containers/<id>
  logPath: string;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
}

export class Container {
  readonly state: ContainerState;
  /** Link variables computed at each start (not persisted); the container's own Env wins. */
  linkEnv: string[] = [];

  constructor(
    public rec: ContainerRecord,
    readonly paths: ContainerPaths,
  ) {
    this.state = ContainerState.from(rec.State);
  }

  get id(): string {
    return this.rec.ID;
  }

  get name(): string {
    return this.rec.Name;
  }

  /** The record with the live state, ready to persist. */
  toRecord(): ContainerRecord {
    this.rec.State = { ...this.state.s };
    return this.rec;
  }

  networkMode(): string {
    const m = this.rec.HostConfig.NetworkMode || "default";
    return m === "default" ? "bridge" : m;
  }

  inspect(extra: { graphDriverData?: Record<string, string>; mounts?: MountPoint[]; sizeRw?: number; sizeRootFs?: number } = {}): ContainerInspect {
    const r = this.rec;
    const { Path, Args } = pathAndArgs(r.Config);
    const mode = this.networkMode();
    return {
      Id: r.ID,
      Created: r.Created,
      Path,
      Args,
      State: { ...this.state.s },
      Image: r.Image,
      ResolvConfPath: this.paths.resolvConfPath,
      HostnamePath: this.paths.hostnamePath,
      HostsPath: this.paths.hostsPath,
      LogPath: r.HostConfig.LogConfig?.Type === "none" ? "" : this.paths.logPath,
      Name: `/${r.Name}`,
      RestartCount: r.RestartCount,
      Driver: r.Driver,
      Platform: "linux",
      MountLabel: "",
      ProcessLabel: "",
      AppArmorProfile: "",
      ExecIDs: r.ExecIDs.length ? r.ExecIDs : null,
      HostConfig: r.HostConfig,
      GraphDriver: { Data: extra.graphDriverData ?? null, Name: r.Driver },
      ...(extra.sizeRw !== undefined ? { SizeRw: extra.sizeRw, SizeRootFs: extra.sizeRootFs ?? 0 } : {}),
      Mounts: extra.mounts ?? [],
      Config: r.Config,
      NetworkSettings: r.NetworkSettings ? { ...r.NetworkSettings, Ports: publishedPorts(r.Config, r.NetRuntime?.bindings) } : {
        Bridge: "",
        SandboxID: "",
        SandboxKey: "",
        Ports: portsMap(r.Config),
        HairpinMode: false,
        LinkLocalIPv6Address: "",
        LinkLocalIPv6PrefixLen: 0,
        SecondaryIPAddresses: null,
        SecondaryIPv6Addresses: null,
        EndpointID: "",
        Gateway: "",
        GlobalIPv6Address: "",
        GlobalIPv6PrefixLen: 0,
        IPAddress: "",
        IPPrefixLen: 0,
        IPv6Gateway: "",
        MacAddress: "",
        Networks: { [mode]: emptyEndpoint() },
      },
    };
  }

}

/** The endpoint shape of an unconnected network, as dockerd shows it. */
export function emptyEndpoint(): EndpointSettings {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: "",
    NetworkID: "",
    EndpointID: "",
    Gateway: "",
    IPAddress: "",
    IPPrefixLen: 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    DriverOpts: null,
    DNSNames: null,
  };
}

/** Exposed but unpublished ports show as `"8080/tcp": null` (COMPAT). */
function portsMap(config: ContainerConfig): PortMap {
  const out: PortMap = {};
  for (const p of Object.keys(config.ExposedPorts ?? {})) out[p] = null;
  return out;
}

/** The list's Command: dockerd wraps an argument in single quotes when it has a space. */
export function commandText(path: string, args: string[]): string {
  if (!args.length) return path;
  return `${path} ${args.map((a) => (a.includes(" ") ? `'${a}'` : a)).join(" ")}`;
}
