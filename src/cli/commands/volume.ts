// `wharf volume create|ls|inspect|rm|prune`: docker's volume management commands.
import type { Volume, VolumeListResponse, VolumePruneResponse } from "../../api/types/index.ts";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, list, str } from "../flags.ts";
import { writeList } from "../render/format.ts";
import { ExitError } from "../exit.ts";
import { confirm, filtersQuery, forEachRef, humanSize, keyValues } from "../common.ts";
import { inspect as inspectObjects } from "./inspect.ts";
import { out } from "../output.ts";

export const create: Runner = async (p) => {
  const name = p.positionals[0] ?? str(p, "name") ?? "";
  if (p.positionals[0] && str(p, "name") && str(p, "name") !== p.positionals[0]) {
    throw new ExitError(1, `conflicting options: either specify --name or provide positional arg, not both`);
  }
  const v = await getClient().json<Volume>("POST", "/volumes/create", {
    body: { Name: name, Driver: str(p, "driver") ?? "local", DriverOpts: keyValues(list(p, "opt")), Labels: keyValues(list(p, "label")) },
  });
  out(`${v.Name}\n`);
};

const headers: Record<string, string> = { Driver: "DRIVER", Name: "VOLUME NAME", Mountpoint: "MOUNTPOINT", Scope: "SCOPE", Labels: "LABELS", Links: "LINKS", Size: "SIZE" };

export const ls: Runner = async (p) => {
  const r = await getClient().json<VolumeListResponse>("GET", "/volumes", { query: { filters: filtersQuery(p) } });
  const rows = (r.Volumes ?? []).map((v: Volume) => ({
    ...v,
    Labels: Object.entries(v.Labels ?? {}).map(([k, val]) => `${k}=${val}`).join(","),
    Links: "N/A",
    Size: "N/A",
  }));
  writeList(rows, { quiet: bool(p, "quiet"), format: str(p, "format"), headers, cols: ["Driver", "Name"], idKey: "Name" });
};

export const inspect: Runner = (p) => inspectObjects(p, "volume");

export const rm: Runner = async (p) => {
  await forEachRef(p.positionals, async (name) => {
    await getClient().json("DELETE", `/volumes/${encodeURIComponent(name)}`, { query: { force: bool(p, "force") ? "1" : undefined } });
    out(`${name}\n`);
  });
};

export const prune: Runner = async (p) => {
  if (!bool(p, "force")) {
    await confirm(`This will remove ${bool(p, "all") ? "all" : "anonymous"} local volumes not used by at least one container.`);
  }
  const filters = JSON.parse(filtersQuery(p) ?? "{}");
  if (bool(p, "all")) filters.all = { true: true };
  const r = await getClient().json<VolumePruneResponse>("POST", "/volumes/prune", { query: { filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined } });
  const deleted: string[] = r.VolumesDeleted ?? [];
  if (deleted.length) out(`Deleted Volumes:\n${deleted.join("\n")}\n\n`);
  out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0, 4)}\n`);
};

