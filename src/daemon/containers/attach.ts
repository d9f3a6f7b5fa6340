// Attach: the container's output follows its json-file log from now on (plus the
// backlog with logs=1); stdin goes to the exec driver's stdin writer. The stream ends
// when the container exits, or when the client types the detach keys.
import type { Duplex } from "node:stream";
import type { Container } from "../../container/container.ts";
import { readLog } from "../../logs/jsonfile.ts";
import { frame, STDERR, STDOUT } from "../../streams/stdcopy.ts";
import { invalidParameter } from "../../errors.ts";
import type { ContainerContext } from "./context.ts";
import { logger } from "../../log.ts";

const log = logger("attach");

export interface AttachOptions {
  stream: boolean;
  logs: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
  /** Raw bytes even without a TTY (the websocket attach, as Docker's). */
  raw?: boolean;
}

/** `ctrl-p,ctrl-q` → [16, 17]; Docker's syntax: `a`-`z`, `ctrl-@`…`ctrl-_`, comma separated. */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(",").map((k) => {
    const key = k.trim();
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-([a-z@\[\\\]^_])$/i.exec(key);
    if (!m) throw invalidParameter(`Invalid detach keys (${spec}) provided`);
    const ch = m[1]!.toLowerCase();
    return ch >= "a" && ch <= "z" ? ch.charCodeAt(0) - 96 : ch.charCodeAt(0) - 64;
  });
}

/** An attached client's output pump: told when the container's output is complete. */
interface Pump {
  outputEnded(): void;
  done: Promise<void>;
}

const pumps = new WeakMap<Container, Set<Pump>>();

/**
 * The container's process is gone and its log complete: each attached client gets the
 * rest of the output before the exit is recorded (so before `wait` answers), as dockerd
 * waits for its stream copiers, and for as long (2 s: a client that does not read must
 * not hold the container up).
 */
export async function flushAttached(c: Container, ms = 2000): Promise<void> {
  const set = pumps.get(c);
  if (!set?.size) return;
  for (const p of set) p.outputEnded();
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.all([...set].map((p) => p.done)), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export async function containerAttach(ctx: ContainerContext, ref: string, opts: AttachOptions) {
  const c = ctx.store.lookup(ref);
  const keys = parseDetachKeys(opts.detachKeys || "ctrl-p,ctrl-q");
  const tty = !!c.rec.Config.Tty;
  // Subscribe before the client's start request can arrive.
  const ended = c.state.s.Running ? c.state.wait("not-running") : c.state.wait("next-exit");
  return {
    tty,
    run: (socket: Duplex) => pumpAttach(ctx, c, socket, opts, keys, tty, ended),
  };
}

async function pumpAttach(
  ctx: ContainerContext,
  c: Container,
  socket: Duplex,
  opts: AttachOptions,
  keys: number[],
  tty: boolean,
  ended: Promise<unknown>,
): Promise<void> {
  let detach!: () => void;
  const detached = new Promise<void>((r) => (detach = r));
  const clientGone = new Promise<void>((r) => {
    socket.once("close", r);
    socket.once("error", () => r());
  });
  if (opts.stdin && c.rec.Config.OpenStdin) forwardStdin(ctx, c, socket, keys, detach);
  if (!opts.stream && !opts.logs) return;
  let outputEnded!: () => void;
  const complete = new Promise<void>((r) => (outputEnded = r));
  let finished!: () => void;
  const pump: Pump = { outputEnded, done: new Promise<void>((r) => (finished = r)) };
  let set = pumps.get(c);
  if (!set) pumps.set(c, (set = new Set()));
  set.add(pump);
  // Writes complete in order: the last one's callback means the socket took them all.
  let lastWrite: Promise<void> = Promise.resolve();
  try {
    const entries = readLog(c.paths.logPath, {
      tail: opts.logs ? undefined : 0,
      follow: opts.stream,
      stop: Promise.race([complete, ended, detached, clientGone]),
    });
    for await (const e of entries) {
      if ((e.stream === "stdout" && !opts.stdout) || (e.stream === "stderr" && !opts.stderr)) continue;
      const bytes = new TextEncoder().encode(e.log);
      const chunk = tty || opts.raw ? bytes : frame(e.stream === "stderr" ? STDERR : STDOUT, bytes);
      lastWrite = new Promise<void>((r) => socket.write(chunk, () => r()));
    }
    await Promise.race([lastWrite, clientGone]);
  } finally {
    set.delete(pump);
    finished();
  }
}

/**
 * Listens on the client's socket at once (bytes may follow the 101 immediately) and
 * feeds the container's stdin once its writer is open.
 */
function forwardStdin(ctx: ContainerContext, c: Container, socket: Duplex, keys: number[], detach: () => void): void {
  const pending: Buffer[] = [];
  let stdin: NodeJS.WritableStream | undefined;
  let ended = false;
  let matched = 0;
  const send = (b: Buffer) => (stdin ? stdin.write(b) : pending.push(b));
  socket.on("data", (chunk: Buffer) => {
    // Detach keys are matched across chunks; bytes of a partial match are held back.
    const out: number[] = [];
    for (const b of chunk) {
      if (b === keys[matched]) {
        matched++;
        if (matched === keys.length) {
          detach();
          return;
        }
        continue;
      }
      if (matched) out.push(...keys.slice(0, matched));
      matched = 0;
      out.push(b);
    }
    if (out.length) send(Buffer.from(out));
  });
  // The client half-closes when its stdin ends; a vanished client ends it too.
  const endStdin = () => {
    if (ended) return;
    ended = true;
    log.debug(`attach ${c.id}: client stdin ended`);
    // Our writer goes; the container's stdin closes with it only for StdinOnce without
    // a TTY, as Docker does (the exec driver decides that on the writer's close).
    stdin?.end();
  };
  socket.once("end", endStdin);
  socket.once("close", endStdin);
  void ctx.exec.openStdin(c).then((w) => {
    log.debug(`attach ${c.id}: stdin ${w ? "open" : "not open"}`);
    if (!w) return;
    stdin = w;
    for (const b of pending.splice(0)) w.write(b);
    if (ended) w.end();
  });
}
