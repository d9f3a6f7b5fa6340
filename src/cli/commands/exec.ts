// wharf exec: run a command in a running container, attached (hijacked, like attach)
// or detached (-d), with Docker's flags and exit codes.
import type { ExecInspectResponse } from "../../api/types/index.ts";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, compileFlags, list, parseFlags, str, type FlagSpec, type Parsed } from "../flags.ts";
import { execFlags } from "../tree/flag-lists.ts";
import { hijack } from "../../client/hijack.ts";
import { pump } from "../attach.ts";
import { ExitError } from "../exit.ts";
import { WharfError } from "../../errors.ts";
import { openTerminal } from "../terminal.ts";

export const execFlagSpecs: FlagSpec[] = compileFlags(execFlags);

/** The exec create body for `exec` argv (after the command name). */
export function buildExecRequest(argv: string[] | Parsed): { container: string; body: Record<string, unknown>; detach: boolean } {
  const p = Array.isArray(argv) ? parseFlags(argv, execFlagSpecs, { stopAtPositional: true }) : argv;
  const [container, ...cmd] = p.positionals;
  if (!container || !cmd.length) throw new ExitError(1, `"exec" requires at least 2 arguments.\nSee 'wharf exec --help'.`);
  const detach = bool(p, "detach");
  const interactive = bool(p, "interactive");
  const env = list(p, "env").map((e) => (e.includes("=") ? e : `${e}=${process.env[e] ?? ""}`));
  return {
    container,
    detach,
    body: {
      User: str(p, "user") ?? "",
      Privileged: bool(p, "privileged"),
      Tty: bool(p, "tty"),
      AttachStdin: !detach && interactive,
      AttachStdout: !detach,
      AttachStderr: !detach,
      DetachKeys: str(p, "detach-keys") ?? "",
      Env: env,
      WorkingDir: str(p, "workdir") ?? "",
      Cmd: cmd,
      ...(bool(p, "tty") && process.stdout.isTTY && process.stdout.rows ? { ConsoleSize: [process.stdout.rows, process.stdout.columns] } : {}),
    },
  };
}

export const exec: Runner = async (p) => {
  const { container, body, detach } = buildExecRequest(p);
  if (body.Tty && body.AttachStdin && !process.stdin.isTTY) throw new ExitError(1, "the input device is not a TTY");
  const client = getClient();
  let id: string;
  try {
    id = (await client.json<{ Id: string }>("POST", `/containers/${encodeURIComponent(container)}/exec`, { body })).Id;
  } catch (err) {
    if (err instanceof WharfError) throw new ExitError(1, err.message);
    throw err;
  }
  if (detach) {
    await client.json("POST", `/exec/${id}/start`, { body: { Detach: true, Tty: body.Tty } });
    return;
  }
  const tty = body.Tty === true;
  const stdin = body.AttachStdin === true;
  const socket = await hijack(client, "POST", `/exec/${id}/start`, {}, { Detach: false, Tty: tty, ConsoleSize: body.ConsoleSize ?? null });
  const term = openTerminal(client, `/exec/${id}/resize`, { tty, stdin });
  try {
    const done = pump(socket, { tty, stdin });
    await term.sendSize();
    await done;
  } finally {
    term.restore();
  }
  const ins = await client.json<ExecInspectResponse>("GET", `/exec/${id}/json`);
  // Still running: we detached (the detach keys).
  if (ins.Running) return;
  if (ins.ExitCode) throw new ExitError(ins.ExitCode);
};
