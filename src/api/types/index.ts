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
 * What Go's encoding/json sends and accepts: any field may be absent or null (a nil
 * slice, map or pointer). dockerd's shapes have nulls the contract does not mark.
 */
export type Go<T> = { [K in keyof T]?: T[K] | null };

// ---- containers --------------------------------------------------------------------

export type HealthConfig = Go<Schemas["HealthConfig"]>;
export type RestartPolicy = Schemas["RestartPolicy"];
export type Mount = Schemas["Mount"];
export type PortBinding = Schemas["PortBinding"];
export type PortMap = Schemas["PortMap"];
export type Port = Schemas["Port"];
export type EndpointSettings = Go<Schemas["EndpointSettings"]>;
export type NetworkingConfig = { EndpointsConfig?: { [name: string]: EndpointSettings | null } | null };
export type NetworkSettings = Go<Omit<Schemas["NetworkSettings"], "Networks" | "Ports">> & { Networks?: { [name: string]: EndpointSettings } | null; Ports?: PortMap | null };
/** A mount as inspect lists it; Type is any of Docker's mount types as a string. */
export type MountPoint = Omit<Schemas["MountPoint"], "Type"> & { Type?: string };
export type ContainerSummary = Schemas["ContainerSummary"];
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
export type HostConfig = Go<Schemas["HostConfig"]> & {
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

export type ImageInspect = Schemas["ImageInspect"];
export type ImageSummary = Schemas["ImageSummary"];
export type ImageHistoryItem = JsonResponse<"ImageHistory"> extends (infer I)[] ? I : never;
export type ImageDeleteResponseItem = Schemas["ImageDeleteResponseItem"];
export type ImageSearchResult = JsonResponse<"ImageSearch"> extends (infer I)[] ? I : never;
export type DistributionInspect = Schemas["DistributionInspect"];
export type OCIPlatform = Schemas["OCIPlatform"];
export type AuthConfig = Schemas["AuthConfig"];

// ---- volumes, networks, exec, system ---------------------------------------------

export type Volume = Schemas["Volume"];
export type VolumeCreateOptions = Schemas["VolumeCreateOptions"];
export type VolumeListResponse = Schemas["VolumeListResponse"];
export type VolumePruneResponse = JsonResponse<"VolumePrune">;
export type Network = Schemas["Network"];
export type NetworkCreateBody = JsonBody<"NetworkCreate">;
export type NetworkConnectBody = JsonBody<"NetworkConnect">;
export type NetworkDisconnectBody = JsonBody<"NetworkDisconnect">;
export type IPAM = Schemas["IPAM"];
export type ExecCreateBody = JsonBody<"ContainerExec">;
export type ExecInspectResponse = JsonResponse<"ExecInspect">;
export type SystemInfo = Schemas["SystemInfo"];
