// The Engine API as the bench drives it, for every engine alike: Bun's fetch over the
// engine's unix socket, at the newest API version that engine serves.
import type { Engine } from "./engines.ts";

export async function call(e: Engine, method: string, path: string, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`http://docker${e.api}${path}`, {
      unix: e.sock,
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    // Which engine and which call: a bare "The operation timed out." says neither.
    throw new Error(`${e.label}: ${method} ${path}: ${(err as Error).name}: ${(err as Error).message}`);
  }
  if (res.status >= 400) throw new Error(`${e.label}: ${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

export async function json<T>(e: Engine, method: string, path: string, body?: unknown): Promise<T> {
  const res = await call(e, method, path, body);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** `run --rm IMAGE CMD` as the API does it: create, wait (next-exit) registered before start, start, delete. */
export async function runRm(e: Engine, cmd: string[], network = "none"): Promise<void> {
  const { Id } = await json<{ Id: string }>(e, "POST", "/containers/create", {
    Image: "busybox",
    Cmd: cmd,
    HostConfig: { NetworkMode: network },
  });
  const waited = json<{ StatusCode: number }>(e, "POST", `/containers/${Id}/wait?condition=next-exit`);
  await call(e, "POST", `/containers/${Id}/start`);
  const { StatusCode } = await waited;
  await call(e, "DELETE", `/containers/${Id}?v=1`);
  if (StatusCode !== 0) throw new Error(`${e.label}: ${cmd.join(" ")} exited ${StatusCode}`);
}

/** `exec CONTAINER CMD` through the API: create, start attached until the stream ends, inspect the exit code. */
export async function execApi(e: Engine, container: string, cmd: string[]): Promise<number> {
  const { Id } = await json<{ Id: string }>(e, "POST", `/containers/${container}/exec`, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const res = await call(e, "POST", `/exec/${Id}/start`, { Detach: false, Tty: false });
  await res.arrayBuffer();
  return (await json<{ ExitCode: number }>(e, "GET", `/exec/${Id}/json`)).ExitCode;
}
