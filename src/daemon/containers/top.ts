// docker top: the host's `ps` with the client's arguments, filtered to the container's
// processes, as Docker's ContainerTop does (rows of threads follow their process).
import { conflict, invalidParameter, systemError } from "../../errors.ts";
import type { ContainerContext } from "./context.ts";
import { runCommand } from "../../sys/spawn.ts";

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

export async function containerTop(ctx: ContainerContext, ref: string, psArgs = "-ef"): Promise<TopResult> {
  const c = ctx.store.lookup(ref);
  const s = c.state.s;
  if (!s.Running) throw conflict(`Container ${c.id} is not running`);
  if (s.Restarting) throw conflict(`Container ${c.id} is restarting, wait until the container is running`);
  const pids = ctx.exec.pids?.(c) ?? [s.Pid];
  const args = psArgs.split(" ").filter(Boolean);
  // `-q` lets ps list only our pids; some options (f) refuse it, so retry without.
  let out = pids.length ? await ps([...args, "-q", pids.join(",")]) : undefined;
  if (out === undefined) out = await ps(args);
  if (out === undefined) throw systemError(`Error running ps: ps ${args.join(" ")} failed`);
  const result = parsePs(out, pids);
  ctx.emit(c, "top");
  return result;
}

async function ps(args: string[]): Promise<string | undefined> {
  const r = await runCommand(["ps", ...args]);
  return r.code === 0 ? r.stdout : undefined;
}

export function parsePs(output: string, pids: number[]): TopResult {
  const lines = output.split("\n");
  const Titles = (lines[0] ?? "").trim().split(/\s+/).filter(Boolean);
  const pidIndex = Titles.indexOf("PID");
  if (pidIndex === -1) throw invalidParameter("Couldn't find PID field in ps output");
  const Processes: string[][] = [];
  const want = new Set(pids);
  const add = (fields: string[]) => {
    const head = fields.slice(0, Titles.length - 1);
    head.push(fields.slice(Titles.length - 1).join(" "));
    Processes.push(head);
  };
  let inside = false;
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const fields = line.trim().split(/\s+/);
    const f = fields[pidIndex];
    if (f === "-") {
      if (inside) add(fields);
      continue;
    }
    if (f === undefined || !/^\d+$/.test(f)) throw invalidParameter(`Unexpected pid '${f}': invalid syntax`);
    inside = want.has(Number(f));
    if (inside) add(fields);
  }
  return { Titles, Processes };
}
