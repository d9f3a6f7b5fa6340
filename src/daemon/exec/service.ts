// docker exec: create an exec instance, start it (detached, or hijacked like attach),
// resize its terminal, inspect it. The process is the daemon's child (runtime/exec.ts).
import type { Duplex } from "node:stream";
import { randomBytes } from "node:crypto";
import type { Container } from "../../container/container.ts";
import type { ExecCreateBody, ExecInspectResponse } from "../../api/types/index.ts";
import { conflict, invalidParameter } from "../../errors.ts";
import { InitStatusServer, type InitOutcome } from "../../runtime/initstatus.ts";
import { execExitCode, spawnExec } from "../../runtime/exec.ts";
import { closeQuietly, masterInputPipe, masterOutput, trySetWinsize } from "../../runtime/tty.ts";
import { frame, STDERR, STDOUT } from "../../streams/stdcopy.ts";
import { DetachScanner } from "../../streams/detachkeys.ts";
import type { ContainerContext } from "../containers/context.ts";
import { parseDetachKeys } from "../containers/attach.ts";
import { specOf } from "../containers/execdriver.ts";
import { ExecStore, type ExecConfig, type ExecInstance } from "./store.ts";
import type { ContainerSpec } from "../../runtime/types.ts";
import { logger } from "../../log.ts";

const log = logger("exec");

export interface ExecStartOptions {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

export class ExecService {
  readonly store = new ExecStore();
  private status?: Promise<InitStatusServer>;
  private readonly gc: ReturnType<typeof setInterval>;

  constructor(
    private readonly ctx: ContainerContext,
    /** How to run the wharf binary as dockerinit. */
    private readonly binary: { cmd: string[]; argv0: string },
    /** Where the exec status socket lives (the daemon's exec root). */
    private readonly statusPath: string,
  ) {
    // Execs go with their container.
    ctx.events.subscribe((ev) => {
      if (ev.Type === "container" && ev.Action === "destroy") this.store.dropContainer(ev.Actor.ID);
    });
    // dockerd's period: an ended exec is forgotten 5 to 10 minutes later.
    this.gc = setInterval(() => this.store.sweep((e) => this.ctx.store.find(e.containerId)?.rec.ExecIDs.includes(e.id) ?? false), 5 * 60_000);
    this.gc.unref?.();
  }

  close(): void {
    clearInterval(this.gc);
    void this.status?.then((s) => s.close());
  }

  private statusServer(): Promise<InitStatusServer> {
    this.status ??= (async () => {
      const s = new InitStatusServer(this.statusPath);
      await s.listen();
      return s;
    })();
    return this.status;
  }

  /** The container an exec may run in now: 409 when it is not running, paused or restarting. */
  private activeContainer(ref: string): Container {
    const c = this.ctx.store.lookup(ref);
    const s = c.state.s;
    if (!s.Running) throw conflict(`Container ${c.id} is not running`);
    if (s.Paused) throw conflict(`Container ${c.id} is paused, unpause the container before exec`);
    if (s.Restarting) throw conflict(`Container ${c.id} is restarting, wait until the container is running`);
    return c;
  }

