// dockerinit's exec mode (`docker exec`): join a running container and exec a command
// in it. The daemon spawned us already inside the container's pid namespace; we join
// its cgroup, then its other namespaces on this thread (the one that execs). The mount
// namespace is the catch: setns(CLONE_NEWNS) refuses a thread that shares its
// filesystem context (root, cwd) with others, as every thread of a Bun process does.
// unshare(CLONE_FS) gives this thread its own first; the other threads keep theirs and
// vanish at execve.
import { openSync, closeSync, readlinkSync, writeFileSync } from "node:fs";
import { closeRangeCloexec, execve, prctl, setns, takeControllingTty, unshareNs } from "../sys/libc.ts";
import { defaultPath, type InitConfig } from "./config.ts";
import { buildEnv, execFailureFromErrno, lookPath } from "./exec.ts";
import { resolveUser } from "./user.ts";
import type { Privileges } from "./privileges.ts";

// The mount namespace last: /proc/PID/ns paths are the host's until then.
const nsFlags: Record<string, number> = { cgroup: 0x02000000, ipc: 0x08000000, uts: 0x04000000, net: 0x40000000, mnt: 0x00020000 };
const CLONE_FS = 0x00000200;
const PR_SET_DUMPABLE = 4;

export async function execIntoContainer(
  cfg: InitConfig,
  report: (r: Record<string, unknown>) => Promise<void>,
  priv: Privileges,
): Promise<never> {
  const spec = cfg.spec;
  const target = cfg.execIn!;
  // Before anything of the container is joined: a non-dumpable process cannot be
  // ptraced, nor its /proc/N/exe, fd/ or mem opened, by the container's processes.
  prctl(PR_SET_DUMPABLE, 0);
  for (const f of cfg.cgroupProcs) writeFileSync(f, "0");
  // Open every namespace before entering any: /proc is still the host's here.
  const fds = Object.entries(nsFlags).map(([name, flag]) => [openSync(`/proc/${target}/ns/${name}`, "r"), flag] as const);
  await report({ pid: Number(readlinkSync("/proc/self")) });
  unshareNs(CLONE_FS);
  for (const [fd, flag] of fds) {
    setns(fd, flag);
    closeSync(fd);
  }
  process.chdir("/"); // the mount namespace's root is ours now; the old cwd is not in it
  if (spec.tty) takeControllingTty(0);

  const user = resolveUser(spec.user, spec.groupAdd ?? [], "/etc");
  const env = buildEnv(spec.env, spec.hostname, user.home, defaultPath);
  const cwd = spec.cwd || "/";
  priv.drop(user);
  try {
    process.chdir(cwd);
  } catch {
    throw new Error(`chdir to cwd ("${cwd}") set in config.json failed: no such file or directory`);
  }
  const pathEnv = env.find((e) => e.startsWith("PATH="))!.slice(5);
  const cmd = spec.args[0] ?? "";
  const file = lookPath(cmd, pathEnv);
  await report({ execing: true, startedAt: new Date().toISOString() });
  closeRangeCloexec(3);
  priv.beforeExec();
  try {
    execve(file, spec.args, env);
  } catch (err) {
    throw execFailureFromErrno(cmd, err);
  }
}
