// wharf search: GET /images/search, docker's table (NAME, DESCRIPTION, STARS, OFFICIAL).
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { filtersQuery } from "../common.ts";
import { writeList } from "../render/format.ts";

interface Result { name: string; description: string; star_count: number; is_official: boolean }

export const search: Runner = async (p) => {
  const results: Result[] = await getClient().json("GET", "/images/search", {
    query: { term: p.positionals[0], limit: str(p, "limit"), filters: filtersQuery(p) },
  });
  const trunc = !bool(p, "no-trunc");
  const rows = results.map((r) => {
    const d = r.description.replace(/\s+/g, " ");
    return { Name: r.name, Description: trunc && d.length > 45 ? d.slice(0, 44) + "…" : d, StarCount: String(r.star_count), IsOfficial: r.is_official ? "[OK]" : "" };
  });
  writeList(rows, {
    quiet: false,
    format: str(p, "format"),
    headers: { Name: "NAME", Description: "DESCRIPTION", StarCount: "STARS", IsOfficial: "OFFICIAL" },
    cols: ["Name", "Description", "StarCount", "IsOfficial"],
  });
};
