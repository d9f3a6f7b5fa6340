// `--format` for list commands: `table …` renders a header row plus one row per item
// through the tabwriter; anything else is one template execution per item.
import { compileTemplate, TemplateError, type Template } from "./template.ts";
import { ExitError } from "../exit.ts";
import { renderTable } from "./table.ts";
import { out } from "../output.ts";

/**
 * How a list's template fails as docker's: `structName` is the Go type its rows are (a
 * field it lacks is an error, not `<no value>`), with the command's words for the errors.
 */
export interface ListTemplate {
  structName?: string;
  parseError?: string;
  execError?: string;
}

export function formatList<T>(format: string, items: T[], headers: Record<string, string>, tpl: ListTemplate = {}): string {
  if (format === "json") format = "{{json .}}";
  const isTable = format.startsWith("table");
  const fail = (prefix: string | undefined, err: unknown): never => {
    if (err instanceof TemplateError) throw new ExitError(1, `${prefix ?? "template parsing error"}: ${err.message}`);
    throw err;
  };
  const compile = (src: string): Template => {
    try {
      return compileTemplate(src, tpl.structName ? { missingKeyError: true, structName: tpl.structName } : {});
    } catch (err) {
      return fail(tpl.parseError, err);
    }
  };
  const execute = (t: Template, item: T): string => {
    try {
      return t.execute(item);
    } catch (err) {
      return fail(tpl.execError, err);
    }
  };
  if (!isTable) {
    const t = compile(format);
    return items.map((i) => execute(t, i) + "\n").join("");
  }
  const body = format.slice(5).trim().replace(/\\t/g, "\t");
  const t = compile(body);
  // The header row is the same template run over the column titles.
  // `.Label "com.example.app"` heads its column with the key's last part, as docker 28 prints it.
  const label = (name: string) => name.split(".").pop()!;
  const header = compileTemplate(body).execute(
    new Proxy({}, { get: (_o, k) => (k === "Label" ? label : headers[String(k)] ?? String(k).toUpperCase()) }),
  );
  const rows = [header, ...items.map((i) => execute(t, i))].map((line) => line.split("\t"));
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
    template?: ListTemplate;
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
    out(formatList(opts.format, rows, opts.headers, opts.template));
    return;
  }
  const table = [opts.cols.map((c) => opts.headers[c] ?? c), ...rows.map((r) => opts.cols.map((c) => String(r[c] ?? "")))];
  out(renderTable(table));
}
