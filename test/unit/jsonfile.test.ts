import { afterEach, describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeEntry, readLog, timeNano, type LogEntry } from "../../src/logs/jsonfile.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function logFile(entries: LogEntry[]): string {
  const dir = mkdtempSync(join(tmpdir(), "wharf-log-"));
  dirs.push(dir);
  const p = join(dir, "c-json.log");
  writeFileSync(p, entries.map(encodeEntry).join(""));
  return p;
}
const e = (n: number, stream: "stdout" | "stderr" = "stdout"): LogEntry => ({
  log: `line ${n}\n`,
  stream,
  time: `2026-11-23T07:13:0${n}.123456789Z`,
});
async function collect(it: AsyncIterable<LogEntry>) {
  const out: LogEntry[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("json-file logs", () => {
  it("writes Docker's line format", () => {
    expect(encodeEntry(e(1))).toBe('{"log":"line 1\\n","stream":"stdout","time":"2026-11-23T07:13:01.123456789Z"}\n');
  });
  it("reads all, tail, since and until", async () => {
    const p = logFile([e(1), e(2, "stderr"), e(3), e(4)]);
    expect((await collect(readLog(p, {}))).map((x) => x.log)).toEqual(["line 1\n", "line 2\n", "line 3\n", "line 4\n"]);
    expect((await collect(readLog(p, { tail: 2 }))).map((x) => x.log)).toEqual(["line 3\n", "line 4\n"]);
    expect(await collect(readLog(p, { tail: 0 }))).toEqual([]);
    const since = timeNano("2026-11-23T07:13:02.123456789Z");
    expect((await collect(readLog(p, { sinceNano: since }))).map((x) => x.log)).toEqual(["line 2\n", "line 3\n", "line 4\n"]);
    const until = timeNano("2026-11-23T07:13:02.5Z");
    expect((await collect(readLog(p, { untilNano: until }))).map((x) => x.stream)).toEqual(["stdout", "stderr"]);
  });
  it("follows new lines and ends when told to stop", async () => {
    const p = logFile([e(1)]);
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const got: string[] = [];
    const done = (async () => {
      for await (const x of readLog(p, { follow: true, stop: stopped })) got.push(x.log);
    })();
    await Bun.sleep(50);
    appendFileSync(p, encodeEntry(e(2)));
    // A torn line is held back until it is complete.
    appendFileSync(p, '{"log":"line 3\\n","stre');
    await Bun.sleep(100);
    expect(got).toEqual(["line 1\n", "line 2\n"]);
    appendFileSync(p, 'am":"stdout","time":"2026-11-23T07:13:03Z"}\n');
    stop();
    await done;
    expect(got).toEqual(["line 1\n", "line 2\n", "line 3\n"]);
  });
  it("parses nanosecond times exactly", () => {
    expect(timeNano("1970-01-01T00:00:01.000000002Z")).toBe(1_000_000_002n);
  });
});
