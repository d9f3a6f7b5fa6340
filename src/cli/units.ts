// Sizes and durations as docker's CLI reads them.
import { FlagError } from "./flags.ts";

/** `64m`, `1g`, `512k`, `100b`, `1024` → bytes (binary units, as docker's RAMInBytes). */
export function ramInBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgtp]?)(i?b)?$/i.exec(s.trim());
  if (!m) throw new FlagError(`invalid size: '${s}'`);
  const mult: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.round(Number(m[1]) * mult[m[2]!.toLowerCase()]!);
}

/** `--cpus 1.5` → NanoCpus. */
export function nanoCpus(s: string): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw new FlagError(`invalid argument "${s}" for "--cpus" flag: failed to parse ${s} as a rational number`);
  return Math.round(n * 1e9);
}
