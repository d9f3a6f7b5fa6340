// What every benchmark reports: rows with one cell per engine, gathered by run.ts into
// one table. A cell is either a measurement (median, min, max over its runs) or the
// reason that engine was not measured, so a missing peer never turns into a number.
import { appendFileSync } from "node:fs";

export const engineNames = ["wharf", "docker", "podman"] as const;
export type EngineName = (typeof engineNames)[number];

export interface Measured {
  median: number;
  min: number;
  max: number;
  runs: number;
}
export interface Skipped {
  skipped: string;
}
export type Cell = Measured | Skipped;

export interface Row {
  bench: string;
  name: string;
  unit: string;
  /** Whether a smaller figure is the better one (times, memory) or a larger (rates). */
  better: "lower" | "higher";
  cells: Record<EngineName, Cell>;
  /** The target the row is held against, in words, with whom it compares. */
  target?: string;
  /** The same target as a check on wharf's median: at most / at least a figure, or a multiple of a peer's. */
  goal?: Goal;
}

export interface Goal {
  max?: number;
  min?: number;
  /** With `min`/`max`: the bound applies to wharf's median divided by this peer's. */
  ratioTo?: EngineName;
}

/** Whether wharf's median meets the row's goal, and by how much it misses (in the goal's terms). */
export function judge(row: Row): { met: boolean; text: string } | undefined {
  const g = row.goal;
  const w = row.cells.wharf;
  if (!g || !isMeasured(w)) return undefined;
  let x = w.median;
  let unit = ` ${row.unit}`;
  if (g.ratioTo) {
    const r = ratio(row, g.ratioTo);
    if (r === undefined) return { met: false, text: `not judged: no ${g.ratioTo} figure` };
    x = r;
    unit = "×";
  }
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  if (g.max !== undefined && x > g.max) return { met: false, text: `missed by ${f(x - g.max)}${unit} (${f(x)}${unit})` };
  if (g.min !== undefined && x < g.min) return { met: false, text: `missed by ${f(g.min - x)}${unit} (${f(x)}${unit})` };
  return { met: true, text: `met (${f(x)}${unit})` };
}

export function measured(xs: number[]): Measured {
  if (!xs.length) throw new Error("no runs to summarise");
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2, min: s[0]!, max: s.at(-1)!, runs: s.length };
}

export const isMeasured = (c: Cell | undefined): c is Measured => !!c && "median" in c;

/** Where run.ts collects rows; a bench run alone prints its rows instead. */
const out = process.env.WHARF_BENCH_OUT;

export function report(row: Row): void {
  if (out) appendFileSync(out, JSON.stringify(row) + "\n");
  const cells = engineNames.map((e) => `${e} ${formatCell(row.cells[e], row.unit)}`).join("  ");
  console.log(`  ${row.name}: ${cells}`);
}

export function formatCell(c: Cell | undefined, unit: string): string {
  if (!c) return "—";
  if (!isMeasured(c)) return `not measured (${c.skipped})`;
  const n = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  return `${n(c.median)} ${unit} [${n(c.min)}–${n(c.max)}]`;
}

/** wharf's figure as a multiple of the peer's (for times: below 1 is faster). */
export function ratio(row: Row, peer: EngineName): number | undefined {
  const w = row.cells.wharf;
  const p = row.cells[peer];
  if (!isMeasured(w) || !isMeasured(p) || p.median === 0) return undefined;
  return w.median / p.median;
}
