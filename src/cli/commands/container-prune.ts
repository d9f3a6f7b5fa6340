import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool } from "../flags.ts";
import { confirm, filtersQuery } from "../common.ts";
import { out } from "../output.ts";

export const prune: Runner = async (p) => {
  if (!bool(p, "force")) await confirm("This will remove all stopped containers.");
  const r = await getClient().json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>("POST", "/containers/prune", { query: { filters: filtersQuery(p) } });
  const deleted: string[] = r.ContainersDeleted ?? [];
  if (deleted.length) out(`Deleted Containers:\n${deleted.join("\n")}\n\n`);
  out(`Total reclaimed space: ${r.SpaceReclaimed}B\n`);
};
