// The network driver talks to the kernel through iproute2 and iptables: batched, so a
// container start costs a couple of spawns rather than one per rule.
import { mustRun as mustRunHost, runCommand, type CommandResult } from "../sys/spawn.ts";

// The C locale: the driver parses what the tools print.
const env = { PATH: process.env.PATH || "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" };

export function runCmd(argv: string[], input?: string): Promise<CommandResult> {
  return runCommand(argv, { input, env });
}

/** Runs a command that must succeed; its stderr becomes the error. */
export function mustRun(argv: string[], input?: string): Promise<string> {
  return mustRunHost(argv, { input, env });
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
