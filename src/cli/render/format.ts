// `--format` for list commands: `table …` renders a header row plus one row per item
// through the tabwriter; anything else is one template execution per item.
import { compileTemplate } from "./template.ts";
import { renderTable } from "./table.ts";
import { out } from "../output.ts";

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
  // `.Label "com.example.app"` heads its column with the key's last part, as docker 28 prints it.
  const label = (name: string) => name.split(".").pop()!;
  const header = compileTemplate(body).execute(
    new Proxy({}, { get: (_o, k) => (k === "Label" ? label : headers[String(k)] ?? String(k).toUpperCase()) }),
  );
  const rows = [header, ...items.map((i) => t.execute(i))].map((line) => line.split("\t"));
  return renderTable(rows);
}

/** `--format` for a single object (inspect, version, info). */
export function formatOne(format: string, item: unknown, opts: { structOrder?: boolean; missingKeyError?: boolean } = {}): string {
  if (format === "json") format = "{{json .}}";
  return compileTemplate(format, opts).execute(item) + "\n";
}

/**
 * How list commands print (ps, images, history): `-q` gives the IDs (each once when
 * `uniqueIds`, as `images -q` does), a `--format` goes through the template, otherwise
 * docker's table of `cols`.
 */
export function writeList<R extends object>(
  rows: R[],
  opts: {
    quiet: boolean;
    uniqueIds?: boolean;
    format?: string;
    headers: Record<string, string>;
    cols: (keyof R & string)[];
    /** The field `-q` prints; `ID` unless the object is known by another (a volume's Name). */
    idKey?: keyof R & string;
  },
): void {
  if (opts.quiet) {
    const key = (opts.idKey ?? "ID") as keyof R;
    const all = rows.map((r) => String(r[key]));
    const ids = opts.uniqueIds ? [...new Set(all)] : all;
    out(ids.map((id) => `${id}\n`).join(""));
    return;
  }
  if (opts.format) {
    out(formatList(opts.format, rows, opts.headers));
    return;
  }
  const table = [opts.cols.map((c) => opts.headers[c] ?? c), ...rows.map((r) => opts.cols.map((c) => String(r[c] ?? "")))];
  out(renderTable(table));
}
