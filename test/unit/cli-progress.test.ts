import { afterEach, describe, expect, it, vi } from "vitest";
import { showProgress } from "../../src/cli/progress.ts";
import type { ApiResponse } from "../../src/client/client.ts";

const stream = (msgs: object[]): ApiResponse => ({
  statusCode: 200,
  headers: {},
  async *[Symbol.asyncIterator]() {
    for (const m of msgs) yield Buffer.from(JSON.stringify(m) + "\n");
  },
});

const pull = [
  { status: "Pulling from library/busybox", id: "latest" },
  { status: "Pulling fs layer", id: "aaa" },
  { status: "Pulling fs layer", id: "bbb" },
  { status: "Downloading", id: "aaa", progress: "[==>   ] 1MB/3MB", progressDetail: { current: 1, total: 3 } },
  { status: "Download complete", id: "aaa" },
  { status: "Pull complete", id: "bbb" },
  { status: "Digest: sha256:abc" },
  { stream: "Loaded image: x:1\n" },
];

describe("progress streams", () => {
  let out = "";
  const spy = () => vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  afterEach(() => {
    vi.restoreAllMocks();
    out = "";
  });

  it("plain lines without the in-between progress when not a terminal", async () => {
    spy();
    await showProgress(stream(pull), { terminal: false });
    expect(out).toBe("latest: Pulling from library/busybox\naaa: Pulling fs layer\nbbb: Pulling fs layer\naaa: Download complete\nbbb: Pull complete\nDigest: sha256:abc\nLoaded image: x:1\n");
  });

  it("one line per layer rewritten in place, with its bar, on a terminal", async () => {
    spy();
    await showProgress(stream(pull), { terminal: true });
    // aaa is two lines up from the bottom when its progress arrives.
    expect(out).toContain("\x1b[2A\r\x1b[2Kaaa: Downloading [==>   ] 1MB/3MB\r\x1b[2B");
    expect(out).toContain("\x1b[2A\r\x1b[2Kaaa: Download complete\r\x1b[2B");
    expect(out).toContain("\x1b[1A\r\x1b[2Kbbb: Pull complete\r\x1b[1B");
  });

  it("-q: only the final lines; errors end with the daemon's message", async () => {
    spy();
    await showProgress(stream(pull), { terminal: true, quiet: true });
    expect(out).toBe("Digest: sha256:abc\nLoaded image: x:1\n");
    await expect(showProgress(stream([{ error: "boom", errorDetail: { message: "boom: no space" } }]), {})).rejects.toThrow("boom: no space");
  });
});
