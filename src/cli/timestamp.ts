// docker's CLI turns --since/--until values (durations like `10m`, RFC 3339 dates, Unix
// seconds) into the `seconds.nanoseconds` the API takes.
import { ExitError } from "./exit.ts";
import { parseGoDuration } from "../time.ts";

export function clientTimestamp(v: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(v)) return v;
  const ago = parseGoDuration(v);
  if (ago !== undefined) return ((now - ago / 1e6) / 1000).toFixed(9);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ExitError(1, `invalid value for time: ${v}`);
  return (t / 1000).toFixed(9);
}
