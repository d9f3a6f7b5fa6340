// A TTY container's terminal, from its own devpts: the monitor starts us on a terminal
// of the host's devpts (so early output has somewhere to go), but a program that asks
// for its terminal's name (tty, ps, login tools) must find it under the container's
// /dev/pts. Once that is mounted we make a pair there, hand the master to the monitor
// (it takes a copy with pidfd_getfd while we wait), and move our stdio onto the slave.
import { closeFd, dup2, getWinsize, openptyAt, setWinsize } from "../sys/libc.ts";

export async function useContainerTty(ask: (r: Record<string, unknown>) => Promise<string>): Promise<void> {
  let pair: [number, number];
  try {
    pair = openptyAt("/dev/pts/ptmx");
  } catch {
    return; // no devpts of its own: the host's terminal stays
  }
  const [m, s] = pair;
  try {
    try {
      const { rows, cols } = getWinsize(0);
      if (rows && cols) setWinsize(m, rows, cols);
    } catch {}
    if ((await ask({ ptyMaster: m })) !== "1") return;
    for (const fd of [0, 1, 2]) dup2(s, fd);
  } finally {
    closeFd(s);
    closeFd(m);
  }
}
