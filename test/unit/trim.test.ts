import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { dropIdleFilePages, trimWhenQuiet } from "../../src/sys/trim.ts";

const pssFileKb = () => Number(/^Pss_File:\s+(\d+) kB/m.exec(readFileSync("/proc/self/smaps_rollup", "utf8"))?.[1]);

describe("trimWhenQuiet", () => {
  test("trims once per quiet stretch, never while the counter moves", async () => {
    let work = 0;
    let trims = 0;
    const t = trimWhenQuiet(() => work, 40, () => trims++);
    try {
      // Busy: the counter moves every 10 ms for 200 ms.
      for (let i = 0; i < 20; i++) {
        work++;
        await Bun.sleep(10);
      }
      expect(trims).toBe(0);
      await Bun.sleep(200); // quiet for five intervals: one trim, not five
      expect(trims).toBe(1);
      work++;
      await Bun.sleep(200); // work again, then quiet: one more
      expect(trims).toBe(2);
    } finally {
      t.stop();
    }
    await Bun.sleep(100);
    expect(trims).toBe(2);
  });
});

describe("dropIdleFilePages", () => {
  test("gives back clean file pages, and the process runs on", () => {
    const before = pssFileKb();
    const dropped = dropIdleFilePages();
    const after = pssFileKb();
    expect(dropped).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);
    // The code whose pages went away still runs: they fault back in from the cache.
    expect(JSON.parse(JSON.stringify({ ok: [1, 2, 3] }))).toEqual({ ok: [1, 2, 3] });
    expect(readFileSync("/proc/self/stat", "utf8")).toMatch(/^\d+ /);
  });
});
