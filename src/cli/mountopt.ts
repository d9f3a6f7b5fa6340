// `--mount type=…,source=…,target=…` as docker's CLI reads it (opts/mount.go): a CSV
// of key[=value] fields turned into one HostConfig.Mounts entry.
import type { Mount } from "../api/types/index.ts";
import { resolve } from "node:path";
import { FlagError } from "./flags.ts";
import { ramInBytes } from "./units.ts";

function csvFields(s: string): string[] {
  // Docker reads the value as one CSV record: quotes may hold commas.
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function boolValue(key: string, v: string | undefined, raw: string): boolean {
  if (v === undefined) return true;
  const l = v.toLowerCase();
  if (["1", "true", "t"].includes(l)) return true;
  if (["0", "false", "f"].includes(l)) return false;
  throw new FlagError(`invalid argument "${raw}" for "--mount" flag: invalid value for ${key}: ${v}`);
}

type MountOut = Mount & {
  VolumeOptions?: { NoCopy?: boolean; Subpath?: string; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
};

export function parseMountFlag(raw: string): MountOut {
  const m: MountOut = {};
  const volumeOptions = () => (m.VolumeOptions ??= {});
  const bindOptions = () => (m.BindOptions ??= {});
  const tmpfsOptions = () => (m.TmpfsOptions ??= {});
  const fail = (msg: string) => new FlagError(`invalid argument "${raw}" for "--mount" flag: ${msg}`);
  for (const field of csvFields(raw)) {
    const i = field.indexOf("=");
    const key = (i < 0 ? field : field.slice(0, i)).toLowerCase();
    const value = i < 0 ? undefined : field.slice(i + 1);
    if (value === undefined && !["readonly", "ro", "volume-nocopy", "bind-nonrecursive", "bind-create-src"].includes(key)) {
      throw fail(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case "type": m.Type = value; break;
      case "source": case "src": m.Source = value; break;
      case "target": case "dst": case "destination": m.Target = value; break;
      case "readonly": case "ro": m.ReadOnly = boolValue(key, value, raw); break;
      case "consistency": m.Consistency = value; break;
      case "bind-propagation": bindOptions().Propagation = value; break;
      case "bind-nonrecursive": bindOptions().NonRecursive = boolValue(key, value, raw); break;
      case "bind-create-src": bindOptions().CreateMountpoint = boolValue(key, value, raw); break;
      case "volume-nocopy": volumeOptions().NoCopy = boolValue(key, value, raw); break;
      case "volume-subpath": volumeOptions().Subpath = value; break;
      case "volume-label": {
        const [k, ...v] = value!.split("=");
        (volumeOptions().Labels ??= {})[k!] = v.join("=");
        break;
      }
      case "volume-driver": (volumeOptions().DriverConfig ??= {}).Name = value; break;
      case "volume-opt": {
        const [k, ...v] = value!.split("=");
        ((volumeOptions().DriverConfig ??= {}).Options ??= {})[k!] = v.join("=");
        break;
      }
      case "tmpfs-size": tmpfsOptions().SizeBytes = ramInBytes(value!); break;
      case "tmpfs-mode": {
        if (!/^[0-7]+$/.test(value!)) throw fail(`invalid value for ${key}: ${value}`);
        tmpfsOptions().Mode = parseInt(value!, 8);
        break;
      }
      default:
        throw fail(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Type) throw fail("type is required");
  if (!m.Target) throw fail("target is required");
  if (m.VolumeOptions && m.Type !== "volume") throw fail(`cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (m.BindOptions && m.Type !== "bind") throw fail(`cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.TmpfsOptions && m.Type !== "tmpfs") throw fail(`cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  return m;
}

/** `-v ./dir:/d` binds the directory relative to where the CLI runs, as docker's CLI makes it absolute. */
export function absoluteBinds(specs: string[]): string[] {
  return specs.map((spec) => {
    const i = spec.indexOf(":");
    if (i < 0 || !spec.startsWith(".")) return spec;
    return resolve(spec.slice(0, i)) + spec.slice(i);
  });
}
