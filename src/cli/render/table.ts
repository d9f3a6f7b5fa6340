// Docker's tables come from Go's tabwriter with minwidth 10, padding 3 and spaces:
// every column but the last is padded to max(widest cell + 3, 10), counted in runes.
export function renderTable(rows: string[][]): string {
  if (!rows.length) return "";
  const cols = Math.max(...rows.map((r) => r.length));
  // Runes, not UTF-16 units; ASCII (nearly every cell) needs no splitting.
  const len = (s: string) => (/^[\x00-\x7f]*$/.test(s) ? s.length : [...s].length);
  const widths = Array.from({ length: cols - 1 }, (_, c) => Math.max(10, ...rows.map((r) => len(r[c] ?? "") + 3)));
  return rows
    .map((r) => r.map((cell, c) => (c < r.length - 1 ? cell + " ".repeat(widths[c]! - len(cell)) : cell)).join(""))
    .join("\n") + "\n";
}

/** Cuts a string to n runes with a trailing ellipsis, as docker's CLI does. */
export function ellipsis(s: string, n: number): string {
  const r = [...s];
  return r.length <= n ? s : r.slice(0, n - 1).join("") + "…";
}
