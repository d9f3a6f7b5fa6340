import { describe, expect, it } from "vitest";
import { posixOffset } from "../../src/cli/localtime.ts";
import { ansic } from "../../src/cli/commands/version.ts";
import { rfc3339NanoFixed } from "../../src/cli/commands/events.ts";

describe("local time without the zone database", () => {
  it("reads fixed offsets from POSIX TZ strings, none from zones with DST rules", () => {
    expect(posixOffset("UTC0")).toBe(0);
    expect(posixOffset("EST5")).toBe(-300);
    expect(posixOffset("<+0530>-5:30")).toBe(330);
    expect(posixOffset("CET-1CEST,M3.5.0,M10.5.0/3")).toBeUndefined();
  });
  it("formats as Go does (UTC here unless TZ says otherwise)", () => {
    if (new Date(0).getTimezoneOffset() !== 0) return; // the formats below are UTC's
    expect(ansic("2026-12-04T14:34:42.518Z")).toBe("Fri Dec  4 14:34:42 2026");
    expect(rfc3339NanoFixed(1796395030465325312n)).toBe("2026-12-04T14:37:10.465325312Z");
  });
});
