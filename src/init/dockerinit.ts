// The in-container role. The monitor starts it (through unshare, inside fresh
// namespaces) with its setup on an inherited pipe (fd 3) and _WHARF_INIT_PIPE set;
// anything else is a mistake, refused. It reports its host pid and any failure before
// exec on a unix socket whose descriptor is close-on-exec, so a successful execve
// says nothing and a failure comes back as Docker's message and exit code.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { readSome, takeControllingTty, resetSignals, closeRangeCloexec, interfaceUp, execve, setdomainname, sethostname, setrlimit, setns, unshareNs, unixConnect, writeAll, closeFd } from "../sys/libc.ts";
import { dropIdleFilePages } from "../sys/trim.ts";
import { preparePrivileges, type Privileges } from "./privileges.ts";
import { useContainerTty } from "./tty.ts";
import { defaultPath, initPipeEnv, initStatusEnv, initTokenEnv, initWarmEnv, type InitConfig, type InitReport } from "./config.ts";
import { buildEnv, execFailureFromErrno, ExecFailure, lookPath } from "./exec.ts";
import { enterRootfs, maskPaths, remountRootReadOnly, setupRootfs } from "./rootfs.ts";
import { resolveUser } from "./user.ts";
import { rlimitNumber, sysctlAllowed } from "./limits.ts";

export { initPipeEnv };

const CLONE_NEWCGROUP = 0x02000000;
const CLONE_NEWNET = 0x40000000;

export async function dockerinitMain(_args: string[]): Promise<number> {
  if (process.env[initPipeEnv] !== "3" || !isPipe(3)) {
    process.stderr.write(
      "dockerinit: not started by the wharf daemon inside a container setup; " +
        "this role sets a container up from inside and cannot be run by hand\n",
    );
    return 1;
  }
  const token = process.env[initTokenEnv] ?? "";
  const status = await openStatus(process.env[initStatusEnv]);
  try {
    // A prewarmed init waits here, for seconds or hours, with the pages of its boot mapped.
    if (process.env[initWarmEnv]) dropIdleFilePages();
    const cfg = JSON.parse(readFileSync(3, "utf8")) as InitConfig;
    closeSync(3);
    const report: Report = (r) => status.send({ token, ...r } as InitReport);
    const priv = preparePrivileges(cfg);
    if (cfg.execIn) return await (await import("./execmode.ts")).execIntoContainer(cfg, report, priv);
    return await setupAndExec(cfg, priv, (r) => status.send({ token, ...r } as InitReport), () => status.close(), (r) => status.ask({ token, ...r }));
  } catch (err) {
    const code = err instanceof ExecFailure ? err.exitCode : 125;
    const msg = err instanceof Error ? err.message : String(err);
    await status.send({ token, error: msg, exitCode: code });
    // The caller reports it; the container's own log is no place for it.
    if (!process.env[initStatusEnv]) process.stderr.write(`dockerinit: ${msg}\n`);
    return code;
  }
}

type Report = (r: Record<string, unknown>) => Promise<void>;

async function setupAndExec(cfg: InitConfig, priv: Privileges, report: Report, closeStatus: () => void, ask?: (r: Record<string, unknown>) => Promise<string>): Promise<number> {
  const spec = cfg.spec;
  // A prewarmed init booted in a namespace of its own: join the container's sandbox
  // (a no-op repeat when nsenter already put it there). Net namespaces are per thread:
  // this is the main thread, which later mounts /sys and execs.
  if (spec.network.mode === "path") {
    const fd = openSync(spec.network.path, "r");
    setns(fd, CLONE_NEWNET);
    closeSync(fd);
  }
  // Into the container's cgroup before anything of the container runs, then a cgroup
  // namespace rooted there so /proc/self/cgroup reads "/".
  for (const f of cfg.cgroupProcs) writeFileSync(f, "0");
  if (cfg.cgroupNamespace) unshareNs(CLONE_NEWCGROUP);
  // Undo the monitor's OOM protection (inherited): a container is a fair OOM target.
  writeFileSync("/proc/self/oom_score_adj", "0");
  // The host's /proc is still mounted here: it names our pid as the host sees it.
  await report({ pid: Number(readlinkSync("/proc/self")) });

  if (spec.network.mode === "none") interfaceUp("lo");
  setupRootfs(spec);
  enterRootfs(spec.rootfs, spec.mounts);
  if (spec.tty) {
    if (ask) await useContainerTty(ask);
    takeControllingTty(0); // the terminal on our stdio becomes the command's
  }
  for (const [k, v] of Object.entries(spec.sysctls ?? {})) {
    if (!sysctlAllowed(k, spec.network.mode === "host")) throw new Error(`sysctl "${k}" is not allowed in a container`);
    writeFileSync(`/proc/sys/${k.replace(/\./g, "/")}`, v);
  }
  maskPaths(spec.privileged === true);
  sethostname(spec.hostname);
  if (spec.domainname) setdomainname(spec.domainname);
  for (const u of spec.ulimits ?? []) setrlimit(rlimitNumber(u.name), u.soft, u.hard);

  const user = resolveUser(spec.user, spec.groupAdd ?? [], "/etc");
  const env = buildEnv(spec.env, spec.hostname, user.home, defaultPath);
  const cwd = spec.cwd || "/";
  try {
    mkdirSync(cwd, { recursive: true, mode: 0o755 });
  } catch {} // a read-only rootfs: chdir below says what is wrong
  if (spec.readOnlyRootfs) remountRootReadOnly();

  priv.drop(user);
  try {
    process.chdir(cwd);
  } catch {
    throw new Error(`chdir to cwd ("${cwd}") set in config.json failed: no such file or directory or permission denied`);
  }
  const pathEnv = env.find((e) => e.startsWith("PATH="))!.slice(5);
  const cmd = spec.args[0] ?? "";
  const file = lookPath(cmd, pathEnv);
  if (spec.init) {
    const { runInit } = await import("./tinyinit.ts");
    await report({ execing: true, startedAt: new Date().toISOString() });
    closeStatus(); // as an exec would: the command is (about to be) running
    priv.beforeExec();
    return runInit(file, spec.args, env);
  }
  await report({ execing: true, startedAt: new Date().toISOString() });
  closeRangeCloexec(3);
  resetSignals();
  priv.beforeExec();
  try {
    execve(file, spec.args, env);
  } catch (err) {
    throw execFailureFromErrno(cmd, err);
  }
}

interface StatusChannel {
  send(r: Record<string, unknown>): Promise<void>;
  /** Sends and waits for the monitor's one-byte answer ("" when there is no monitor). */
  ask(r: Record<string, unknown>): Promise<string>;
  close(): void;
}

async function openStatus(path: string | undefined): Promise<StatusChannel> {
  if (!path) return { send: async () => {}, ask: async () => "", close: () => {} };
  let fd: number | undefined = unixConnect(path);
  return {
    send: async (r) => {
      if (fd !== undefined) writeAll(fd, Buffer.from(JSON.stringify(r) + "\n"));
    },
    ask: async (r) => {
      if (fd === undefined) return "";
      writeAll(fd, Buffer.from(JSON.stringify(r) + "\n"));
      return readSome(fd, 1).toString();
    },
    close: () => {
      if (fd !== undefined) closeFd(fd);
      fd = undefined;
    },
  };
}

function isPipe(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}
