// What a container's process may do, applied in the order runc applies it: the seccomp
// filter before the capability drop when loading it needs CAP_SYS_ADMIN (no
// no-new-privileges), else as late as possible, just before exec; capabilities cut to
// the container's set with inheritable and ambient empty (CVE-2022-24769: a file with
// inheritable file capabilities must not gain them for a non-root user).
import { readFileSync } from "node:fs";
import { capset, prctl, seccompInstall, setgroups, setresgid, setresuid } from "../sys/libc.ts";
import { capabilityMask } from "./caps.ts";
import type { InitConfig } from "./config.ts";
import { seccompProgram } from "./seccompcache.ts";

const PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;

export interface Privileges {
  /** Switches to the container's user and capabilities (and seccomp, see above). */
  drop(user: { uid: number; gid: number; groups: number[] }): void;
  /** The last step before execve. */
  beforeExec(): void;
}

/** Reads what it needs from the host's /proc and the exec root: call before entering the container. */
export function preparePrivileges(cfg: InitConfig): Privileges {
  const spec = cfg.spec;
  const lastCap = Number(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8"));
  // Nothing beyond what we hold ourselves: --privileged means all of those.
  const own = BigInt("0x" + (/^CapBnd:\s*([0-9a-f]+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0"));
  const mask = capabilityMask(spec, lastCap) & own;
  // Privileged containers run unconfined, as in Docker.
  const program = spec.privileged && spec.seccomp === undefined ? null : seccompProgram(spec.seccomp, mask, cfg.seccompCache);
  const nnp = spec.noNewPrivileges === true;
  return {
    drop(user) {
      if (program && !nnp) seccompInstall(program);
      for (let c = 0; c <= lastCap; c++) if (!(mask & (1n << BigInt(c)))) prctl(PR_CAPBSET_DROP, c);
      // Keep the permitted set across the uid change; exec then recomputes it as the
      // kernel does for that uid (root keeps the bounding set, others get nothing).
      prctl(PR_SET_KEEPCAPS, 1);
      setgroups(user.groups);
      setresgid(user.gid);
      setresuid(user.uid);
      capset(mask, mask, 0n);
      prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
      if (nnp) prctl(PR_SET_NO_NEW_PRIVS, 1);
    },
    beforeExec() {
      if (program && nnp) seccompInstall(program);
    },
  };
}