  create(ref: string, body: ExecCreateBody): { Id: string } {
    const c = this.activeContainer(ref);
    const cmd = body.Cmd;
    if (cmd !== undefined && cmd !== null && (!Array.isArray(cmd) || cmd.some((a: unknown) => typeof a !== "string"))) {
      throw invalidParameter("Cmd must be an array of strings");
    }
    if (!cmd?.length) throw invalidParameter("No exec command specified");
    for (const k of ["Env"] as const) {
      const v = body[k];
      if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x: unknown) => typeof x !== "string"))) {
        throw invalidParameter(`${k} must be an array of strings`);
      }
    }
    if (body.DetachKeys) parseDetachKeys(body.DetachKeys);
    const config: ExecConfig = {
      Cmd: cmd,
      Env: body.Env ?? [],
      WorkingDir: body.WorkingDir ?? "",
      User: body.User ?? "",
      Privileged: !!body.Privileged,
      Tty: !!body.Tty,
      AttachStdin: !!body.AttachStdin,
      AttachStdout: !!body.AttachStdout,
      AttachStderr: !!body.AttachStderr,
      DetachKeys: body.DetachKeys ?? "",
      ConsoleSize: Array.isArray(body.ConsoleSize) && body.ConsoleSize[0] && body.ConsoleSize[1] ? [body.ConsoleSize[0], body.ConsoleSize[1]] : undefined,
    };
    if (config.WorkingDir && !config.WorkingDir.startsWith("/")) {
      throw invalidParameter(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
    }
    const id = randomBytes(32).toString("hex");
    this.store.add({ id, containerId: c.id, config, running: false, exitCode: null, pid: 0, started: false });
    c.rec.ExecIDs = [...c.rec.ExecIDs, id];
    this.ctx.emit(c, `exec_create: ${execLine(cmd)}`, { execID: id });
    return { Id: id };
  }

  inspect(ref: string): ExecInspectResponse {
    const e = this.store.get(ref);
    const [entrypoint, ...args] = e.config.Cmd;
    return {
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: { tty: e.config.Tty, entrypoint, arguments: args, privileged: e.config.Privileged, user: e.config.User },
      OpenStdin: e.config.AttachStdin,
      OpenStderr: e.config.AttachStderr,
      OpenStdout: e.config.AttachStdout,
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: e.config.DetachKeys,
      Pid: e.pid,
    };
  }

  async resize(ref: string, rows: number, cols: number): Promise<void> {
    const e = this.store.get(ref);
    this.activeContainer(e.containerId);
    if (!e.ready) throw conflict(`Exec ${e.id} is not running`);
    await Promise.race([e.ready, Bun.sleep(10_000).then(() => Promise.reject(new Error("timeout waiting for exec session ready")))]);
    e.resize?.(rows, cols);
  }

  /**
   * Checks everything a start needs before the connection is hijacked, so errors are
   * plain HTTP answers; `run` then starts the process and pumps its streams.
   */
  async start(ref: string, opts: ExecStartOptions): Promise<{ tty: boolean; detach: boolean; run: (socket?: Duplex) => Promise<void> }> {
    const e = this.store.get(ref);
    if (e.running) throw conflict(`Error: Exec command ${e.id} is already running`);
    if (e.started) throw conflict(`Error: Exec command ${e.id} has already run`);
    const c = this.activeContainer(e.containerId);
    const keys = parseDetachKeys(e.config.DetachKeys || "ctrl-p,ctrl-q");
    // As dockerd: the process gets a terminal when the exec was created with one; the
    // start's Tty only says whether the output is sent raw or multiplexed.
    const tty = e.config.Tty;
    const raw = !!opts.Tty;
    e.started = true;
    if (opts.ConsoleSize?.[0] && opts.ConsoleSize[1]) e.config.ConsoleSize = [opts.ConsoleSize[0], opts.ConsoleSize[1]];
    const status = await this.statusServer();
    return { tty: raw, detach: !!opts.Detach, run: (socket) => this.run(c, e, tty, raw, keys, status, socket) };
  }

  /** What an exec runs with: the container's spec with the exec's command, env, user and directory. */
  private specFor(c: Container, config: ExecConfig, tty: boolean): ContainerSpec {
    const base = specOf(c, "/", { mode: "none" });
    return {
      ...base,
      args: config.Cmd,
      // As Docker: the daemon's (TERM for this exec's terminal), the container's, the exec's.
      // Links' variables too, as dockerd's CreateDaemonEnvironment gives every exec.
      env: mergeEnv(mergeEnv(mergeEnv(tty ? ["TERM=xterm"] : [], c.linkEnv ?? []), c.rec.Config.Env ?? []), config.Env),
      cwd: config.WorkingDir || base.cwd,
      user: config.User || base.user,
      privileged: base.privileged || config.Privileged,
      tty,
      init: false,
      openStdin: false,
    };
  }

  /** An exec that has ended leaves the container's ExecIDs (it stays inspectable by id), as in Docker. */
  private ended(c: Container, e: ExecInstance): void {
    if (c.rec.ExecIDs.includes(e.id)) c.rec.ExecIDs = c.rec.ExecIDs.filter((id) => id !== e.id);
  }

  /**
   * A healthcheck probe: an exec of `cmd` with the container's user, directory and
   * environment that nobody attaches to, its stdout and stderr kept together up to
   * 4096 bytes (then "..."), killed once it has run `timeoutMs`. Throws, with Docker's
   * exec errors, when the container cannot run one.
   */
  async probe(ref: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }> {
    const { Id: id } = this.create(ref, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const e = this.store.get(id);
    e.started = true;
    const c = this.ctx.store.lookup(e.containerId);
    const status = await this.statusServer();
    let spawned;
    try {
      spawned = spawnExec({ target: c.state.s.Pid, binary: this.binary, status, spec: this.specFor(c, e.config, false), stdin: false });
    } catch (err) {
      e.exitCode = 126;
      this.ended(c, e);
      throw err;
    }
    const { proc } = spawned;
    e.running = true;
    e.pid = proc.pid;
    const out = new ProbeOutput();
    const pump = async (st: unknown) => {
      if (!st || typeof st === "number") return;
      for await (const b of st as AsyncIterable<Uint8Array>) out.write(b);
    };
    const drained = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
    const outcome = await spawned.started;
    if (outcome.pid) e.pid = outcome.pid;
    this.ctx.emit(c, `exec_start: ${execLine(cmd)}`, { execID: id });
    // The timeout runs from the moment the command runs, not from the request, as Docker's.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill("SIGKILL");
    }, timeoutMs);
    await proc.exited;
    clearTimeout(timer);
    await Promise.race([drained, Bun.sleep(1000)]); // a background child may hold the pipes
    e.running = false;
    e.exitCode = exitCodeOf(outcome, proc);
    this.ended(c, e);
    this.ctx.emit(c, "exec_die", { execID: id, exitCode: String(e.exitCode) });
    const text = outcome.error !== undefined && !out.length ? startFailure(outcome.error) : out.text();
    return { exitCode: e.exitCode, output: text, timedOut };
  }

  private async run(c: Container, e: ExecInstance, tty: boolean, raw: boolean, keys: number[], status: InitStatusServer, socket?: Duplex): Promise<void> {
    const spec = this.specFor(c, e.config, tty);
    const attachStdin = !!socket && e.config.AttachStdin;
    let readyResolve!: () => void;
    e.ready = new Promise((r) => (readyResolve = r));
    let spawned;
    try {
      spawned = spawnExec({ target: c.state.s.Pid, binary: this.binary, status, spec, stdin: attachStdin, consoleSize: e.config.ConsoleSize, quiet: !socket });
    } catch (err) {
      e.exitCode = 126;
      this.ended(c, e);
      readyResolve();
      throw err;
    }
    const { proc, master } = spawned;
    e.running = true;
    e.pid = proc.pid;
    if (master !== undefined) e.resize = (rows, cols) => (rows > 0 && cols > 0 ? trySetWinsize(master, rows, cols) : undefined);
    this.ctx.emit(c, `exec_start: ${execLine(e.config.Cmd)}`, { execID: e.id });

    let detached = false;
    const out = (stream: number, b: Uint8Array) => {
      if (!socket || detached || socket.destroyed) return;
      const want = stream === STDERR ? e.config.AttachStderr : e.config.AttachStdout;
      if (want) socket.write(raw ? b : frame(stream, b));
    };
    // Output first: bytes may come before the status report does.
    let drained: Promise<unknown>;
    const input = master !== undefined && attachStdin ? masterInputPipe(master) : undefined;
    if (master !== undefined) {
      drained = (async () => {
        for await (const b of masterOutput(master)) out(STDOUT, b);
      })();
    } else {
      const pumpStream = async (s: unknown, n: number) => {
        if (!s || typeof s === "number") return;
        for await (const b of s as AsyncIterable<Uint8Array>) out(n, b);
      };
      drained = Promise.all([pumpStream(proc.stdout, STDOUT), pumpStream(proc.stderr, STDERR)]);
    }
    const outcome = await spawned.started;
    if (outcome.pid) e.pid = outcome.pid;
    readyResolve();
    if (outcome.error !== undefined) {
      // Docker writes the start error onto the attached stream, then the CLI reads ExitCode.
      out(STDOUT, new TextEncoder().encode(`${startFailure(outcome.error)}\r\n`));
    }

    let clientGone: Promise<void> = new Promise(() => {});
    if (socket) {
      clientGone = new Promise<void>((r) => {
        socket.once("close", r);
        socket.once("error", () => r());
      });
      if (attachStdin) {
        const scan = new DetachScanner(keys);
        const sink = proc.stdin && typeof proc.stdin !== "number" ? proc.stdin : undefined;
        socket.on("data", (chunk: Buffer) => {
          if (detached) return;
          const { out: bytes, detach } = scan.push(chunk);
          const to = input ? input.stdin : sink;
          if (bytes.length && to) (to.write(bytes), to.flush());
          if (detach) {
            detached = true;
            socket.end();
          }
        });
        socket.once("end", () => {
          if (!tty) void Promise.resolve(sink?.end()).catch(() => {});
        });
      } else socket.resume(); // ignore what the client sends; see its end
    }

    const finished = (async () => {
      await proc.exited;
      await Promise.race([drained, Bun.sleep(2000)]); // a background child may keep the terminal open
      e.running = false;
      e.exitCode = exitCodeOf(outcome, proc);
      void Promise.resolve(input?.stdin.end()).catch(() => {});
      e.resize = undefined;
      this.ended(c, e);
      if (master !== undefined) closeQuietly(master);
      this.ctx.emit(c, "exec_die", { execID: e.id, exitCode: String(e.exitCode) });
      log.debug(`exec ${e.id} in ${c.id} exited ${e.exitCode}`);
    })();
    if (!socket) return; // detached: nobody waits
    await Promise.race([finished, clientGone, new Promise<void>((r) => socket.once("finish", r))]);
  }
}

