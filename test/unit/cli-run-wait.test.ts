// `wharf run` (attached) must have its wait registered before it starts the container:
// a container that exits before a next-exit wait reaches the daemon is never reported,
// and the CLI would hang. The daemon here is a fake that isolates the order of the
// CLI's requests; it answers the wait's headers late, as a loaded daemon might, so a
// CLI that starts without waiting for them is caught.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "bun";
import { wharfBin } from "../helpers/daemon.ts";

type Conn = { buf: Buffer; close: boolean };

function fakeDaemon(sock: string) {
  const events: { what: string; at: number }[] = [];
  const note = (what: string) => events.push({ what, at: performance.now() });
  let attach: Socket<Conn> | undefined;
  let waitConn: Socket<Conn> | undefined;
  const reply = (s: Socket<Conn>, status: string, body = "") => {
    s.write(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nApi-Version: 1.45\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    if (s.data.close) s.end();
  };
  const handle = (s: Socket<Conn>, method: string, path: string) => {
    const p = path.replace(/^\/v[\d.]+/, "").split("?")[0]!;
    if (p === "/_ping") return reply(s, "200 OK", "OK");
    if (method === "POST" && p === "/containers/create") return reply(s, "201 Created", JSON.stringify({ Id: "c0ffee", Warnings: [] }));
    if (p === "/containers/c0ffee/attach") {
      attach = s;
      return s.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
    }
    if (p === "/containers/c0ffee/wait") {
      note("wait received");
      waitConn = s;
      setTimeout(() => {
        note("wait registered");
        s.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      }, 300);
      return;
    }
    if (p === "/containers/c0ffee/start") {
      note("start received");
      reply(s, "204 No Content");
      // The container "exits" at once: the stream ends and the wait answers.
      setTimeout(() => {
        attach?.end();
        const body = JSON.stringify({ StatusCode: 3, Error: null }) + "\n";
        waitConn?.write(`${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
      }, 20);
      return;
    }
    if (p === "/containers/c0ffee/json") return reply(s, "200 OK", JSON.stringify({ Id: "c0ffee", State: { Running: false } }));
    return reply(s, "404 Not Found", JSON.stringify({ message: `unexpected ${method} ${p}` }));
  };
  const server = Bun.listen<Conn>({
    unix: sock,
    socket: {
      open(s) {
        s.data = { buf: Buffer.alloc(0), close: false };
      },
      data(s, chunk) {
        if (s === attach) return;
        s.data.buf = Buffer.concat([s.data.buf, chunk]);
        for (;;) {
          const end = s.data.buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = s.data.buf.subarray(0, end).toString("latin1");
          const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
          if (s.data.buf.length < end + 4 + len) return;
          s.data.buf = s.data.buf.subarray(end + 4 + len);
          const [method, path] = head.split(" ");
          s.data.close = /\r\nconnection:\s*close/i.test(head);
          handle(s, method!, path!);
        }
      },
    },
  });
  return { events, stop: () => server.stop(true) };
}

describe("wharf run and its wait", () => {
  let dir = "";
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("starts the container only once the daemon has registered the wait", async () => {
    dir = mkdtempSync(join(tmpdir(), "wharf-run-wait-"));
    const daemon = fakeDaemon(join(dir, "d.sock"));
    try {
      const proc = Bun.spawn([wharfBin, "run", "busybox", "true"], {
        env: { ...process.env, DOCKER_HOST: `unix://${join(dir, "d.sock")}`, DOCKER_CONFIG: dir },
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      });
      const code = await Promise.race([proc.exited, Bun.sleep(20_000).then(() => "hung")]);
      if (code === "hung") proc.kill("SIGKILL");
      const stderr = await new Response(proc.stderr).text();
      const order = daemon.events.map((e) => e.what);
      expect(order, stderr).toEqual(["wait received", "wait registered", "start received"]);
      // The exit code is the one the wait answered.
      expect(code).toBe(3);
    } finally {
      daemon.stop();
    }
  });
});
