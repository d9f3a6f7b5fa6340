// What an idle daemon gives back. Starting touches far more of the binary (the JS
// runtime, the bundle, every module's top level) than serving does, and those clean
// pages stay mapped, counted in the daemon's resident set and PSS, until the kernel
// reclaims them under pressure. Dropping the mappings at once returns them; the pages
// stay in the page cache, so whatever is needed again maps back with a minor fault.
import { readFileSync } from "node:fs";
import { dropFilePages } from "./libc.ts";

/** Read-only file mappings with no private page; answers the bytes they spanned. */
export function dropIdleFilePages(): number {
  let dropped = 0;
  // smaps, not maps: "Anonymous: 0 kB" is what proves no page of a mapping was copied.
  const blocks = readFileSync("/proc/self/smaps", "utf8").split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  for (const b of blocks) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (r-xp|r--p) [0-9a-f]+ \S+ (\d+)\s+(\/\S.*)/.exec(b);
    if (!m || m[4] === "0") continue;
    if (!/^Anonymous:\s+0 kB$/m.test(b) || !/^Rss:/m.test(b)) continue;
    const start = BigInt(`0x${m[1]}`);
    const length = BigInt(`0x${m[2]}`) - start;
    try {
      dropFilePages(start, length);
      dropped += Number(length);
    } catch {
      // A mapping that went away or refuses (locked pages): it simply stays.
    }
  }
  return dropped;
}

/** How long a daemon or monitor is quiet before it trims. */
export const idleTrimMs = 5000;

/** Gives back what an idle process holds: the garbage of its heap, then clean file pages. */
export function trimIdle(): void {
  Bun.gc(true);
  dropIdleFilePages();
}

/**
 * Trims once whenever `activity` (a counter the process bumps per piece of work) has
 * stood still for a whole `quietMs` interval, and not again until it moves: a busy
 * process is never trimmed, a process that went quiet is, between quietMs and twice that
 * after its last work.
 */
export function trimWhenQuiet(activity: () => number, quietMs: number, trim: () => void = trimIdle): { stop(): void } {
  let last = activity();
  let trimmed = false;
  const timer = setInterval(() => {
    const now = activity();
    if (now !== last) {
      last = now;
      trimmed = false;
    } else if (!trimmed) {
      trimmed = true;
      trim();
    }
  }, quietMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