/**
 * Docker's exec exit code: the command's, or 126 for any start failure; unlike `run`, a
 * command not found is 126 too (dockerd marks every failed exec start so).
 */
function exitCodeOf(outcome: InitOutcome, proc: Parameters<typeof execExitCode>[0]): number {
  return outcome.error !== undefined ? 126 : execExitCode(proc);
}

/** What Docker reports when an exec's command could not start. */
function startFailure(error: string): string {
  return `OCI runtime exec failed: exec failed: unable to start container process: ${error}: unknown`;
}

/** An exec event's command as Docker writes it: the entrypoint, a space, the arguments (so `true ` alone). */
function execLine(cmd: string[]): string {
  return `${cmd[0]} ${cmd.slice(1).join(" ")}`;
}

/** Docker's probe output buffer: the first 4096 bytes, and "..." when more came. */
class ProbeOutput {
  private readonly chunks: Uint8Array[] = [];
  length = 0;
  private truncated = false;

  write(b: Uint8Array): void {
    const keep = Math.min(4096 - this.length, b.length);
    if (keep > 0) {
      this.chunks.push(b.subarray(0, keep));
      this.length += keep;
    }
    if (keep < b.length) this.truncated = true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8") + (this.truncated ? "..." : "");
  }
}

/** The container's env with the exec's entries added or replacing the same keys. */
export function mergeEnv(base: string[], extra: string[]): string[] {
  const out = [...base];
  for (const kv of extra) {
    const key = kv.split("=")[0]!;
    const i = out.findIndex((x) => x.split("=")[0] === key);
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  }
  return out;
}
