import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, list, parseFlags, str } from "../flags.ts";
import { ellipsis } from "../render/table.ts";
import { writeList } from "../render/format.ts";
import { filtersQuery, humanSize } from "../common.ts";
import { humanDuration } from "../../container/state.ts";

const headers = {
  ID: "CONTAINER ID", Image: "IMAGE", Command: "COMMAND", CreatedAt: "CREATED AT", RunningFor: "CREATED",
  Status: "STATUS", Ports: "PORTS", Names: "NAMES", Size: "SIZE", Labels: "LABELS", State: "STATE", Mounts: "MOUNTS", Networks: "NETWORKS",
};

function portsText(ports: any[]): string {
  return (ports ?? [])
    .map((p) => (p.PublicPort ? `${p.IP === "::" ? "[::]" : p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`))
    .join(", ");
}

export default defineCommand({
  meta: { name: "ps", description: "List containers" },
  async run({ rawArgs }) {
    const p = parseFlags(
      rawArgs,
      [
        { name: "all", short: "a", type: "bool" },
        { name: "quiet", short: "q", type: "bool" },
        { name: "last", short: "n", type: "string" },
        { name: "latest", short: "l", type: "bool" },
        { name: "size", short: "s", type: "bool" },
        { name: "no-trunc", type: "bool" },
        { name: "filter", short: "f", type: "list" },
        { name: "format", type: "string" },
      ],
      { stopAtPositional: false },
    );
    const last = str(p, "last");
    const limit = bool(p, "latest") ? 1 : last ? Number(last) : undefined;
    const items: any[] = await getClient().json("GET", "/containers/json", {
      query: {
        all: bool(p, "all") || limit !== undefined ? "1" : undefined,
        limit,
        size: bool(p, "size") ? "1" : undefined,
        filters: filtersQuery(p),
      },
    });
    const noTrunc = bool(p, "no-trunc");
    const rows = items.map((c) => ({
      ID: noTrunc ? c.Id : c.Id.slice(0, 12),
      Image: c.Image,
      Command: noTrunc ? JSON.stringify(c.Command) : `"${ellipsis(c.Command, 20)}"`,
      CreatedAt: new Date(c.Created * 1000).toISOString(),
      RunningFor: `${humanDuration(Date.now() - c.Created * 1000)} ago`,
      Status: c.Status,
      State: c.State,
      Ports: portsText(c.Ports),
      Names: c.Names.map((n: string) => n.slice(1)).join(","),
      Labels: Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
      Size: c.SizeRw !== undefined ? `${humanSize(c.SizeRw)} (virtual ${humanSize(c.SizeRootFs ?? 0)})` : "",
      Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(","),
      Mounts: (c.Mounts ?? []).map((m: any) => m.Name || m.Source).join(","),
    }));
    writeList(rows, {
      quiet: bool(p, "quiet"),
      format: str(p, "format"),
      headers,
      cols: ["ID", "Image", "Command", "RunningFor", "Status", "Ports", "Names", ...(bool(p, "size") ? (["Size"] as const) : [])],
    });
  },
});
