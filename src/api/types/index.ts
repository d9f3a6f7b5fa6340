// The wire types wharf serves, by friendly name. engine.gen.ts is generated from the
// contract (npm run gen:api-types); what the contract leaves out or types too loosely
// for wharf's use is written here, beside it, so there is one place for wire shapes.
// Type-only: this folder holds no runtime code, so every layer may import it.
import type { components, operations } from "./engine.gen.ts";

export type Schemas = components["schemas"];
export type Operations = operations;

type JsonContent<T> = T extends { content: { "application/json": infer B } } ? B : never;
/** The JSON request body of an operation (`JsonBody<"ContainerCreate">`). */
export type JsonBody<Op extends keyof operations> = JsonContent<NonNullable<operations[Op]["requestBody"]>>;
/** The query parameters of an operation. */
export type Query<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;
/** The JSON answer of an operation for a status code (200 unless given). */
export type JsonResponse<Op extends keyof operations, Code extends keyof operations[Op]["responses"] = 200 & keyof operations[Op]["responses"]> = JsonContent<operations[Op]["responses"][Code]>;

/** A JSON value as JSON.parse gives it, for fields the contract leaves open. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What Go's encoding/json sends and accepts: each field may be absent or null (a nil
 * slice, map or pointer). dockerd's shapes have nulls the contract does not mark.
 */
export type Go<T> = { [K in keyof T]?: T[K] | null };

// ---- containers --------------------------------------------------------------------

export type HealthConfig = Go<Schemas["HealthConfig"]>;
export type RestartPolicy = Schemas["RestartPolicy"];
type MountSpec = Schemas["Mount"];
/**
 * HostConfig.Mounts as a client sends it. The volume layer validates each entry with
 * dockerd's messages, so its enums are plain strings here; TmpfsOptions.Options came
 * with API 1.46 but docker 28 sends it.
 */
export type Mount = Go<Omit<MountSpec, "Type" | "BindOptions" | "TmpfsOptions">> & {
  Type?: string | null;
  BindOptions?: Go<Omit<NonNullable<MountSpec["BindOptions"]>, "Propagation">> & { Propagation?: string | null } | null;
  TmpfsOptions?: Go<NonNullable<MountSpec["TmpfsOptions"]>> & { Options?: string[][] | null } | null;
};
export type PortBinding = Schemas["PortBinding"];
export type PortMap = Schemas["PortMap"];
export type Port = Schemas["Port"];
export type EndpointSettings = Go<Schemas["EndpointSettings"]>;
export type NetworkingConfig = { EndpointsConfig?: { [name: string]: EndpointSettings | null } | null };
export type NetworkSettings = Go<Omit<Schemas["NetworkSettings"], "Networks" | "Ports">> & { Networks?: { [name: string]: EndpointSettings } | null; Ports?: PortMap | null };
/** A mount as inspect lists it; Type is any of Docker's mount types as a string. */
export type MountPoint = Omit<Schemas["MountPoint"], "Type"> & { Type?: string };
/** A `GET /containers/json` entry; its networks and mounts as inspect has them. */
export type ContainerSummary = Omit<Schemas["ContainerSummary"], "NetworkSettings" | "Mounts" | "Ports"> & {
  Ports?: (Omit<Port, "Type"> & { Type: string })[];
  NetworkSettings?: { Networks?: { [name: string]: EndpointSettings } };
  Mounts?: MountPoint[];
};
export type ContainerStateShape = Schemas["ContainerState"];
export type ContainerCreateResponse = Schemas["ContainerCreateResponse"];
export type ContainerUpdateBody = JsonBody<"ContainerUpdate">;
export type ContainerInspectResponse = JsonResponse<"ContainerInspect">;
export type GraphDriverData = { Name: string; Data: { [key: string]: string } | null };

/**
 * A container's Config. Docker's strslice lets Cmd, Entrypoint and Shell arrive as one
 * string; the create path turns them into lists before they are stored.
 */
export type ContainerConfig = Go<Omit<Schemas["ContainerConfig"], "Healthcheck">> & { Healthcheck?: HealthConfig | null };

/** HostConfig as the contract has it, plus the fields dockerd still decodes and wharf keeps. */
export type HostConfig = Go<Omit<Schemas["HostConfig"], "LogConfig" | "RestartPolicy" | "Mounts">> & {
  Mounts?: Mount[] | null;
  /** Any name: the daemon refuses an unknown policy with dockerd's message. */
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
  /** Any driver name: dockerd checks it against the drivers it has, not the contract's list. */
  LogConfig?: { Type?: string; Config?: { [key: string]: string } } | null;
  /** Deprecated in the contract, still decoded (and warned about) by dockerd. */
  KernelMemoryTCP?: number;
  KernelMemory?: number;
};

