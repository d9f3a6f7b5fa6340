import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, list, parseFlags } from "../flags.ts";
import { ExitError } from "../exit.ts";

export default defineCommand({
  meta: { name: "prune", description: "Remove all stopped containers" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "force", short: "f", type: "bool" }, { name: "filter", type: "list" }], { stopAtPositional: false });
    if (!bool(p, "force")) {
      process.stdout.write("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
      const answer = await new Promise<string>((r) => process.stdin.once("data", (d) => r(String(d))).once("end", () => r("")));
      process.stdin.pause();
      if (!/^y(es)?$/i.test(answer.trim())) throw new ExitError(0);
    }
    const filters: Record<string, Record<string, boolean>> = {};
    for (const f of list(p, "filter")) {
      const i = f.indexOf("=");
      (filters[f.slice(0, i)] ??= {})[f.slice(i + 1)] = true;
    }
    const r = await getClient().json("POST", "/containers/prune", { query: { filters: JSON.stringify(filters) } });
    const deleted: string[] = r.ContainersDeleted ?? [];
    if (deleted.length) process.stdout.write(`Deleted Containers:\n${deleted.join("\n")}\n\n`);
    process.stdout.write(`Total reclaimed space: ${r.SpaceReclaimed}B\n`);
  },
});
