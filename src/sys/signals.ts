// Signal names and numbers on Linux x86_64/arm64, as `docker kill -s` accepts them:
// `KILL`, `SIGKILL`, `9`, and `SIGRTMIN+3`.
import { invalidParameter } from "../errors.ts";

const table: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11,
  USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21,
  TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};
const SIGRTMIN = 34;
const SIGRTMAX = 64;

export function parseSignal(raw: string): number {
  const s = raw.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1 || n > SIGRTMAX) throw invalidParameter(`Invalid signal: ${raw}`);
    return n;
  }
  const name = s.replace(/^SIG/, "");
  if (name in table) return table[name]!;
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name) ?? /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const n = name.startsWith("RTMIN") ? SIGRTMIN + Number(rt[1] ?? 0) : SIGRTMAX - Number(rt[1] ?? 0);
    if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
  }
  throw invalidParameter(`Invalid signal: ${raw}`);
}

export function signalName(n: number): string {
  const name = Object.entries(table).find(([, v]) => v === n)?.[0];
  return name ? `SIG${name}` : String(n);
}
