// `wharf images` / `wharf image ls`: docker's table, -q, --digests, --no-trunc, --filter, --format.
import type { ImageSummary } from "../../api/types/index.ts";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { writeList } from "../render/format.ts";
import { createdSince, filtersQuery, goTime, humanSize, shortId } from "../common.ts";

const headers: Record<string, string> = {
  Repository: "REPOSITORY", Tag: "TAG", Digest: "DIGEST", ID: "IMAGE ID", CreatedSince: "CREATED", CreatedAt: "CREATED AT",
  Size: "SIZE", Containers: "CONTAINERS", SharedSize: "SHARED SIZE", UniqueSize: "UNIQUE SIZE", VirtualSize: "VIRTUAL SIZE",
};

interface Row {
  Containers: string; CreatedAt: string; CreatedSince: string; Digest: string; ID: string; Repository: string;
  SharedSize: string; Size: string; Tag: string; UniqueSize: string; VirtualSize: string;
}

/** One row per repository tag, as docker's CLI expands a list entry. */
/** What a row needs of a list entry (the rest as the daemon sent it). */
export type ImageListEntry = Pick<ImageSummary, "Id" | "Created" | "Size" | "SharedSize" | "Containers"> & Partial<ImageSummary>;

export function imageRows(images: ImageListEntry[], noTrunc: boolean): Row[] {
  const rows: Row[] = [];
  for (const img of images) {
    const base = {
      Containers: img.Containers >= 0 ? String(img.Containers) : "N/A",
      CreatedAt: goTime(img.Created),
      CreatedSince: createdSince(img.Created),
      ID: noTrunc ? img.Id : shortId(img.Id),
      SharedSize: img.SharedSize >= 0 ? humanSize(img.SharedSize) : "N/A",
      Size: humanSize(img.Size),
      UniqueSize: img.SharedSize >= 0 ? humanSize(img.Size - img.SharedSize) : "N/A",
      VirtualSize: humanSize(img.VirtualSize ?? img.Size, 4),
    };
    const tags = (img.RepoTags ?? []).filter((t: string) => t !== "<none>:<none>");
    const digests = (img.RepoDigests ?? []).filter((d: string) => d !== "<none>@<none>");
    const digestOf = (repo: string) => digests.find((d: string) => d.slice(0, d.lastIndexOf("@")) === repo)?.split("@")[1] ?? "<none>";
    for (const t of tags) {
      const i = t.lastIndexOf(":");
      const repo = t.slice(0, i);
      rows.push({ ...base, Repository: repo, Tag: t.slice(i + 1), Digest: digestOf(repo) });
    }
    if (!tags.length) {
      if (digests.length) for (const d of digests) rows.push({ ...base, Repository: d.slice(0, d.lastIndexOf("@")), Tag: "<none>", Digest: d.split("@")[1] });
      else rows.push({ ...base, Repository: "<none>", Tag: "<none>", Digest: "<none>" });
    }
  }
  return rows;
}

export const images: Runner = async (p) => {
  const filters = filtersQuery(p) ? JSON.parse(filtersQuery(p)!) : {};
  // `wharf images busybox` is a reference filter.
  if (p.positionals[0]) (filters.reference ??= {})[p.positionals[0]] = true;
  const images = await getClient().json<ImageSummary[]>("GET", "/images/json", {
    query: {
      all: bool(p, "all") ? "1" : undefined,
      digests: bool(p, "digests") ? "1" : undefined,
      filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined,
    },
  });
  const rows = imageRows(images, bool(p, "no-trunc"));
  writeList(rows, {
    quiet: bool(p, "quiet"),
    format: str(p, "format"),
    headers,
    cols: ["Repository", "Tag", ...(bool(p, "digests") ? (["Digest"] as const) : []), "ID", "CreatedSince", "Size"],
    template: { structName: "*formatter.imageContext" },
  });
};
