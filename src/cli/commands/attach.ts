// wharf attach: our stdin, stdout and stderr to a running container's, raw when it
// has a terminal; ends with the container (its exit code) or on the detach keys.
import type { ContainerInspect } from "../../api/types/index.ts";

type WaitAnswer = { StatusCode: number; Error?: { Message?: string } | null };
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { hijack } from "../../client/hijack.ts";
import { pump } from "../attach.ts";
import { ExitError } from "../exit.ts";
import { WharfError } from "../../errors.ts";
import { openTerminal, proxySignals } from "../terminal.ts";

export const attach: Runner = async (p) => {
  const client = getClient();
  let c: ContainerInspect;
  try {
    c = await client.json("GET", `/containers/${encodeURIComponent(p.positionals[0]!)}/json`);
  } catch (err) {
    if (err instanceof WharfError) throw new ExitError(1, err.message);
    throw err;
  }
  if (!c.State?.Running) throw new ExitError(1, "You cannot attach to a stopped container, start it first");
  if (c.State?.Paused) throw new ExitError(1, "You cannot attach to a paused container, unpause it first");
  const tty = c.Config.Tty === true;
  const stdin = c.Config.OpenStdin === true && !bool(p, "no-stdin");
  if (tty && stdin && !process.stdin.isTTY) throw new ExitError(1, "the input device is not a TTY");
  const detachKeys = str(p, "detach-keys");
  const waited = client.json<WaitAnswer>("POST", `/containers/${c.Id}/wait`, { query: { condition: "not-running" } });
  const socket = await hijack(client, "POST", `/containers/${c.Id}/attach`, {
    stream: "1",
    stdin: stdin ? "1" : "0",
    stdout: "1",
    stderr: "1",
    ...(detachKeys ? { detachKeys } : {}),
  });
  const term = openTerminal(client, `/containers/${c.Id}/resize`, { tty, stdin });
  const unproxy = p.flags.get("sig-proxy") !== false && !tty ? proxySignals(client, c.Id!) : () => {};
  try {
    const done = pump(socket, { tty, stdin });
    await term.sendSize();
    await done;
  } finally {
    unproxy();
    term.restore();
  }
  const now = await client.json<ContainerInspect>("GET", `/containers/${c.Id}/json`).catch(() => undefined);
  if (now?.State?.Running) return; // detached
  const status = await waited;
  if (status?.StatusCode) throw new ExitError(status.StatusCode);
};
