// Go's durations: time.Duration.String(), which Docker's messages print (500ms, 1.5s,
// 1m30s, 1h0m0s), and time.ParseDuration, which its `until`/`since` values accept.

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
