import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str, type Parsed } from "../flags.ts";
import { compileTemplate, TemplateError } from "../render/template.ts";
import { ExitError } from "../exit.ts";
import { WharfError } from "../../errors.ts";
import { out } from "../output.ts";

const kinds: Record<string, (ref: string, size: boolean) => string> = {
  container: (ref, size) => `/containers/${encodeURIComponent(ref)}/json${size ? "?size=1" : ""}`,
  image: (ref) => `/images/${encodeURIComponent(ref)}/json`,
  network: (ref) => `/networks/${encodeURIComponent(ref)}`,
  volume: (ref) => `/volumes/${encodeURIComponent(ref)}`,
};

/** `inspect`, or a type's own inspect command (`volume inspect`: `own` is its type). */
export async function inspect(p: Parsed, own?: string): Promise<void> {
  const type = own ?? str(p, "type");
  if (type && !kinds[type]) throw new ExitError(1, `"${type}" is not a valid value for --type`);
  const order = type ? [type] : Object.keys(kinds);
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const ref of p.positionals) {
    let hit: unknown;
    let missing = "";
    for (const kind of order) {
      try {
        hit = await getClient().json("GET", kinds[kind]!(ref, bool(p, "size")));
        break;
      } catch (err) {
        if (!(err instanceof WharfError && err.kind === "notFound")) throw err;
        missing = err.message;
      }
    }
    // With --type the daemon's own answer is shown, as the docker CLI does.
    const prefix = "Error response from daemon: ";
    if (hit === undefined) errors.push(type ? (missing.startsWith(prefix) ? missing : prefix + missing) : `Error: No such object: ${ref}`);
    else found.push(hit);
  }
  const format = str(p, "format");
  if (format) {
    // docker decodes inspect answers into maps (a missing key is an error), volumes into a struct.
    const t = compileTemplate(format === "json" ? "{{json .}}" : format, { missingKeyError: true, structName: own === "volume" ? "volume.Volume" : undefined });
    // As docker: every object is tried, the first template error reported at the end,
    // and an empty line printed when none came out.
    let printed = false;
    let failed: string | undefined;
    for (const o of found) {
      try {
        out(t.execute(o) + "\n");
        printed = true;
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        failed ??= `template parsing error: ${err.message}`;
      }
    }
    if (!printed) out("\n");
    if (failed) errors.unshift(failed);
  }
  else out(JSON.stringify(found, null, 4) + "\n");
  if (errors.length) throw new ExitError(1, errors.join("\n"));
}

export const inspectAny: Runner = (p) => inspect(p);

/** `wharf container inspect`: inspect with --type container. */
export const containerInspect: Runner = (p) => inspect(p, "container");
