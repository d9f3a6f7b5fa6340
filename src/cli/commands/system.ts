// wharf system df [-v] and system prune: docker's disk-usage tables and its prune of
// containers, networks, images (and volumes with --volumes) in one go.
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str, type Parsed } from "../flags.ts";
import { confirm, filtersQuery, humanSize } from "../common.ts";
import { formatList } from "../render/format.ts";
import { renderTable } from "../render/table.ts";
import { imageRows } from "./images.ts";
import { PsRow } from "../render/pscontext.ts";
import { out } from "../output.ts";

interface DfImage { Id: string; Size: number; SharedSize: number; Containers: number; Created: number; RepoTags?: string[]; RepoDigests?: string[] }
interface DfContainer { Id: string; State: string; SizeRw?: number; Mounts?: { Type: string }[]; [k: string]: unknown }
interface DfVolume { Name: string; UsageData?: { Size: number; RefCount: number } }
interface DfCache { InUse: boolean; Shared: boolean; Size: number }
interface Df { LayersSize: number; Images: DfImage[]; Containers: DfContainer[]; Volumes: DfVolume[]; BuildCache: DfCache[] }

const size4 = (n: number) => humanSize(n, 4);
const withPercent = (reclaimable: number, total: number) => (total > 0 ? `${size4(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)` : size4(reclaimable));
const active = (state: string) => /running|paused|restarting/.test(state);

/** The four summary rows, with the fields docker's diskUsage contexts give templates. */
export function dfRows(du: Df) {
  const used = du.Images.filter((i) => i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1).reduce((n, i) => n + i.Size - i.SharedSize, 0);
  const cSize = du.Containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const cFree = du.Containers.filter((c) => !active(c.State)).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const vols = du.Volumes.filter((v) => (v.UsageData?.Size ?? -1) !== -1);
  const vSize = vols.reduce((n, v) => n + v.UsageData!.Size, 0);
  const vFree = vols.filter((v) => v.UsageData!.RefCount === 0).reduce((n, v) => n + v.UsageData!.Size, 0);
  const cache = du.BuildCache ?? [];
  return [
    { Active: String(du.Images.filter((i) => i.Containers > 0).length), Reclaimable: withPercent(du.LayersSize - used, du.LayersSize), Size: size4(du.LayersSize), TotalCount: String(du.Images.length), Type: "Images" },
    { Active: String(du.Containers.filter((c) => active(c.State)).length), Reclaimable: withPercent(cFree, cSize), Size: size4(cSize), TotalCount: String(du.Containers.length), Type: "Containers" },
    { Active: String(du.Volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length), Reclaimable: withPercent(vFree, vSize), Size: size4(vSize), TotalCount: String(du.Volumes.length), Type: "Local Volumes" },
    { Active: String(cache.filter((c) => c.InUse).length), Reclaimable: size4(cache.filter((c) => !c.InUse && !c.Shared).reduce((n, c) => n + c.Size, 0)), Size: size4(cache.filter((c) => !c.Shared).reduce((n, c) => n + c.Size, 0)), TotalCount: String(cache.length), Type: "Build Cache" },
  ];
}

const headers = { Type: "TYPE", TotalCount: "TOTAL", Active: "ACTIVE", Size: "SIZE", Reclaimable: "RECLAIMABLE" };

function verbose(du: Df): string {
  // One row per image, under its first name, as docker's df -v lists them.
  const images = du.Images.map((i) => imageRows([{ ...i, RepoTags: (i.RepoTags ?? []).slice(0, 1), RepoDigests: (i.RepoDigests ?? []).slice(0, 1) }], false)[0]!);
  const imgTable = renderTable([
    ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"],
    ...images.map((r) => [r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size, r.SharedSize, r.UniqueSize, r.Containers]),
  ]);
  const cTable = renderTable([
    ["CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"],
    ...du.Containers.map((c) => {
      const r = new PsRow(c as never, true);
      return [r.ID, r.Image, r.Command, String((c.Mounts ?? []).filter((m) => m.Type === "volume").length), humanSize(c.SizeRw ?? 0), r.RunningFor, r.Status, r.Names];
    }),
  ]);
  const vTable = renderTable([
    ["VOLUME NAME", "LINKS", "SIZE"],
    ...du.Volumes.map((v) => [v.Name, String(v.UsageData?.RefCount ?? 0), humanSize(v.UsageData?.Size ?? 0)]),
  ]);
  const cacheSize = (du.BuildCache ?? []).reduce((n, c) => n + c.Size, 0);
  return `Images space usage:\n\n${imgTable}\nContainers space usage:\n\n${cTable}\nLocal Volumes space usage:\n\n${vTable}\nBuild cache usage: ${size4(cacheSize)}\n\n${renderTable([["CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED"]])}`;
}

export const df: Runner = async (p) => {
  const du: Df = await getClient().json("GET", "/system/df");
  if (bool(p, "verbose") && !str(p, "format")) {
    out(verbose(du));
    return;
  }
  const format = str(p, "format") ?? "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
  out(formatList(format === "table" ? "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}" : format, dfRows(du), headers));
};

async function pruneOne(what: string, path: string, key: string, query: Record<string, string | undefined>, lower = false): Promise<number> {
  const r = await getClient().json<Record<string, ({ Untagged?: string; Deleted?: string } | string)[] | number | null>>("POST", path, { query });
  const items = (r[key] ?? []) as ({ Untagged?: string; Deleted?: string } | string)[];
  if (items.length) {
    out(`${what}:\n`);
    for (const i of items) {
      if (typeof i === "string") out(`${i}\n`);
      else out(i.Untagged ? `${lower ? "untagged" : "Untagged"}: ${i.Untagged}\n` : `${lower ? "deleted" : "Deleted"}: ${i.Deleted}\n`);
    }
    out("\n");
  }
  return (r.SpaceReclaimed as number | undefined) ?? 0;
}

export const prune: Runner = async (p: Parsed) => {
  const all = bool(p, "all"), volumes = bool(p, "volumes");
  if (!bool(p, "force")) {
    const items = [
      "all stopped containers",
      "all networks not used by at least one container",
      ...(volumes ? ["all anonymous volumes not used by at least one container"] : []),
      all ? "all images without at least one container associated to them" : "all dangling images",
      all ? "all build cache" : "unused build cache",
    ];
    await confirm(`This will remove:\n${items.map((i) => `  - ${i}\n`).join("")}`);
  }
  const filters = filtersQuery(p);
  let space = await pruneOne("Deleted Containers", "/containers/prune", "ContainersDeleted", { filters });
  await pruneOne("Deleted Networks", "/networks/prune", "NetworksDeleted", { filters });
  if (volumes) space += await pruneOne("Deleted Volumes", "/volumes/prune", "VolumesDeleted", { filters });
  const imageFilters = JSON.parse(filters ?? "{}");
  if (all) imageFilters.dangling = { false: true };
  space += await pruneOne("Deleted Images", "/images/prune", "ImagesDeleted", { filters: JSON.stringify(imageFilters) }, true);
  // As the docker CLI: the build cache last (the builder's POST /build/prune).
  space += await pruneOne("Deleted build cache objects", "/build/prune", "CachesDeleted", { all: all ? "1" : undefined, filters });
  out(`Total reclaimed space: ${size4(space)}\n`);
};


