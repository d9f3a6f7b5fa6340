// `wharf volume create|ls|inspect|rm|prune`: docker's volume management commands.
import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, list, parseFlags, str } from "../flags.ts";
import { writeList } from "../render/format.ts";
import { ExitError } from "../exit.ts";
import { confirm, filtersQuery, forEachRef, humanSize, needArgs, keyValues } from "../common.ts";
import { inspect as inspectObjects } from "./inspect.ts";

const create = defineCommand({
  meta: { name: "create", description: "Create a volume" },
  async run({ rawArgs }) {
    const p = parseFlags(
      rawArgs,
      [
        { name: "driver", short: "d", type: "string" },
        { name: "opt", short: "o", type: "list" },
        { name: "label", type: "list" },
        { name: "name", type: "string" },
      ],
      { stopAtPositional: false },
    );
    needArgs("volume create", p.positionals, 0, 1, "[OPTIONS] [VOLUME]");
    const name = p.positionals[0] ?? str(p, "name") ?? "";
    if (p.positionals[0] && str(p, "name") && str(p, "name") !== p.positionals[0]) {
      throw new ExitError(1, `conflicting options: either specify --name or provide positional arg, not both`);
    }
    const v = await getClient().json("POST", "/volumes/create", {
      body: { Name: name, Driver: str(p, "driver") ?? "local", DriverOpts: keyValues(list(p, "opt")), Labels: keyValues(list(p, "label")) },
    });
    process.stdout.write(`${v.Name}\n`);
  },
});

const headers: Record<string, string> = { Driver: "DRIVER", Name: "VOLUME NAME", Mountpoint: "MOUNTPOINT", Scope: "SCOPE", Labels: "LABELS", Links: "LINKS", Size: "SIZE" };

const ls = defineCommand({
  meta: { name: "ls", description: "List volumes" },
  async run({ rawArgs }) {
    const p = parseFlags(
      rawArgs,
      [
        { name: "quiet", short: "q", type: "bool" },
        { name: "filter", short: "f", type: "list" },
        { name: "format", type: "string" },
        { name: "cluster", type: "bool" },
      ],
      { stopAtPositional: false },
    );
    const r = await getClient().json("GET", "/volumes", { query: { filters: filtersQuery(p) } });
    const rows = (r.Volumes ?? []).map((v: any) => ({
      ...v,
      Labels: Object.entries(v.Labels ?? {}).map(([k, val]) => `${k}=${val}`).join(","),
      Links: "N/A",
      Size: "N/A",
    }));
    writeList(rows, { quiet: bool(p, "quiet"), format: str(p, "format"), headers, cols: ["Driver", "Name"], idKey: "Name" });
  },
});

const inspect = defineCommand({
  meta: { name: "inspect", description: "Display detailed information on one or more volumes" },
  run: ({ rawArgs }) => inspectObjects(rawArgs, { type: "volume", command: "volume inspect" }),
});

const rm = defineCommand({
  meta: { name: "rm", description: "Remove one or more volumes" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "force", short: "f", type: "bool" }], { stopAtPositional: false });
    needArgs("volume rm", p.positionals, 1);
    await forEachRef(p.positionals, async (name) => {
      await getClient().json("DELETE", `/volumes/${encodeURIComponent(name)}`, { query: { force: bool(p, "force") ? "1" : undefined } });
      process.stdout.write(`${name}\n`);
    });
  },
});

const prune = defineCommand({
  meta: { name: "prune", description: "Remove unused local volumes" },
  async run({ rawArgs }) {
    const p = parseFlags(
      rawArgs,
      [
        { name: "force", short: "f", type: "bool" },
        { name: "all", short: "a", type: "bool" },
        { name: "filter", type: "list" },
      ],
      { stopAtPositional: false },
    );
    if (!bool(p, "force")) {
      await confirm(`This will remove ${bool(p, "all") ? "all" : "anonymous"} local volumes not used by at least one container.`);
    }
    const filters = JSON.parse(filtersQuery(p) ?? "{}");
    if (bool(p, "all")) filters.all = { true: true };
    const r = await getClient().json("POST", "/volumes/prune", { query: { filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined } });
    const deleted: string[] = r.VolumesDeleted ?? [];
    if (deleted.length) process.stdout.write(`Deleted Volumes:\n${deleted.join("\n")}\n\n`);
    process.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0, 4)}\n`);
  },
});

export default defineCommand({
  meta: { name: "volume", description: "Manage volumes" },
  subCommands: { create, ls, list: ls, inspect, rm, remove: rm, prune },
});
