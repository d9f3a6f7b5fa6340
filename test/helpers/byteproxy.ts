// A TCP proxy on a free loopback port that counts the bytes flowing back from upstream
// (what a registry client fetched). It runs in the test's own event loop, so the test
// must drive clients with asynchronous spawns while it is in use.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface ByteProxy {
  host: string;
  /** Bytes sent from upstream to clients since the last reset. */
  downstream(): number;
  reset(): void;
  close(): Promise<void>;
}

/** `bytesPerSec` caps what flows back from upstream (a slow registry, so a test can act mid-transfer). */
export async function startByteProxy(upstreamPort: number, opts: { bytesPerSec?: number } = {}): Promise<ByteProxy> {
  let down = 0;
  const started = performance.now();
  const socks = new Set<Socket>();
  const server: Server = createServer((client) => {
    const up = connect(upstreamPort, "127.0.0.1");
    socks.add(client).add(up);
    up.on("data", (c: Buffer) => {
      down += c.length;
      if (!client.write(c)) up.pause();
      const rate = opts.bytesPerSec;
      if (rate) {
        // Ahead of the allowed rate: stop reading until the clock catches up.
        const ahead = (down / rate) * 1000 - (performance.now() - started);
        if (ahead > 0) {
          up.pause();
          setTimeout(() => up.resume(), ahead);
        }
      }
    });
    client.on("drain", () => up.resume());
    client.on("data", (c: Buffer) => {
      if (!up.write(c)) client.pause();
    });
    up.on("drain", () => client.resume());
    const end = () => {
      client.destroy();
      up.destroy();
      socks.delete(client);
      socks.delete(up);
    };
    up.on("close", end).on("error", end);
    client.on("close", end).on("error", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    downstream: () => down,
    reset: () => void (down = 0),
    close: async () => {
      for (const s of socks) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
