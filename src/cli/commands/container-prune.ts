import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, parseFlags } from "../flags.ts";
import { confirm, filtersQuery } from "../common.ts";

export default defineCommand({
  meta: { name: "prune", description: "Remove all stopped containers" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "force", short: "f", type: "bool" }, { name: "filter", type: "list" }], { stopAtPositional: false });
    if (!bool(p, "force")) await confirm("This will remove all stopped containers.");
    const r = await getClient().json("POST", "/containers/prune", { query: { filters: filtersQuery(p) } });
    const deleted: string[] = r.ContainersDeleted ?? [];
    if (deleted.length) process.stdout.write(`Deleted Containers:\n${deleted.join("\n")}\n\n`);
    process.stdout.write(`Total reclaimed space: ${r.SpaceReclaimed}B\n`);
  },
});
