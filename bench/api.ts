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

export async function json<T>(e: Engine, method: string, path: string, payload?: unknown): Promise<T> {
  return body<T>(e, `${method} ${path}`, await call(e, method, path, payload));
}

/** A response's JSON body; a failed read names the engine and the call, as call() does. */
async function body<T>(e: Engine, what: string, res: Response): Promise<T> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new Error(`${e.label}: ${what}: reading the answer: ${(err as Error).name}: ${(err as Error).message}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Starts a created container and answers its exit code, with the wait registered first. */
export async function startAndWait(e: Engine, id: string): Promise<number> {
  // The wait's headers mean the engine has registered it (wharf, dockerd and Podman all
  // send them at once). Starting before they arrive races the exit against the wait on
  // its own connection: lost, next-exit waits forever, and a run of hundreds hangs.
  const waiting = await call(e, "POST", `/containers/${id}/wait?condition=next-exit`);
  await call(e, "POST", `/containers/${id}/start`);
  return (await body<{ StatusCode: number }>(e, `POST /containers/${id}/wait`, waiting)).StatusCode;
}

/** `run --rm IMAGE CMD` as the API does it: create, wait (next-exit) registered before start, start, delete. */
export async function runRm(e: Engine, cmd: string[], network = "none"): Promise<void> {
  const { Id } = await json<{ Id: string }>(e, "POST", "/containers/create", {
    Image: "busybox",
    Cmd: cmd,
    HostConfig: { NetworkMode: network },
  });
  const StatusCode = await startAndWait(e, Id);
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
