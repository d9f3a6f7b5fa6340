// dockerinit's exec mode (`docker exec`): join a running container and exec a command
// in it. The daemon spawned us already inside the container's pid namespace. What is
// left is per-thread or per-process and allowed in a threaded process like ours:
// the cgroup, the cgroup/ipc/uts/net namespaces (setns on this thread, which is the one
// that execs), and the root directory. The mount namespace itself cannot be entered by
// a threaded process (setns(CLONE_NEWNS) is EINVAL), so we chroot into the container's
// root as the kernel shows it under /proc/PID/root: every mount of the container is
// visible beneath it, the masks included.
import { openSync, closeSync, readlinkSync, writeFileSync } from "node:fs";
import { chroot, closeRangeCloexec, execve, setns, takeControllingTty } from "../sys/libc.ts";
import { defaultPath, type InitConfig } from "./config.ts";
import { buildEnv, execFailureFromErrno, lookPath } from "./exec.ts";
import { resolveUser } from "./user.ts";
import { capNames } from "./caps.ts";

/**
 * A chroot is only a wall for a process that cannot chroot again: unlike the
 * container's own processes (pivot_root in their own mount namespace), an exec'd one
 * lives in the host's mount namespace, so without CAP_SYS_CHROOT it stays inside.
 * Docker gives it by default; we give it only with --privileged (which can leave anyway).
 */
export function withoutChroot<T extends { privileged?: boolean; capAdd?: string[]; capDrop?: string[] }>(spec: T): T {
  if (spec.privileged) return spec;
  const isChroot = (c: string) => /^(CAP_)?SYS_CHROOT$/i.test(c);
  const capAdd = (spec.capAdd ?? []).flatMap((c) => (c.toUpperCase() === "ALL" ? capNames : [c])).filter((c) => !isChroot(c));
  return { ...spec, capAdd, capDrop: [...(spec.capDrop ?? []), "SYS_CHROOT"] };
}

const nsFlags: Record<string, number> = { cgroup: 0x02000000, ipc: 0x08000000, uts: 0x04000000, net: 0x40000000 };

export async function execIntoContainer(
  cfg: InitConfig,
  report: (r: Record<string, unknown>) => Promise<void>,
  dropPrivileges: (spec: InitConfig["spec"], user: { uid: number; gid: number; groups: number[] }) => void,
): Promise<never> {
  const spec = cfg.spec;
  const target = cfg.execIn!;
  for (const f of cfg.cgroupProcs) writeFileSync(f, "0");
  // Open every namespace before entering any: /proc is still the host's here.
  const fds = Object.entries(nsFlags).map(([name, flag]) => [openSync(`/proc/${target}/ns/${name}`, "r"), flag] as const);
  for (const [fd, flag] of fds) {
    setns(fd, flag);
    closeSync(fd);
  }
  if (spec.tty) takeControllingTty(0);
  await report({ pid: Number(readlinkSync("/proc/self")) });
  chroot(`/proc/${target}/root`);
  process.chdir("/");

  const user = resolveUser(spec.user, spec.groupAdd ?? [], "/etc");
  const env = buildEnv(spec.env, spec.hostname, user.home, defaultPath);
  const cwd = spec.cwd || "/";
  dropPrivileges(withoutChroot(spec), user);
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
  try {
    execve(file, spec.args, env);
  } catch (err) {
    throw execFailureFromErrno(cmd, err);
  }
}
