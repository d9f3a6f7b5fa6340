import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, parseFlags } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { filtersQuery } from "../common.ts";

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
    const r = await getClient().json("POST", "/containers/prune", { query: { filters: filtersQuery(p) } });
    const deleted: string[] = r.ContainersDeleted ?? [];
    if (deleted.length) process.stdout.write(`Deleted Containers:\n${deleted.join("\n")}\n\n`);
    process.stdout.write(`Total reclaimed space: ${r.SpaceReclaimed}B\n`);
  },
});
