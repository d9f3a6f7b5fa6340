// Time as Docker writes and reads it, in one place: the clock (RFC 3339 with
// nanoseconds), Go's durations (time.Duration.String and time.ParseDuration, which
// Docker's messages print and its `until`/`since` values accept), Docker's timestamp
// parameters and its human durations ("5 minutes").
import { invalidParameter } from "./errors.ts";

/** Go's zero time.Time, as dockerd sends a time that never happened. */
export const zeroTime = "0001-01-01T00:00:00Z";

/** RFC 3339 with nanoseconds, as Docker stamps log lines and state times. */
export function nowNano(): string {
  const t = performance.timeOrigin + performance.now(); // ms with µs precision
  const ms = Math.floor(t);
  const sub = Math.floor((t - ms) * 1e6); // the nanoseconds below the millisecond
  return new Date(ms).toISOString().slice(0, -1) + String(Math.min(sub, 999_999)).padStart(6, "0") + "Z";
}

/** Formats nanoseconds as Go does. */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  let u = Math.abs(Math.round(ns));
  let out: string;
  if (u < 1e9) {
    const [unit, div] = u < 1e3 ? ["ns", 1] : u < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
    out = `${exact(u / div)}${unit}`;
  } else {
    const h = Math.floor(u / 3.6e12);
    u -= h * 3.6e12;
    const m = Math.floor(u / 6e10);
    u -= m * 6e10;
    out = `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${exact(u / 1e9)}s`;
  }
  return (ns < 0 ? "-" : "") + out;
}

/** A number with at most nine decimals and no trailing zeros. */
function exact(x: number): string {
  return String(Number(x.toFixed(9)));
}

const unitNs: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };

/** Parses Go's duration syntax (`300ms`, `1.5s`, `1m30s`) to nanoseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * unitNs[m[2]!]!;
    at = re.lastIndex;
  }
  return at > 0 ? Math.round(total) : undefined;
}

/** Parses a Docker timestamp parameter (`seconds[.nanos]` or RFC 3339) into nanoseconds. */
export function parseTimestampNano(raw: string, name: string): bigint {
  if (/^\d+(\.\d{1,9})?$/.test(raw)) {
    const [s, frac = ""] = raw.split(".");
    return BigInt(s!) * 1_000_000_000n + BigInt(frac.padEnd(9, "0"));
  }
  // A Go duration (`24h`, `90m`) is that long before now, as in dockerd's GetTimestamp.
  const ago = raw === "0" ? undefined : parseGoDuration(raw);
  if (ago !== undefined) return BigInt(Date.now()) * 1_000_000n - BigInt(ago);
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw invalidParameter(`invalid value for ${name}: ${raw}`);
  return BigInt(t) * 1_000_000n;
}

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  // Go's units.HumanDuration truncates seconds and minutes and rounds hours.
  const sec = Math.floor(ms / 1000);
  if (sec < 1) return "Less than a second";
  if (sec === 1) return "1 second";
  if (sec < 60) return `${sec} seconds`;
  const min = Math.floor(ms / 60_000);
  if (min === 1) return "About a minute";
  if (min < 60) return `${min} minutes`;
  const h = Math.round(ms / 3_600_000);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}
