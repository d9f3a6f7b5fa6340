// The local terminal of an interactive client (run -it, attach, exec -it): raw mode
// while attached to a TTY, its size sent on start and on every SIGWINCH, signals
// forwarded to the container without a TTY (--sig-proxy), all undone at the end.
import type { Client } from "../client/client.ts";
import { runCommandSync } from "../sys/spawn.ts";

export interface TerminalSession {
  /** Sends the current size once (after the process has started). */
  sendSize(): Promise<void>;
  restore(): void;
}

/**
 * `resizePath` is `/containers/ID/resize` or `/exec/ID/resize`. Raw mode only when
 * our stdin is a terminal and the container has one; the size follows our stdout.
 */
export function openTerminal(client: Client, resizePath: string, opts: { tty: boolean; stdin: boolean }): TerminalSession {
  const raw = opts.tty && opts.stdin && process.stdin.isTTY === true;
  // Bun's raw mode leaves output processing on, so the container's \r\n would reach the
  // screen as \r\r\n; the rest of cfmakeraw (no OPOST) is set through stty, as saved.
  let saved: string | undefined;
  if (raw) {
    saved = stty(["-g"])?.trim();
    process.stdin.setRawMode(true);
    stty(["-opost"]);
  }
  const sendSize = async () => {
    if (!opts.tty || !process.stdout.isTTY) return;
    const h = process.stdout.rows, w = process.stdout.columns;
    if (!h || !w) return;
    await client.json("POST", resizePath, { query: { h, w } }).catch(() => {}); // it may have just ended
  };
  const onWinch = () => void sendSize();
  if (opts.tty) process.on("SIGWINCH", onWinch);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off("SIGWINCH", onWinch);
    if (raw) {
      process.stdin.setRawMode(false);
      if (saved) stty([saved]);
    }
  };
  // A crash or an exit while raw must not leave the user's terminal unusable.
  process.once("exit", restore);
  return { sendSize, restore };
}

/** stty on our own terminal (stdin); its output, or undefined when it failed. */
function stty(args: string[]): string | undefined {
  try {
    const r = runCommandSync(["stty", ...args], { input: "inherit", timeoutMs: 5_000 });
    return r.code === 0 ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

const proxied = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;

/** Forwards our signals to the container (docker's --sig-proxy); returns the undo. */
export function proxySignals(client: Client, id: string): () => void {
  const handlers = proxied.map((sig) => {
    const h = () => void client.json("POST", `/containers/${id}/kill`, { query: { signal: sig } }).catch(() => {});
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
