// One `ps` row as the docker CLI's ContainerContext presents it to `--format`: the same
// field names and texts (`.Names` without link names, `.Ports` grouped into ranges,
// `.Size` as "2B (virtual 4.3MB)", `.Label "k"`), and `{{json .}}` with its keys.
import type { ContainerSummary } from "../../api/types/index.ts";
import { ellipsis } from "./table.ts";
import { humanDuration } from "../../time.ts";

type Port = { IP?: string; PrivatePort: number; PublicPort?: number; Type: string };

/** go-units HumanSizeWithPrecision(n, 3): decimal units, three significant digits. */
export function humanSize3(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(3))}${units[i]}`;
}

function comparePorts(a: Port, b: Port): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  if ((a.IP ?? "") !== (b.IP ?? "")) return (a.IP ?? "") < (b.IP ?? "") ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function formGroup(key: string, first: number, last: number): string {
  const cut = key.lastIndexOf("/");
  const ip = cut >= 0 ? key.slice(0, cut) : "";
  const type = cut >= 0 ? key.slice(cut + 1) : key;
  let group = first === last ? `${first}` : `${first}-${last}`;
  if (ip) group = `${ip}:${group}->${group}`;
  return `${group}/${type}`;
}

/** The docker CLI's DisplayablePorts: consecutive ports grouped, host mappings last. */
export function displayablePorts(ports: Port[]): string {
  const sorted = [...(ports ?? [])].sort(comparePorts);
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  for (const p of sorted) {
    const cur = p.PrivatePort;
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== cur) {
        const host = p.IP.includes(":") ? `[${p.IP}]` : p.IP;
        mappings.push(`${host}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: cur, last: cur });
      continue;
    }
    if (cur === g.last + 1) {
      g.last = cur;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    // Re-inserting keeps the key's first position, as Go's recorded key order does.
    groups.set(key, { first: cur, last: cur });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...mappings].join(", ");
}

/** Go's time.Time.String() for a Unix time, in UTC: `2026-11-23 10:34:10 +0000 UTC`. */
function goTime(unix: number): string {
  return new Date(unix * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " +0000 UTC");
}

/** A list entry as the daemon sends it: these fields are always there. */
export type PsEntry = ContainerSummary & Required<Pick<ContainerSummary, "Id" | "Created" | "Ports" | "State" | "Status">>;

export class PsRow {
  constructor(
    private readonly c: PsEntry,
    private readonly trunc: boolean,
  ) {}

  get ID(): string {
    return this.trunc ? this.c.Id.slice(0, 12) : this.c.Id;
  }
  get Image(): string {
    let img: string = this.c.Image ?? "";
    if (this.trunc) {
      if (img.startsWith("sha256:")) return img.slice(7, 19);
      const at = img.indexOf("@");
      if (at > 0) img = img.slice(0, at);
    }
    return img;
  }
  get Command(): string {
    const cmd: string = this.c.Command ?? "";
    return JSON.stringify(this.trunc ? ellipsis(cmd, 20) : cmd);
  }
  get CreatedAt(): string {
    return goTime(this.c.Created);
  }
  get RunningFor(): string {
    return `${humanDuration(Date.now() - this.c.Created * 1000)} ago`;
  }
  get Ports(): string {
    return displayablePorts(this.c.Ports);
  }
  get State(): string {
    return this.c.State;
  }
  get Status(): string {
    return this.c.Status;
  }
  get Size(): string {
    const rw = humanSize3(this.c.SizeRw ?? 0);
    return (this.c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSize3(this.c.SizeRootFs!)})` : rw;
  }
  /** The container's own name; with --no-trunc its link names too. */
  get Names(): string {
    let names: string[] = (this.c.Names ?? []).map((n: string) => n.replace(/^\//, ""));
    if (this.trunc) {
      const own = names.find((n) => !n.includes("/"));
      if (own !== undefined) names = [own];
    }
    return names.join(",");
  }
  get Labels(): string {
    return Object.entries(this.c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
  }
  Label(name: string): string {
    return this.c.Labels?.[name] ?? "";
  }
  get Mounts(): string {
    return (this.c.Mounts ?? []).map((m) => (this.trunc ? ellipsis((m.Name || m.Source)!, 15) : m.Name || m.Source)).join(",");
  }
  get LocalVolumes(): string {
    return String((this.c.Mounts ?? []).filter((m) => m.Driver === "local").length);
  }
  get Networks(): string {
    return Object.keys(this.c.NetworkSettings?.Networks ?? {}).sort().join(",");
  }

  /** The image manifest's platform: API 1.46 and later; none at 1.45. */
  get Platform(): null {
    return null;
  }

  /** `{{json .}}`: the CLI marshals a map of every field, keys sorted. */
  toJSON(): Record<string, string | null> {
    return {
      Command: this.Command,
      CreatedAt: this.CreatedAt,
      ID: this.ID,
      Image: this.Image,
      Labels: this.Labels,
      LocalVolumes: this.LocalVolumes,
      Mounts: this.Mounts,
      Names: this.Names,
      Networks: this.Networks,
      Platform: this.Platform,
      Ports: this.Ports,
      RunningFor: this.RunningFor,
      Size: this.Size,
      State: this.State,
      Status: this.Status,
    };
  }
}

export const psHeaders: Record<string, string> = {
  ID: "CONTAINER ID", Image: "IMAGE", Command: "COMMAND", CreatedAt: "CREATED AT", RunningFor: "CREATED",
  Status: "STATUS", Ports: "PORTS", Names: "NAMES", Size: "SIZE", Labels: "LABELS", State: "STATE", Mounts: "MOUNTS",
  Networks: "NETWORKS", LocalVolumes: "LOCAL VOLUMES",
};
