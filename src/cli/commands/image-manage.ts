// `wharf rmi`, `wharf tag`, `wharf image prune`, `wharf image inspect`.
import type { ImageDeleteResponseItem } from "../../api/types/index.ts";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { formatOne } from "../render/format.ts";
import { WharfError } from "../../errors.ts";
import { parseNormalized, familiarName } from "../../image/reference.ts";
import { confirm, filtersQuery, humanSize } from "../common.ts";
import { out } from "../output.ts";

const path = (name: string) => `/images/${encodeURIComponent(name)}`;

export const rmi: Runner = async (p) => {
  const errors: string[] = [];
  for (const name of p.positionals) {
    try {
      const items = await getClient().json<ImageDeleteResponseItem[]>("DELETE", path(name), {
        query: { force: bool(p, "force") ? "1" : undefined, noprune: bool(p, "no-prune") ? "1" : undefined },
      });
      for (const i of items) out(i.Untagged ? `Untagged: ${i.Untagged}\n` : `Deleted: ${i.Deleted}\n`);
    } catch (err) {
      if (!(err instanceof WharfError)) throw err;
      errors.push(err.message);
    }
  }
  if (errors.length) throw new ExitError(1, errors.join("\n"));
};

export const tag: Runner = async (p) => {
  const [source, target] = p.positionals as [string, string];
  let ref;
  try {
    ref = parseNormalized(target);
  } catch (err) {
    throw new ExitError(1, `Error parsing reference: "${target}" is not a valid repository/tag: ${(err as Error).message}`);
  }
  if (ref.digest) throw new ExitError(1, "refusing to create a tag with a digest reference");
  await getClient().json("POST", `${path(source)}/tag`, { query: { repo: familiarName(ref), tag: ref.tag ?? "latest" } });
};

export const prune: Runner = async (p) => {
  const all = bool(p, "all");
  if (!bool(p, "force")) {
    await confirm(all ? "This will remove all images without at least one container associated to them." : "This will remove all dangling images.");
  }
  const filters = JSON.parse(filtersQuery(p) ?? "{}");
  if (all) filters.dangling = { false: true };
  const r = await getClient().json<{ ImagesDeleted: ImageDeleteResponseItem[] | null; SpaceReclaimed: number }>("POST", "/images/prune", { query: { filters: JSON.stringify(filters) } });
  const items: ImageDeleteResponseItem[] = r.ImagesDeleted ?? [];
  if (items.length) {
    out("Deleted Images:\n");
    for (const i of items) out(i.Untagged ? `untagged: ${i.Untagged}\n` : `deleted: ${i.Deleted}\n`);
    out("\n");
  }
  out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed, 4)}\n`);
};

export const inspect: Runner = async (p) => {
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of p.positionals) {
    try {
      found.push(await getClient().json("GET", `${path(name)}/json`));
    } catch (err) {
      if (!(err instanceof WharfError && err.kind === "notFound")) throw err;
      errors.push(`Error: No such image: ${name}`);
    }
  }
  const format = str(p, "format");
  if (format) for (const o of found) out(formatOne(format, o));
  else out(JSON.stringify(found, null, 4) + "\n");
  if (errors.length) throw new ExitError(1, errors.join("\n"));
};
