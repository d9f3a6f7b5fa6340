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

// As the daemon sends them: layer messages carry a progressDetail (empty but for byte counts).
const pull = [
  { status: "Pulling from library/busybox", id: "latest" },
  { status: "Pulling fs layer", progressDetail: {}, id: "aaa" },
  { status: "Pulling fs layer", progressDetail: {}, id: "bbb" },
  { status: "Downloading", id: "aaa", progress: "[==>   ] 1MB/3MB", progressDetail: { current: 1, total: 3 } },
  { status: "Download complete", progressDetail: {}, id: "aaa" },
  { status: "Pull complete", progressDetail: {}, id: "bbb" },
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

  it("one line per layer rewritten in place, with its bar, on a terminal: pkg/jsonmessage's bytes", async () => {
    spy();
    await showProgress(stream(pull), { terminal: true });
    // A new id opens a line ("\n"), then each update goes up to it, clears it, writes, comes back;
    // the bar is drawn from progressDetail (200 columns when the width is unknown), not the daemon's text.
    const bar = `[${"=".repeat(16)}>${" ".repeat(34)}]       1B/3B`;
    expect(out).toBe(
      "latest: Pulling from library/busybox\n" +
        "\n\x1b[1A\x1b[2K\raaa: Pulling fs layer \r\x1b[1B" +
        "\n\x1b[1A\x1b[2K\rbbb: Pulling fs layer \r\x1b[1B" +
        `\x1b[2A\x1b[2K\raaa: Downloading ${bar}\r\x1b[2B` +
        "\x1b[2A\x1b[2K\raaa: Download complete \r\x1b[2B" +
        "\x1b[1A\x1b[2K\rbbb: Pull complete \r\x1b[1B" +
        "Digest: sha256:abc\n" +
        "Loaded image: x:1\n",
    );
  });

  it("no bar at 110 columns or fewer, as docker", async () => {
    const narrow = Object.assign(Object.create(process.stdout), { columns: 100, isTTY: true, write: (s: string) => ((out += s), true) });
    await showProgress(stream(pull.slice(0, 4)), { out: narrow });
    expect(out).toContain("\x1b[2A\x1b[2K\raaa: Downloading       1B/3B\r\x1b[2B");
  });

  it("-q: only the final lines; errors end with the daemon's message", async () => {
    spy();
    await showProgress(stream(pull), { terminal: true, quiet: true });
    expect(out).toBe("Digest: sha256:abc\nLoaded image: x:1\n");
    await expect(showProgress(stream([{ error: "boom", errorDetail: { message: "boom: no space" } }]), {})).rejects.toThrow("boom: no space");
  });
});
