// Local time for the texts docker prints in local time (version's Built, events), without
// Date's local-time methods: their first call loads the time-zone database, which costs
// a command more than the rest of its start-up. The zone's offset is read from the TZif
// footer (a POSIX TZ string) of /etc/localtime or $TZ's zone file; only a zone with
// daylight-saving rules falls back to Date.

/** Minutes east of UTC when the zone has one fixed offset; undefined otherwise. */
export function posixOffset(tz: string): number | undefined {
  const m = /^(?:<[^>]+>|[A-Za-z]{3,})([+-]?)(\d{1,2})(?::(\d{2}))?$/.exec(tz.trim());
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  // POSIX counts west of Greenwich as positive.
  return minutes === 0 ? 0 : m[1] === "-" ? minutes : -minutes;
}

let fixed: number | undefined;
let prepared = false;

/** Reads the zone's footer once; call before localParts. */
export async function prepareLocalZone(): Promise<void> {
  if (prepared) return;
  prepared = true;
  const tz = process.env.TZ?.replace(/^:/, "");
  if (tz !== undefined && (tz === "" || /^(Etc\/)?(UTC|UCT|GMT|Zulu|Universal)$/.test(tz))) {
    fixed = 0;
    return;
  }
  if (tz && posixOffset(tz) !== undefined) {
    fixed = posixOffset(tz);
    return;
  }
  const file = tz ? (tz.startsWith("/") ? tz : `/usr/share/zoneinfo/${tz}`) : "/etc/localtime";
  try {
    const b = await Bun.file(file).bytes();
    const footer = new TextDecoder().decode(b.subarray(b.lastIndexOf(10, b.length - 2) + 1)).trim();
    fixed = posixOffset(footer);
  } catch {
    fixed = tz ? undefined : 0; // no /etc/localtime: the C library's default is UTC
  }
}

export function offsetMinutes(ms: number): number {
  return fixed ?? -new Date(ms).getTimezoneOffset();
}

/** A Date whose UTC fields read as the local time of `ms`. */
export function localDate(ms: number): Date {
  return new Date(ms + offsetMinutes(ms) * 60_000);
}

/** `Z` or `+01:00`, as Go's time formats write a zone. */
export function zoneSuffix(ms: number): string {
  const off = offsetMinutes(ms);
  if (off === 0) return "Z";
  const a = Math.abs(off);
  return `${off < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}
