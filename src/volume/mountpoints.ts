// A container's mount points, parsed and validated at create from `Binds` (-v),
// `Mounts` (--mount), `VolumesFrom` and the image's VOLUMEs, with Docker's rules and
// messages (moby volume/mounts/linux_parser.go and daemon/volumes.go).
import { posix } from "node:path";
import { invalidParameter } from "../errors.ts";
import type { Mount, MountPoint as MountShape } from "../api/types/index.ts";
import { validSubpath } from "./subpath.ts";

export type MountType = "bind" | "volume" | "tmpfs";

/** What a container record keeps per mount (Docker's config.v2.json MountPoints). */
export interface MountPoint {
  Type: MountType;
  /** Host path: the bind source, or the volume's `_data` once the volume exists. */
  Source: string;
  Destination: string;
  RW: boolean;
  /** Volume name; empty for binds and tmpfs, and for an anonymous volume until created. */
  Name: string;
  Driver: string;
  /** The mode part of a `-v` spec (`ro`, `z`, `nocopy`…), as inspect shows it. */
  Mode: string;
  Propagation: string;
  /** Fill a new, empty volume from the image's content at the destination. */
  CopyData: boolean;
  /** A `-v` bind makes its missing host directory; a `--mount` bind refuses it. */
  CreateSource?: boolean;
  /** tmpfs mount data (`size=…,mode=…`). */
  TmpfsOptions?: string;
  /** For a volume this container made from a spec: labels and driver options to create it with. */
  VolumeLabels?: Record<string, string>;
  VolumeOptions?: Record<string, string>;
  /** `--mount …,volume-subpath=`: only this directory of the volume is mounted. */
  Subpath?: string;
  /** The volume was made for this container (image VOLUME, `-v /path`): `rm -v` removes it. */
  Anonymous?: boolean;
}

const propagationModes = ["private", "rprivate", "slave", "rslave", "shared", "rshared"];
const consistencyModes = ["consistent", "cached", "delegated"];

const errInvalidSpec = (raw: string) => `invalid volume specification: '${raw}'`;
const mountConfigError = (type: string, msg: string) => invalidParameter(`invalid mount config for type "${type}": ${msg}`);

