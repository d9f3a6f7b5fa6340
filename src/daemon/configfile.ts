// daemon.json values: each key's JSON type checked against its flag's kind, and the
// flag/file conflicts worded as dockerd words them (Go's %v of both values).
import { daemonOptions, type DaemonOption, type FlagValue, type ParsedFlags } from "./flags.ts";

export type FileValue = string | number | boolean | null | FileValue[] | { [k: string]: FileValue };

const isStrings = (v: FileValue) => Array.isArray(v) && v.every((x) => typeof x === "string");
const isObject = (v: FileValue): v is { [k: string]: FileValue } => typeof v === "object" && v !== null && !Array.isArray(v);

/** Why `v` cannot be the value of `o`'s key, or undefined when it can. */
export function checkFileValue(o: DaemonOption, v: FileValue): string | undefined {
  const want = (type: string) => `json: cannot unmarshal ${jsonType(v)} into Go struct field Config.${o.key} of type ${type}`;
  switch (o.kind) {
    case "string":
      return typeof v === "string" ? undefined : want("string");
    case "bool":
      return typeof v === "boolean" ? undefined : want("bool");
    case "int":
      return typeof v === "number" && Number.isInteger(v) ? undefined : want("int");
    case "list":
      return isStrings(v) ? undefined : want("[]string");
    case "map":
      return isObject(v) && Object.values(v).every((x) => typeof x === "string") ? undefined : want("map[string]string");
    case "ulimits":
      if (!isObject(v)) return want("map[string]*units.Ulimit");
      for (const [k, u] of Object.entries(v)) {
        if (!isObject(u) || typeof u.Soft !== "number" || typeof u.Hard !== "number") return `default-ulimits.${k}: want {"Name": "${k}", "Soft": N, "Hard": N}`;
        if (u.Name !== undefined && u.Name !== k) return `default-ulimits.${k}: Name "${String(u.Name)}" does not match its key`;
        u.Name = k;
      }
      return undefined;
    case "pools":
      if (!Array.isArray(v) || !v.every((p) => isObject(p) && typeof p.base === "string" && typeof p.size === "number")) {
        return `default-address-pools: want a list of {"base": "CIDR", "size": N}`;
      }
      return undefined;
  }
}

function jsonType(v: FileValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v;
}

/** dockerd's "name: (from flag: x, from file: y)" for each flag the file sets too, joined. */
export function fileConflicts(flags: ParsedFlags, file: Record<string, FileValue>): string {
  const out: string[] = [];
  for (const o of daemonOptions) {
    const f = flags.get(o.flag);
    if (f === undefined || !o.key || file[o.key] === undefined) continue;
    out.push(`${o.key}: (from flag: ${flagString(f)}, from file: ${goFormat(file[o.key]!)})`);
  }
  return out.join(", ");
}

/** pflag's Value.String(): lists as [a b]. */
function flagString(v: FlagValue): string {
  return Array.isArray(v) ? `[${v.join(" ")}]` : String(v);
}

/** Go's %v of a decoded JSON value: [a b], map[k:v], numbers as float64 prints them. */
export function goFormat(v: FileValue | FlagValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => goFormat(x)).join(" ")}]`;
  if (v === null) return "<nil>";
  if (typeof v === "object") {
    return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k]!)}`).join(" ")}]`;
  }
  return String(v);
}
