// The network driver talks to the kernel through iproute2 and iptables: batched, so a
// container start costs a couple of spawns rather than one per rule.
import { systemError } from "../errors.ts";

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCmd(argv: string[], input?: string): Promise<CmdResult> {
  const proc = Bun.spawn(argv, {
    stdin: input === undefined ? "ignore" : new TextEncoder().encode(input),
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH || "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Runs a command that must succeed; its stderr becomes the error. */
export async function mustRun(argv: string[], input?: string): Promise<string> {
  const r = await runCmd(argv, input);
  if (r.code !== 0) throw systemError(`${argv[0]} failed: ${(r.stderr || r.stdout).trim()}${input ? ` (input: ${input.trim().split("\n").slice(0, 6).join("; ")})` : ""}`);
  return r.stdout;
}

/** `ip -batch -` with -force: every line is tried; returns the first error, if any. */
export async function ipBatch(lines: string[], prefix: string[] = []): Promise<void> {
  if (!lines.length) return;
  await mustRun([...prefix, "ip", "-batch", "-"], lines.join("\n") + "\n");
}

/** Applies rules through iptables-restore --noflush (ip6tables-restore for `v6`): one spawn, atomic per table. */
export async function iptablesRestore(tables: Record<string, string[]>, v6 = false): Promise<void> {
  let text = "";
  for (const [table, lines] of Object.entries(tables)) {
    if (!lines.length) continue;
    text += `*${table}\n${lines.join("\n")}\nCOMMIT\n`;
  }
  if (!text) return;
  await mustRun([v6 ? "ip6tables-restore" : "iptables-restore", "-w", "--noflush"], text);
}
