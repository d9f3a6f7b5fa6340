// RUN --mount=type=cache|bind|tmpfs,… as the Dockerfile frontend reads it.
import { FlagError } from "./flags.ts";

export interface RunMount {
  type: "bind" | "cache" | "tmpfs";
  target: string;
  /** bind/cache: path in the source (context, stage or image). */
  source?: string;
  /** bind/cache: a stage or image name to mount from. */
  from?: string;
  readonly: boolean;
  /** cache: the cache's id (default: the target). */
  id?: string;
  sharing?: "shared" | "private" | "locked";
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
}

export function parseMount(spec: string): RunMount {
  const m: Partial<RunMount> & { type: RunMount["type"] } = { type: "bind" };
  let ro: boolean | undefined;
  for (const field of splitCsv(spec)) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase().trim();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    switch (key) {
      case "type":
        if (value !== "bind" && value !== "cache" && value !== "tmpfs") {
          if (value === "secret" || value === "ssh") throw new FlagError(`mount type ${value} is not supported by this builder`);
          throw new FlagError(`unsupported mount type "${value}"`);
        }
        m.type = value;
        break;
      case "target":
      case "dst":
      case "destination":
        m.target = value;
        break;
      case "source":
      case "src":
        m.source = value;
        break;
      case "from":
        m.from = value;
        break;
      case "id":
        m.id = value;
        break;
      case "ro":
      case "readonly":
        ro = value === undefined || value === "true" || value === "1";
        break;
      case "rw":
      case "readwrite":
        ro = !(value === undefined || value === "true" || value === "1");
        break;
      case "sharing":
        if (value !== "shared" && value !== "private" && value !== "locked") throw new FlagError(`unsupported sharing value "${value}"`);
        m.sharing = value;
        break;
      case "mode":
        m.mode = numberField(key, value, 8);
        break;
      case "uid":
        m.uid = numberField(key, value, 10);
        break;
      case "gid":
        m.gid = numberField(key, value, 10);
        break;
      case "size":
        m.size = numberField(key, value, 10);
        break;
      default:
        throw new FlagError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.target) throw new FlagError("mount type=" + m.type + " requires a target (target=/path)");
  // Bind mounts are read-only unless told otherwise; cache mounts are writable.
  return { ...m, target: m.target, readonly: ro ?? m.type === "bind" } as RunMount;
}

function numberField(key: string, value: string | undefined, radix: number): number {
  const n = value === undefined ? NaN : parseInt(value, radix);
  if (!Number.isFinite(n)) throw new FlagError(`invalid value for ${key}: ${value}`);
  return n;
}

function splitCsv(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (const ch of s) {
    if (ch === '"') q = !q;
    else if (ch === "," && !q) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.filter((f) => f !== "");
}
