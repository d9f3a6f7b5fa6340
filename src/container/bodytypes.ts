// The JSON types of a create (or update) body, checked as dockerd's Go decoder checks
// them before anything else runs: a string where an int64 goes, a number past int64's
// range or with a fraction, an object where a list goes are 400s naming the field, in
// Go's words. Without this, `Memory: "abc"` would be stored and break every later start.
import { invalidParameter } from "../errors.ts";
import type { ContainerCreateBody, HostConfig } from "../api/types/index.ts";

type GoType = "int64" | "int" | "uint16" | "bool" | "string" | "[]string" | "map[string]string" | "strslice";

const hostConfigTypes: Record<string, GoType> = {
  Memory: "int64", MemorySwap: "int64", MemoryReservation: "int64", KernelMemory: "int64", KernelMemoryTCP: "int64",
  MemorySwappiness: "int64", NanoCpus: "int64", CpuPeriod: "int64", CpuQuota: "int64", CpuRealtimePeriod: "int64",
  CpuRealtimeRuntime: "int64", CpuShares: "int64", CpuCount: "int64", CpuPercent: "int64", ShmSize: "int64",
  PidsLimit: "int64", IOMaximumIOps: "int64", IOMaximumBandwidth: "int64", OomScoreAdj: "int", BlkioWeight: "uint16",
  Privileged: "bool", ReadonlyRootfs: "bool", AutoRemove: "bool", PublishAllPorts: "bool", OomKillDisable: "bool", Init: "bool",
  NetworkMode: "string", CgroupParent: "string", PidMode: "string", IpcMode: "string", UTSMode: "string", UsernsMode: "string",
  CpusetCpus: "string", CpusetMems: "string", Runtime: "string", Isolation: "string", CgroupnsMode: "string",
  VolumeDriver: "string", ContainerIDFile: "string", Cgroup: "string",
  Binds: "[]string", CapAdd: "[]string", CapDrop: "[]string", Dns: "[]string", DnsOptions: "[]string", DnsSearch: "[]string",
  ExtraHosts: "[]string", GroupAdd: "[]string", SecurityOpt: "[]string", VolumesFrom: "[]string", Links: "[]string",
  MaskedPaths: "[]string", ReadonlyPaths: "[]string", StorageOpt: "map[string]string", Sysctls: "map[string]string",
  Tmpfs: "map[string]string",
};

const configTypes: Record<string, GoType> = {
  Hostname: "string", Domainname: "string", User: "string", Image: "string", WorkingDir: "string", StopSignal: "string",
  MacAddress: "string", AttachStdin: "bool", AttachStdout: "bool", AttachStderr: "bool", Tty: "bool", OpenStdin: "bool",
  StdinOnce: "bool", NetworkDisabled: "bool", ArgsEscaped: "bool", Env: "[]string", Cmd: "strslice", Entrypoint: "strslice",
  OnBuild: "[]string", Shell: "strslice", StopTimeout: "int", Labels: "map[string]string",
};

const int64Max = 9223372036854775807;

function goValueKind(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "number";
  if (Array.isArray(v)) return "array";
  return "object";
}

/** Why `v` does not decode into `t` (Go's "cannot unmarshal X"), or undefined when it does. */
function mismatch(v: unknown, t: GoType): string | undefined {
  if (v === null) return undefined; // JSON null leaves a Go field at its zero value
  switch (t) {
    case "int64":
    case "int":
    case "uint16": {
      if (typeof v !== "number") return goValueKind(v);
      const min = t === "uint16" ? 0 : -int64Max - 1;
      const max = t === "uint16" ? 65535 : int64Max;
      if (!Number.isInteger(v) || v < min || v > max || (!Number.isSafeInteger(v) && t !== "uint16")) return `number ${v}`;
      return undefined;
    }
    case "bool":
      return typeof v === "boolean" ? undefined : goValueKind(v);
    case "string":
      return typeof v === "string" ? undefined : goValueKind(v);
    case "strslice":
      if (typeof v === "string") return undefined;
    // falls through: otherwise a list of strings
    case "[]string":
      if (!Array.isArray(v)) return goValueKind(v);
      for (const x of v) if (typeof x !== "string") return goValueKind(x);
      return undefined;
    case "map[string]string":
      if (typeof v !== "object" || Array.isArray(v)) return goValueKind(v);
      for (const x of Object.values(v as object)) if (typeof x !== "string") return goValueKind(x);
      return undefined;
  }
}

function check(obj: unknown, types: Record<string, GoType>, struct: string, prefix: string): void {
  if (obj === undefined || obj === null) return;
  if (typeof obj !== "object" || Array.isArray(obj)) {
    throw invalidParameter(`json: cannot unmarshal ${goValueKind(obj)} into Go struct field ${struct}.${prefix.replace(/\.$/, "")} of type container.${struct}`);
  }
  for (const [k, t] of Object.entries(types)) {
    const v = (obj as Record<string, unknown>)[k];
    if (v === undefined) continue;
    const bad = mismatch(v, t);
    if (bad) throw invalidParameter(`json: cannot unmarshal ${bad} into Go struct field ${struct}.${prefix}${k} of type ${t === "strslice" ? "strslice.StrSlice" : t}`);
  }
}

/** A create body: the config at the top level, HostConfig beside it. The router checks it once. */
export function checkCreateBodyTypes(body: { [field: string]: unknown }): asserts body is ContainerCreateBody {
  check(body, configTypes, "ContainerConfigWrapper", "");
  check(body.HostConfig, hostConfigTypes, "HostConfig", "HostConfig.");
}

/** An update body: resources and the restart policy at the top level. The router checks it once. */
export function checkUpdateBodyTypes(body: { [field: string]: unknown }): asserts body is HostConfig {
  check(body, hostConfigTypes, "UpdateConfig", "");
}
