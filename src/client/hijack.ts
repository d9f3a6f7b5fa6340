// Hijacked connections (attach, exec start): the request asks for `Upgrade: tcp`, the
// daemon answers 101 and both ends then speak raw bytes on the socket. Spoken over a
// plain Bun socket: node:net and node:http would cost the client their start-up time.
import type { Socket } from "bun";
import { ConnectError, errorFromResponse, type Client } from "./client.ts";

/** The raw stream after the upgrade. */
export interface RawConn {
  onData(cb: (chunk: Uint8Array) => void): void;
  /** Called once, when the daemon closes its side or the connection fails. */
  onEnd(cb: () => void): void;
  write(chunk: Uint8Array | string): void;
  /** Our side is done (stdin ended): half-close, keep reading. */
  end(): void;
  destroy(): void;
}

interface State {
  head: Buffer;
  upgraded: boolean;
  pending: Uint8Array[];
  data?: (c: Uint8Array) => void;
  early: Uint8Array[];
  ended: boolean;
  endCbs: (() => void)[];
  endAfterFlush: boolean;
  settle?: (err?: Error) => void;
}

const enc = new TextEncoder();

export async function hijack(client: Client, method: string, path: string, query: Record<string, string>, body?: unknown): Promise<RawConn> {
  const full = await client.fullPath(path, query);
  const payload = body === undefined ? undefined : enc.encode(JSON.stringify(body));
  const host = client.target.proto === "unix" ? "localhost" : client.target.addr;
  const request =
    `${method} ${full} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: wharf-cli\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
    (payload ? `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n` : "Content-Length: 0\r\n") +
    "\r\n";
  const st: State = { head: Buffer.alloc(0), upgraded: false, pending: [], early: [], ended: false, endCbs: [], endAfterFlush: false };
  const finish = () => {
    if (st.ended) return;
    st.ended = true;
    for (const cb of st.endCbs) cb();
  };
  let sock!: Socket<undefined>;
  const flush = () => {
    while (st.pending.length) {
      const c = st.pending[0]!;
      const n = sock.write(c);
      if (n < c.length) {
        st.pending[0] = c.subarray(Math.max(n, 0));
        return;
      }
      st.pending.shift();
    }
    if (st.endAfterFlush) sock.shutdown();
  };
  const ready = new Promise<void>((resolve, reject) => {
    st.settle = (err) => (err ? reject(err) : resolve());
  });
  const handlers = {
    data(_s: Socket<undefined>, chunk: Buffer) {
      if (st.upgraded) {
        if (st.data) st.data(chunk);
        else st.early.push(chunk);
        return;
      }
      st.head = Buffer.concat([st.head, chunk]);
      const end = st.head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(st.head.subarray(0, end).toString("latin1"))?.[1] ?? 500);
      const rest = st.head.subarray(end + 4);
      if (status === 101) {
        st.upgraded = true;
        if (rest.length) st.early.push(rest);
        st.settle?.();
        return;
      }
      // An error answer: read it to the end, then report the daemon's message.
      st.endCbs.push(() => {
        const text = st.head.subarray(end + 4).toString("utf8");
        st.settle?.(errorFromResponse(status, text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1) || text));
      });
    },
    drain: () => flush(),
    close: () => finish(),
    end: () => finish(),
    error: () => finish(),
    connectError: (_s: unknown, err: Error) => st.settle?.(new ConnectError(client.host, err)),
  };
  try {
    sock =
      client.target.proto === "unix"
        ? await Bun.connect({ unix: client.target.addr, socket: handlers })
        : await Bun.connect({
            hostname: client.target.addr.slice(0, client.target.addr.lastIndexOf(":")).replace(/^\[|\]$/g, ""),
            port: Number(client.target.addr.split(":").pop()),
            ...(client.tls ? { tls: client.tls } : {}),
            socket: handlers,
          });
  } catch (err) {
    throw new ConnectError(client.host, err);
  }
  st.pending.push(enc.encode(request));
  if (payload) st.pending.push(payload);
  flush();
  // Ended before any answer: the daemon went away.
  st.endCbs.push(() => st.settle?.(st.upgraded ? undefined : new ConnectError(client.host, new Error("connection closed"))));
  await ready;
  return {
    onData(cb) {
      st.data = cb;
      for (const c of st.early.splice(0)) cb(c);
    },
    onEnd(cb) {
      if (st.ended) queueMicrotask(cb);
      else st.endCbs.push(cb);
    },
    write(chunk) {
      st.pending.push(typeof chunk === "string" ? enc.encode(chunk) : chunk);
      flush();
    },
    end() {
      st.endAfterFlush = true;
      flush();
    },
    destroy() {
      sock.end();
      finish();
    },
  };
}
