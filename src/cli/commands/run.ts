import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { buildCreateRequest } from "../runopts.ts";
import { bool, str } from "../flags.ts";
import { hijack } from "../../client/hijack.ts";
import { errorFromResponse, readAll } from "../../client/client.ts";
import { pump } from "../attach.ts";
import { ExitError } from "../exit.ts";
import { WharfError } from "../../errors.ts";
import { createContainer, runFailure } from "./create.ts";
import { openTerminal, proxySignals } from "../terminal.ts";

/** docker's CLI turns start errors into 126/127 the way a shell would. */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|not executable|exec format error|is a directory/i.test(message)) return 126;
  return 125;
}

export const run: Runner = async (p) => {
  const req = buildCreateRequest(p);
  // As docker's CLI: refused before anything is created.
  if (req.body.Tty && req.body.AttachStdin && !process.stdin.isTTY) throw new ExitError(1, "the input device is not a TTY");
  const client = getClient();
  // As the docker CLI: the terminal's size goes with the create, so the container's
  // first `stty size` already sees it (the resize after start would come too late).
  if (req.body.Tty && process.stdout.isTTY && process.stdout.rows) req.body.HostConfig.ConsoleSize = [process.stdout.rows, process.stdout.columns];
  const id = await createContainer(client, req);
  const detached = bool(req.parsed, "detach");
  if (detached) {
    await start(client, id);
    process.stdout.write(`${id}\n`);
    return;
  }
  const body = req.body;
  const detachKeys = str(req.parsed, "detach-keys");
  const socket = await hijack(client, "POST", `/containers/${id}/attach`, {
    stream: "1",
    stdin: body.AttachStdin ? "1" : "0",
    stdout: body.AttachStdout ? "1" : "0",
    stderr: body.AttachStderr ? "1" : "0",
    ...(detachKeys ? { detachKeys } : {}),
  });
  const term = openTerminal(client, `/containers/${id}/resize`, { tty: !!body.Tty, stdin: !!body.AttachStdin });
  // Docker proxies signals by default, but never to a container with a terminal.
  const unproxy = req.parsed.flags.get("sig-proxy") !== false && !body.Tty ? proxySignals(client, id) : () => {};
  try {
    const streamDone = pump(socket, { tty: !!body.Tty, stdin: !!body.AttachStdin });
    const condition = body.HostConfig.AutoRemove ? "removed" : "next-exit";
    const waited = await registerWait(client, id, condition);
    await start(client, id).catch((err) => {
      socket.destroy();
      throw err;
    });
    await term.sendSize();
    await streamDone;
    // The stream also ends on a detach (the detach keys): the container runs on.
    const running = await client.json<{ State?: { Running?: boolean } }>("GET", `/containers/${id}/json`).then((j) => j.State?.Running === true, () => false);
    if (running) return;
    const status = await waited.answer;
    if (status?.Error?.Message) process.stderr.write(`wharf: ${status.Error.Message}\n`);
    throw new ExitError(status?.StatusCode ?? 0);
  } finally {
    unproxy();
    term.restore();
  }
};

type WaitAnswer = { StatusCode: number; Error?: { Message?: string } | null };

/**
 * Sends the wait and returns once its headers are in, which is when the daemon has it
 * registered (as the docker CLI does): a start sent beside it could let a short-lived
 * container exit first, and a next-exit wait would then never answer.
 */
async function registerWait(client: ReturnType<typeof getClient>, id: string, condition: string): Promise<{ answer: Promise<WaitAnswer> }> {
  const res = await client.request("POST", `/containers/${id}/wait`, { query: { condition } });
  if (res.statusCode >= 400) throw errorFromResponse(res.statusCode, await readAll(res));
  const answer = readAll(res).then((text) => JSON.parse(text) as WaitAnswer);
  // Awaited only after the stream ends; a start that fails first must not leave it unhandled.
  answer.catch(() => {});
  // Wrapped: an async function returning the promise itself would wait for the answer.
  return { answer };
}

async function start(client: ReturnType<typeof getClient>, id: string): Promise<void> {
  try {
    await client.json("POST", `/containers/${id}/start`);
  } catch (err) {
    if (err instanceof WharfError) throw new ExitError(startFailureCode(err.message), runFailure(125, err.message));
    throw err;
  }
}
