import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Demuxer, frame, STDERR, STDOUT } from "../../src/streams/stdcopy.ts";

describe("stdcopy", () => {
  it("frames like the reference daemon's logs stream", () => {
    // The reference starts with stream byte 1, three zero bytes, then the length.
    const od = readFileSync(new URL("../../docs/reference/dockerd-20.10/logs-multiplexed-stream.od.txt", import.meta.url), "utf8");
    expect(od).toMatch(/001\s+\\0\s+\\0\s+\\0\s+\\0\s+\\0\s+\\0/);
    const f = frame(STDOUT, new TextEncoder().encode("out\n"));
    expect([...f.subarray(0, 8)]).toEqual([1, 0, 0, 0, 0, 0, 0, 4]);
  });
  it("demuxes whatever the chunking", () => {
    const bytes = Buffer.concat([frame(STDOUT, Buffer.from("hello\n")), frame(STDERR, Buffer.from("oops\n")), frame(STDOUT, Buffer.alloc(70000, 97))]);
    for (const size of [1, 3, 8, 9, 4096, bytes.length]) {
      const got: [number, string][] = [];
      const d = new Demuxer((s, p) => got.push([s, Buffer.from(p).toString()]));
      for (let i = 0; i < bytes.length; i += size) d.push(bytes.subarray(i, i + size));
      expect(got.map(([s, p]) => [s, p.length])).toEqual([[1, 6], [2, 5], [1, 70000]]);
      expect(got[0]![1]).toBe("hello\n");
      expect(d.pending).toBe(0);
    }
  });
});
