// Helpers the list and management commands share: docker's size and time texts, filters,
// argument counts, the prune prompt and going on past a failing object.
import { humanDuration } from "../time.ts";
import { FlagError, list, type Parsed } from "./flags.ts";
import { ExitError } from "./exit.ts";
import { errorMessage } from "../errors.ts";
import { out } from "./output.ts";

/** go-units HumanSizeWithPrecision: decimal units; docker lists use 3 digits, prune totals 4. */
export function humanSize(n: number, precision = 3): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(precision))}${units[i]}`;
}

export const createdSince = (unix: number) => (unix > 0 ? `${humanDuration(Date.now() - unix * 1000)} ago` : "N/A");

/** Go's time.Time String() in UTC: `2026-11-23 07:08:10 +0000 UTC`. */
export function goTime(unix: number): string {
  return new Date(unix * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " +0000 UTC");
}

export const shortId = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);

/**
 * `KEY=VALUE` flags as an object; a bare `KEY` maps to "". With `strict` (the flag's
 * name) a missing `=` is an error, as for --sysctl and --log-opt.
 */
export function keyValues(items: string[], strict?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of items) {
    const i = kv.indexOf("=");
    if (i <= 0 && strict) throw new FlagError(`invalid ${strict}: ${kv}: want KEY=VALUE`);
    if (i < 0) out[kv] = "";
    else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** `--filter k=v` flags as the API's filters JSON. */
export function filtersQuery(p: Parsed): string | undefined {
  const filters: Record<string, Record<string, boolean>> = {};
  for (const f of list(p, "filter")) {
    const i = f.indexOf("=");
    if (i < 0) throw new ExitError(125, `invalid argument "${f}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
    (filters[f.slice(0, i)] ??= {})[f.slice(i + 1)] = true;
  }
  return Object.keys(filters).length ? JSON.stringify(filters) : undefined;
}


/** docker's prune prompt: the warning and a y/N question; any answer but yes ends the command with 0. */
export async function confirm(warning: string): Promise<void> {
  out(`WARNING! ${warning}\nAre you sure you want to continue? [y/N] `);
  const answer = await new Promise<string>((r) => process.stdin.once("data", (d) => r(String(d))).once("end", () => r("")));
  process.stdin.pause();
  if (!/^y(es)?$/i.test(answer.trim())) throw new ExitError(0);
}

/**
 * Runs `fn` for every ref, going on past failures, then exits 1 with all their messages,
 * as docker's commands on several objects do. `message` may pass over an error (undefined).
 */
export async function forEachRef(
  refs: string[],
  fn: (ref: string) => Promise<void>,
  message: (err: unknown) => string | undefined = errorMessage,
): Promise<void> {
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await fn(ref);
    } catch (err) {
      const m = message(err);
      if (m !== undefined) errors.push(m);
    }
  }
  if (errors.length) throw new ExitError(1, errors.join("\n"));
}
