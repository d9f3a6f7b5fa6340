// The image commands' pure parts: rows per tag, docker's size texts.
import { describe, expect, it } from "vitest";
import { imageRows } from "../../src/cli/commands/images.ts";
import { humanSize, goTime, shortId } from "../../src/cli/common.ts";

describe("image CLI helpers", () => {
  it("sizes as go-units prints them", () => {
    expect(humanSize(0)).toBe("0B");
    expect(humanSize(999)).toBe("999B");
    expect(humanSize(1984172)).toBe("1.98MB");
    expect(humanSize(1984172, 4)).toBe("1.984MB");
    expect(humanSize(210_000_000)).toBe("210MB");
    expect(humanSize(1500)).toBe("1.5kB");
  });

  it("one row per tag; untagged images as <none>; digests by repository", () => {
    const base = { Id: `sha256:${"ab".repeat(32)}`, Created: 1795417978, Size: 1984172, SharedSize: -1, Containers: -1 };
    const rows = imageRows(
      [
        { ...base, RepoTags: ["a:1", "host:5000/b/c:2"], RepoDigests: [`a@sha256:${"c".repeat(64)}`] },
        { ...base, RepoTags: [], RepoDigests: [] },
        { ...base, RepoTags: ["<none>:<none>"], RepoDigests: ["<none>@<none>"] },
      ],
      false,
    );
    expect(rows.map((r) => [r.Repository, r.Tag, r.Digest, r.ID, r.Size])).toEqual([
      ["a", "1", `sha256:${"c".repeat(64)}`, "abababababab", "1.98MB"],
      ["host:5000/b/c", "2", "<none>", "abababababab", "1.98MB"],
      ["<none>", "<none>", "<none>", "abababababab", "1.98MB"],
      ["<none>", "<none>", "<none>", "abababababab", "1.98MB"],
    ]);
    expect(rows[0]!.CreatedAt).toBe(goTime(1795417978));
    expect(goTime(0)).toBe("1970-01-01 00:00:00 +0000 UTC");
    expect(shortId(base.Id)).toBe("abababababab");
    expect(imageRows([base], true)[0]!.ID).toBe(base.Id);
  });
});
