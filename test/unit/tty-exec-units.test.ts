// Pure parts of issue 5 part A: detach-key scanning, websocket framing, exec env merge,
// exec CLI flags, and a real pseudo-terminal's size through libc.
import { describe, expect, it } from "vitest";
import { closeSync } from "node:fs";
import { DetachScanner } from "../../src/streams/detachkeys.ts";
import { encodeFrame, FrameParser } from "../../src/api/websocket.ts";
import { mergeEnv } from "../../src/daemon/exec/service.ts";
import { buildExecRequest } from "../../src/cli/commands/exec.ts";
import { getWinsize, openpty, setWinsize } from "../../src/sys/libc.ts";
import { cgroupProcsOf } from "../../src/runtime/exec.ts";

describe("DetachScanner", () => {
  it("detaches on the whole sequence, across chunks, and passes broken matches on", () => {
    const s = new DetachScanner([16, 17]);
    expect(s.push(Uint8Array.from([97, 16]))).toEqual({ out: Uint8Array.from([97]), detach: false });
    expect(s.push(Uint8Array.from([98]))).toEqual({ out: Uint8Array.from([16, 98]), detach: false });
    expect(s.push(Uint8Array.from([16]))).toEqual({ out: Uint8Array.from([]), detach: false });
    expect(s.push(Uint8Array.from([17, 99]))).toEqual({ out: Uint8Array.from([]), detach: true });
  });
  it("a repeated first key restarts the match", () => {
    const s = new DetachScanner([16, 17]);
    expect(s.push(Uint8Array.from([16, 16, 17]))).toEqual({ out: Uint8Array.from([16]), detach: true });
  });
});

describe("websocket framing", () => {
  const masked = (op: number, payload: Buffer) => {
    const key = Buffer.from([1, 2, 3, 4]);
    const body = Buffer.from(payload.map((b, i) => b ^ key[i & 3]!));
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x80 | op, 0x80 | len]) : Buffer.from([0x80 | op, 0x80 | 126, len >> 8, len & 0xff]);
    return Buffer.concat([head, key, body]);
  };
  it("encodes the three length forms", () => {
    expect([...encodeFrame(2, Buffer.from("hi"))]).toEqual([0x82, 2, 104, 105]);
    const mid = encodeFrame(2, Buffer.alloc(300));
    expect([...mid.subarray(0, 4)]).toEqual([0x82, 126, 1, 44]);
    const big = encodeFrame(1, Buffer.alloc(70_000));
    expect(big[1]).toBe(127);
    expect(big.readBigUInt64BE(2)).toBe(70_000n);
    expect(big.length).toBe(70_010);
  });
  it("parses masked client frames split anywhere", () => {
    const frames: [number, string][] = [];
    const p = new FrameParser((op, _fin, payload) => frames.push([op, payload.toString()]));
    const bytes = Buffer.concat([masked(2, Buffer.from("hello")), masked(9, Buffer.from("p")), masked(1, Buffer.alloc(200, 120))]);
    for (let i = 0; i < bytes.length; i += 3) p.push(bytes.subarray(i, i + 3));
    expect(frames).toEqual([[2, "hello"], [9, "p"], [1, "x".repeat(200)]]);
  });
  it("refuses absurd frame lengths", () => {
    const p = new FrameParser(() => {});
    const head = Buffer.alloc(10);
    head[0] = 0x82;
    head[1] = 127;
    head.writeBigUInt64BE(1n << 40n, 2);
    expect(() => p.push(head)).toThrow(/too large/);
  });
});

describe("exec environment and flags", () => {
  it("the exec's variables replace the container's of the same name, others are added", () => {
    expect(mergeEnv(["PATH=/bin", "A=1", "B=2"], ["A=x", "C=3"])).toEqual(["PATH=/bin", "A=x", "B=2", "C=3"]);
  });
  it("builds Docker's exec create body", () => {
    const r = buildExecRequest(["-i", "-e", "A=b", "-w", "/tmp", "-u", "1:2", "--privileged", "--detach-keys", "ctrl-x", "c1", "sh", "-c", "echo -n"]);
    expect(r.container).toBe("c1");
    expect(r.detach).toBe(false);
    expect(r.body).toMatchObject({
      AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false, Privileged: true,
      User: "1:2", WorkingDir: "/tmp", Env: ["A=b"], DetachKeys: "ctrl-x", Cmd: ["sh", "-c", "echo -n"],
    });
    const dt = buildExecRequest(["-d", "c1", "true"]);
    expect(dt.detach).toBe(true);
    expect(dt.body).toMatchObject({ AttachStdin: false, AttachStdout: false, AttachStderr: false });
    expect(() => buildExecRequest(["c1"])).toThrow(/requires at least 2 arguments/);
  });
});

describe("terminals and cgroups through libc", () => {
  it("a pty's size set on the master reads back on the slave", () => {
    const [m, s] = openpty();
    try {
      setWinsize(m, 33, 111);
      expect(getWinsize(s)).toEqual({ rows: 33, cols: 111 });
    } finally {
      closeSync(m);
      closeSync(s);
    }
  });
  it("finds the cgroup.procs files of a process from /proc", () => {
    const files = cgroupProcsOf(process.pid);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^\/sys\/fs\/cgroup\/.*cgroup\.procs$/);
  });
});
