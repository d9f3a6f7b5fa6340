// Partial layer downloads are kept on purpose so a cut-off pull resumes (blob.ts), and
// dropped once their pull completes. One that no pull came back for is dropped here when
// it has not been written to for a day: at daemon start and before each pull.
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

export const partialMaxAgeMs = 24 * 3600 * 1000;

/** Removes partial files untouched for `maxAgeMs`; returns their names. */
export function sweepStalePartials(dir: string, maxAgeMs = partialMaxAgeMs, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const gone: string[] = [];
  for (const n of names) {
    const p = join(dir, n);
    try {
      if (now - statSync(p).mtimeMs < maxAgeMs) continue;
      rmSync(p, { force: true, recursive: true });
      gone.push(n);
    } catch {
      // Gone already (another pull finished with it).
    }
  }
  return gone;
}