/** GET /containers/{id}/json as wharf builds it (nulls where dockerd sends them). */
export type ContainerInspect = Omit<ContainerInspectResponse, "Config" | "HostConfig" | "NetworkSettings" | "State" | "GraphDriver" | "Mounts" | "ExecIDs"> & {
  Config: ContainerConfig;
  HostConfig: HostConfig;
  NetworkSettings: NetworkSettings;
  State: Go<Schemas["ContainerState"]>;
  GraphDriver: GraphDriverData;
  Mounts: MountPoint[];
  ExecIDs: string[] | null;
};

/** The create body: the config at the top level, HostConfig and NetworkingConfig beside it. */
export type ContainerCreateBody = ContainerConfig & {
  HostConfig?: HostConfig;
  NetworkingConfig?: NetworkingConfig | null;
};

// ---- images ------------------------------------------------------------------------

/** GET /images/{name}/json; below 1.45 also Container and ContainerConfig, below 1.44 VirtualSize. */
export type ImageInspect = Omit<Schemas["ImageInspect"], "Config" | "GraphDriver" | "RootFS" | "Id" | "Metadata"> & {
  Metadata: { LastTagTime: string | null };
  Id: string;
  Config: ContainerConfig;
  GraphDriver: GraphDriverData;
  RootFS: { Type: string; Layers: string[] };
  Container?: string;
  ContainerConfig?: ContainerConfig;
  VirtualSize?: number;
};
/** A GET /images/json entry (null labels as dockerd sends them; VirtualSize below 1.44). */
export type ImageSummary = Omit<Schemas["ImageSummary"], "Labels"> & { Labels: { [key: string]: string } | null; VirtualSize?: number };
export type ImageHistoryItem = Omit<JsonResponse<"ImageHistory"> extends (infer I)[] ? I : never, "Tags"> & { Tags: string[] | null };
export type ImageDeleteResponseItem = Schemas["ImageDeleteResponseItem"];
export type ImageSearchResult = JsonResponse<"ImageSearch"> extends (infer I)[] ? I : never;
/** GET /distribution/{name}/json; Platforms as the registry's index lists them. */
export type DistributionInspect = { Descriptor: { mediaType: string; digest: string; size: number }; Platforms: { [key: string]: unknown }[] };
export type OCIPlatform = Schemas["OCIPlatform"];
export type AuthConfig = Schemas["AuthConfig"];

// ---- volumes, networks, exec, system ---------------------------------------------

/** A volume as inspect and list show it (null labels and options, as dockerd sends them). */
export type Volume = Omit<Schemas["Volume"], "Labels" | "Options"> & { Labels: { [key: string]: string } | null; Options: { [key: string]: string } | null };
export type VolumeCreateOptions = Go<Schemas["VolumeCreateOptions"]>;
export type VolumeListResponse = { Volumes: Volume[]; Warnings: string[] | null };
export type VolumePruneResponse = { VolumesDeleted: string[] | null; SpaceReclaimed: number };
/** A network as inspect and list show it (IPAM.Options null when unset, as dockerd sends it). */
export type Network = Omit<Schemas["Network"], "IPAM"> & { IPAM?: Go<Omit<Schemas["IPAM"], "Options">> & { Options?: { [key: string]: string } | null } };
/** A network create body once its field types are checked (the IPAM lists as Go decodes them). */
export type NetworkCreateBody = Go<Omit<JsonBody<"NetworkCreate">, "IPAM">> & {
  IPAM?: { Driver?: string | null; Options?: { [key: string]: string } | null; Config?: { Subnet?: string; IPRange?: string; Gateway?: string }[] | null } | null;
  CheckDuplicate?: boolean | null;
};
export type NetworkConnectBody = JsonBody<"NetworkConnect">;
export type NetworkDisconnectBody = JsonBody<"NetworkDisconnect">;
export type IPAM = Schemas["IPAM"];
export type ExecCreateBody = Go<JsonBody<"ContainerExec">>;
/** An exec's inspect; ExitCode is null until the process has exited, as dockerd sends it. */
export type ExecInspectResponse = Go<JsonResponse<"ExecInspect">>;
export type SystemInfo = Schemas["SystemInfo"];
