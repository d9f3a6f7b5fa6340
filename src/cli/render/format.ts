// `--format` for list commands: `table …` renders a header row plus one row per item
// through the tabwriter; anything else is one template execution per item.
import { compileTemplate } from "./template.ts";
import { renderTable } from "./table.ts";

export function formatList<T>(format: string, items: T[], headers: Record<string, string>): string {
  if (format === "json") format = "{{json .}}";
  const isTable = format.startsWith("table");
  if (!isTable) {
    const t = compileTemplate(format);
    return items.map((i) => t.execute(i) + "\n").join("");
  }
  const body = format.slice(5).trim().replace(/\\t/g, "\t");
  const t = compileTemplate(body);
  // The header row is the same template run over the column titles.
  const header = compileTemplate(body).execute(new Proxy({}, { get: (_o, k) => headers[String(k)] ?? String(k).toUpperCase() }));
  const rows = [header, ...items.map((i) => t.execute(i))].map((line) => line.split("\t"));
  return renderTable(rows);
}

/** `--format` for a single object (inspect, version, info). */
export function formatOne(format: string, item: unknown): string {
  if (format === "json") format = "{{json .}}";
  return compileTemplate(format).execute(item) + "\n";
}
