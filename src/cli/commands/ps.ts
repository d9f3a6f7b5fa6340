import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { writeList } from "../render/format.ts";
import { filtersQuery } from "../common.ts";
import { PsRow, psHeaders, type PsEntry } from "../render/pscontext.ts";
import { ExitError } from "../exit.ts";

export const ps: Runner = async (p) => {
  const last = str(p, "last");
  if (last !== undefined && !/^-?\d+$/.test(last)) {
    throw new ExitError(125, `invalid argument "${last}" for "-n, --last" flag: strconv.ParseInt: parsing "${last}": invalid syntax`);
  }
  const n = bool(p, "latest") ? 1 : last !== undefined ? Number(last) : -1;
  const format = str(p, "format");
  // As the docker CLI: a format that shows .Size (or all of `.`) asks the daemon for sizes.
  const size = bool(p, "size") || (!!format && !bool(p, "quiet") && /\.Size\b|json\s+\.\s*}}/.test(format));
  const items = await getClient().json<PsEntry[]>("GET", "/containers/json", {
    query: {
      all: bool(p, "all") ? "1" : undefined,
      limit: n > 0 ? n : undefined,
      size: size ? "1" : undefined,
      filters: filtersQuery(p),
    },
  });
  const rows = items.map((c) => new PsRow(c, !bool(p, "no-trunc")));
  writeList(rows, {
    quiet: bool(p, "quiet"),
    format: format && format !== "table" ? format : undefined,
    headers: psHeaders,
    cols: ["ID", "Image", "Command", "RunningFor", "Status", "Ports", "Names", ...(bool(p, "size") ? (["Size"] as const) : [])],
    template: { structName: "*formatter.ContainerContext", parseError: "failed to parse template", execError: "failed to execute template" },
  });
};