function validMode(mode: string): boolean {
  if (mode === "") return true;
  const counts = { rw: 0, label: 0, prop: 0, copy: 0, cons: 0 };
  for (const o of mode.split(",")) {
    if (o === "rw" || o === "ro") counts.rw++;
    else if (o === "z" || o === "Z") counts.label++;
    else if (propagationModes.includes(o)) counts.prop++;
    else if (o === "nocopy") counts.copy++;
    else if (consistencyModes.includes(o)) counts.cons++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

function checkTarget(target: string | undefined): string | undefined {
  if (!target) return "field Target must not be empty";
  if (posix.normalize(target) === "/" || posix.normalize(target) === "/.") return "invalid specification: destination can't be '/'";
  if (!target.startsWith("/")) return `invalid mount path: '${target}' mount path must be absolute`;
  return undefined;
}

/** `-v`: `name:/path[:mode]`, `/host:/path[:mode]` or `/path`. */
export function parseBind(raw: string): MountPoint {
  const arr = splitN(raw, ":", 4);
  if (arr[0] === "") throw invalidParameter(errInvalidSpec(raw));
  let source = "";
  let target: string;
  let mode = "";
  if (arr.length === 1) target = arr[0]!;
  else if (arr.length === 2) {
    if (validMode(arr[1]!)) throw invalidParameter(errInvalidSpec(raw));
    [source, target] = arr as [string, string];
  } else if (arr.length === 3) [source, target, mode] = arr as [string, string, string];
  else throw invalidParameter(errInvalidSpec(raw));
  if (!validMode(mode)) throw invalidParameter(`invalid mode: ${mode}`);
  const type: MountType = source.startsWith("/") ? "bind" : "volume";
  const err = checkTarget(target);
  if (err) throw invalidParameter(`${errInvalidSpec(raw)}: invalid mount config for type "${type}": ${err}`);
  const opts = mode.split(",");
  const prop = opts.find((o) => propagationModes.includes(o));
  return {
    Type: type,
    Source: type === "bind" ? posix.normalize(source) : "",
    Destination: posix.normalize(target),
    RW: !opts.includes("ro"),
    Name: type === "volume" ? source : "",
    Driver: type === "volume" ? "local" : "",
    // dockerd's setBindModeIfNull: a `-v` local volume without a mode shows "z".
    Mode: type === "volume" && mode === "" ? "z" : mode,
    Propagation: type === "bind" ? (prop ?? "rprivate") : "",
    CopyData: !opts.includes("nocopy"),
    ...(type === "bind" ? { CreateSource: true } : {}),
    ...(type === "volume" && !source ? { Anonymous: true } : {}),
  };
}

/** `--mount` / HostConfig.Mounts entries, validated as dockerd does (the bind source must exist). */
export function parseMount(m: Mount, exists: (p: string) => boolean): MountPoint {
  const type = String(m.Type ?? "");
  if (!["bind", "volume", "tmpfs"].includes(type)) {
    throw mountConfigError(type, type === "" ? "mount type unknown" : type === "npipe" || type === "cluster" || type === "image" ? `mount type ${type} is not supported` : "mount type unknown");
  }
  const err = checkTarget(m.Target ?? undefined);
  if (err) throw mountConfigError(type, err);
  const source: string = m.Source ?? "";
  const ro = !!m.ReadOnly;
  const base = { Destination: posix.normalize(m.Target!), RW: !ro, Mode: "", CopyData: true };
  if (type === "bind") {
    if (!source) throw mountConfigError(type, "field Source must not be empty");
    if (m.VolumeOptions) throw mountConfigError(type, "field VolumeOptions must not be specified");
    const prop: string = m.BindOptions?.Propagation || "rprivate";
    if (!propagationModes.includes(prop)) throw mountConfigError(type, `invalid propagation mode: ${prop}`);
    if (!source.startsWith("/")) throw mountConfigError(type, `invalid mount path: '${source}' mount path must be absolute`);
    if (!exists(source) && !m.BindOptions?.CreateMountpoint) throw mountConfigError(type, `bind source path does not exist: ${source}`);
    return { ...base, Type: "bind", Source: posix.normalize(source), Name: "", Driver: "", Propagation: prop, CopyData: false, CreateSource: !!m.BindOptions?.CreateMountpoint };
  }
  if (type === "volume") {
    if (m.BindOptions) throw mountConfigError(type, "field BindOptions must not be specified");
    if (ro && !source) throw mountConfigError(type, "must not set ReadOnly mode when using anonymous volumes");
    const vo = m.VolumeOptions ?? {};
    if (vo.Subpath) {
      if (!source) throw mountConfigError(type, "must not set Subpath when using anonymous volumes");
      if (!validSubpath(vo.Subpath)) throw mountConfigError(type, "subpath must be a relative path within the volume");
    }
    const driver = vo.DriverConfig?.Name || "local";
    return {
      ...base,
      Type: "volume",
      Source: "",
      Name: source,
      Driver: driver,
      Propagation: "",
      CopyData: !vo.NoCopy && !vo.Subpath,
      ...(vo.Subpath ? { Subpath: posix.normalize(vo.Subpath) } : {}),
      ...(vo.Labels ? { VolumeLabels: vo.Labels } : {}),
      ...(vo.DriverConfig?.Options ? { VolumeOptions: vo.DriverConfig.Options } : {}),
      ...(!source ? { Anonymous: true } : {}),
    };
  }
  if (m.BindOptions) throw mountConfigError(type, "field BindOptions must not be specified");
  if (source) throw mountConfigError(type, "field Source must not be specified");
  return { ...base, Type: "tmpfs", Source: "", Name: "", Driver: "", Propagation: "", CopyData: false, TmpfsOptions: tmpfsData(m.TmpfsOptions, ro, type) };
}

/** moby's ConvertTmpfsOptions: `ro`, `mode=` in octal, `size=` with the largest exact suffix. */
function tmpfsData(o: Mount["TmpfsOptions"], ro: boolean, type: string): string {
  const out: string[] = [];
  if (ro) out.push("ro");
  if (o?.Mode) out.push(`mode=${Number(o.Mode).toString(8)}`);
  if (o?.SizeBytes) {
    let size = Number(o.SizeBytes);
    if (size < 0) throw mountConfigError(type, "invalid tmpfs size");
    let suffix = "";
    for (const [s, d] of [["g", 2 ** 30], ["m", 2 ** 20], ["k", 2 ** 10]] as const) {
      if (size % d === 0) {
        size /= d;
        suffix = s;
        break;
      }
    }
    out.push(`size=${size}${suffix}`);
  }
  for (const opt of (o?.Options ?? []) as string[][]) {
    if (!Array.isArray(opt) || opt.length < 1 || opt.length > 2) throw mountConfigError(type, "invalid option array length");
    if (opt[0] !== "exec" && opt[0] !== "noexec") throw mountConfigError(type, `invalid option: ${opt[0]}`);
    out.push(opt.length === 1 ? opt[0] : `${opt[0]}=${opt[1]}`);
  }
  return out.join(",");
}

/** `--volumes-from CONTAINER[:ro|rw]`. */
export function parseVolumesFrom(spec: string): { ref: string; mode: string } {
  if (!spec) throw invalidParameter("volumes-from specification cannot be an empty string");
  const i = spec.indexOf(":");
  const ref = i < 0 ? spec : spec.slice(0, i);
  const mode = i < 0 ? "" : spec.slice(i + 1);
  if (mode && (!validMode(mode) || mode.split(",").some((o) => propagationModes.includes(o) || o === "nocopy"))) {
    throw invalidParameter(`invalid mode: ${mode}`);
  }
  return { ref, mode: mode || "rw" };
}

export interface PlanInput {
  binds: string[] | null | undefined;
  mounts: Mount[] | null | undefined;
  volumesFrom: string[] | null | undefined;
  tmpfs: Record<string, string> | null | undefined;
  imageVolumes: Record<string, unknown> | null | undefined;
  /** Mount points of another container (`--volumes-from`); throws notFound. */
  mountsOf(ref: string): MountPoint[];
  exists(path: string): boolean;
}

/**
 * Every mount point of a new container, in dockerd's order: volumes-from first, then
 * binds and mounts over them, then the image's VOLUMEs that nothing else covers.
 */
export function planMounts(p: PlanInput): MountPoint[] {
  const byDest = new Map<string, MountPoint>();
  for (const spec of p.volumesFrom ?? []) {
    const { ref, mode } = parseVolumesFrom(spec);
    const rw = !mode.split(",").includes("ro");
    for (const mp of p.mountsOf(ref)) byDest.set(mp.Destination, { ...mp, RW: mp.RW && rw, Anonymous: false, CopyData: false });
  }
  const userDests = new Map<string, string>();
  const claim = (dest: string, key: string) => {
    const prev = userDests.get(dest);
    // An identical duplicate is accepted (the CLI itself dedupes repeated -v).
    if (prev !== undefined && prev !== key) throw invalidParameter(`Duplicate mount point: ${dest}`);
    userDests.set(dest, key);
  };
  // The docker CLI sends some `-v` specs (a duplicate destination among them) as
  // Config.Volumes keys rather than Binds: a key with a colon is a bind spec.
  const specVolumes = Object.keys(p.imageVolumes ?? {}).filter((k) => k.includes(":"));
  for (const raw of [...(p.binds ?? []), ...specVolumes]) {
    const mp = parseBind(raw);
    claim(mp.Destination, `bind:${raw}`);
    byDest.set(mp.Destination, mp);
  }
  for (const m of p.mounts ?? []) {
    const mp = parseMount(m, p.exists);
    claim(mp.Destination, `mount:${JSON.stringify(m)}`);
    byDest.set(mp.Destination, mp);
  }
  for (const dest of Object.keys(p.tmpfs ?? {})) {
    const err = checkTarget(dest.split(":")[0]);
    if (err) throw invalidParameter(err);
  }
  for (const raw of Object.keys(p.imageVolumes ?? {})) {
    if (raw.includes(":")) continue;
    const dest = posix.normalize(raw);
    if (!dest.startsWith("/")) continue;
    if (byDest.has(dest) || Object.keys(p.tmpfs ?? {}).some((t) => posix.normalize(t) === dest)) continue;
    byDest.set(dest, { Type: "volume", Source: "", Destination: dest, RW: true, Name: "", Driver: "local", Mode: "", Propagation: "", CopyData: true, Anonymous: true });
  }
  return [...byDest.values()];
}

/** Parents before children, so a mount inside another mount lands on top of it. */
export function sortMounts<T extends { Destination: string }>(mps: T[]): T[] {
  const depth = (d: string) => posix.normalize(d).split("/").filter(Boolean).length;
  return [...mps].sort((a, b) => depth(a.Destination) - depth(b.Destination));
}

/** The shape of one entry of `Mounts` in inspect and list. */
export function mountShape(mp: MountPoint): MountShape {
  return {
    Type: mp.Type,
    ...(mp.Type === "volume" ? { Name: mp.Name } : {}),
    Source: mp.Source,
    Destination: mp.Destination,
    ...(mp.Type === "volume" ? { Driver: mp.Driver } : {}),
    Mode: mp.Mode,
    RW: mp.RW,
    Propagation: mp.Propagation,
  };
}

function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  if (parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

