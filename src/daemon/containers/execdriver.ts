// The exec driver over the runtime: turns a container record into the runtime's
// ContainerSpec and maps its calls onto the container's id and directory.
import { withDefaultUlimits } from "./daemon-defaults.ts";
import { createWriteStream, statSync } from "node:fs";
import type { Container } from "../../container/container.ts";
import type { ContainerSpec, MountSpec, NetworkMode, Resources, Runtime } from "../../runtime/types.ts";
import { pathAndArgs } from "../../container/config.ts";
import type { HostConfig } from "../../api/types/index.ts";
import { conflict } from "../../errors.ts";
import type { ExecDriver } from "./context.ts";
import { mergeEnv } from "../../container/links.ts";
import { jsonFileOptions } from "../../logs/config.ts";
import { parseSecurityOpts } from "../../container/secopts.ts";
import { devicesOf } from "./devices.ts";

function logRotation(lc: HostConfig["LogConfig"]): { logMaxSize?: number; logMaxFile?: number; logCompress?: boolean } {
  if (lc?.Type === "none") return {};
  const o = jsonFileOptions(lc?.Config);
  return o.maxSize ? { logMaxSize: o.maxSize, logMaxFile: o.maxFile, ...(o.compress ? { logCompress: true } : {}) } : {};
}

export function resourcesOf(hc: HostConfig): Resources {
  return {
    memory: hc.Memory || undefined,
    memorySwap: hc.MemorySwap || undefined,
    memoryReservation: hc.MemoryReservation || undefined,
    nanoCpus: hc.NanoCpus || undefined,
    cpuShares: hc.CpuShares || undefined,
    cpuPeriod: hc.CpuPeriod || undefined,
    cpuQuota: hc.CpuQuota || undefined,
    cpusetCpus: hc.CpusetCpus || undefined,
    cpusetMems: hc.CpusetMems || undefined,
    pidsLimit: hc.PidsLimit ?? undefined,
  };
}

function securityOf(opts: string[] | null | undefined): { noNewPrivileges: boolean; seccomp?: string } {
  const s = parseSecurityOpts(opts);
  return s.seccomp === undefined ? { noNewPrivileges: s.noNewPrivileges } : { noNewPrivileges: s.noNewPrivileges, seccomp: s.seccomp };
}

function withTerm(tty: boolean, env: string[]): string[] {
  return tty && !env.some((e) => e.startsWith("TERM=")) ? ["TERM=xterm", ...env] : env;
}

export function specOf(c: Container, rootfs: string, network: NetworkMode, mounts: MountSpec[] = []): ContainerSpec {
  const { Config: cfg, HostConfig: hc } = c.rec;
  const { Path, Args } = pathAndArgs(cfg);
  return {
    id: c.id,
    rootfs,
    stateDir: c.paths.root,
    logPath: hc.LogConfig?.Type === "none" ? "" : c.paths.logPath,
    ...logRotation(hc.LogConfig),
    args: [Path, ...Args],
    // Docker's daemon environment: TERM for a terminal, unless the config sets its own.
    env: withTerm(!!cfg.Tty, mergeEnv(c.linkEnv, cfg.Env ?? [])),
    cwd: cfg.WorkingDir || undefined,
    user: cfg.User || undefined,
    groupAdd: hc.GroupAdd ?? undefined,
    hostname: cfg.Hostname as string,
    domainname: cfg.Domainname || undefined,
    etcFiles: { hostname: c.paths.hostnamePath, hosts: c.paths.hostsPath, resolvConf: c.paths.resolvConfPath },
    mounts: [...tmpfsMounts(hc.Tmpfs), ...mounts],
    network,
    readOnlyRootfs: !!hc.ReadonlyRootfs,
    shmSize: hc.ShmSize || undefined,
    privileged: !!hc.Privileged,
    ...devicesOf(hc),
    capAdd: hc.CapAdd ?? undefined,
    capDrop: hc.CapDrop ?? undefined,
    ...securityOf(hc.SecurityOpt),
    ulimits: withDefaultUlimits(hc.Ulimits).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    sysctls: hc.Sysctls ?? undefined,
    init: !!hc.Init,
    openStdin: !!cfg.OpenStdin,
    tty: !!cfg.Tty,
    consoleSize: hc.ConsoleSize?.[0] && hc.ConsoleSize?.[1] ? [hc.ConsoleSize[0], hc.ConsoleSize[1]] : undefined,
    resources: resourcesOf(hc),
  };
}

function tmpfsMounts(tmpfs: Record<string, string> | null | undefined) {
  return Object.entries(tmpfs ?? {}).map(([destination, options]) => ({
    source: "tmpfs",
    destination,
    type: "tmpfs" as const,
    options: options || undefined,
  }));
}

export class RuntimeExecDriver implements ExecDriver {
  constructor(
    private readonly runtime: Runtime,
    /** Resolves `container:NAME` network modes to the other container. */
    private readonly lookup: (ref: string) => Container,
  ) {}

  private network(c: Container): NetworkMode {
    const mode: string = c.rec.HostConfig.NetworkMode || "default";
    if (mode === "host") return { mode: "host" };
    if (mode.startsWith("container:")) {
      const other = this.lookup(mode.slice("container:".length));
      if (!other.state.s.Running) throw conflict(`cannot join network of a non running container: ${other.id}`);
      return { mode: "path", path: `/proc/${other.state.s.Pid}/ns/net` };
    }
    // Bridge and user networks: the sandbox the network controller made at attach.
    const sandbox: string | undefined = c.rec.NetRuntime?.sandboxKey;
    if (sandbox) return { mode: "path", path: sandbox };
    return { mode: "none" };
  }

  async start(c: Container, rootfs: string, mounts?: MountSpec[]) {
    return await this.runtime.start(specOf(c, rootfs, this.network(c), mounts));
  }

  waitExit(c: Container) {
    return this.runtime.wait(c.id, c.paths.root);
  }

  alive(c: Container): boolean {
    return this.runtime.alive(c.paths.root);
  }

  async signal(c: Container, signal: number) {
    this.runtime.signal(c.paths.root, signal);
  }

  pause(c: Container) {
    return this.runtime.pause(c.id);
  }

  resume(c: Container) {
    return this.runtime.resume(c.id);
  }

  frozen(c: Container) {
    return this.runtime.frozen(c.id);
  }

  update(c: Container) {
    return this.runtime.update(c.id, resourcesOf(c.rec.HostConfig));
  }

  async openStdin(c: Container) {
    if (!c.rec.Config.OpenStdin) return undefined;
    // `run -i` attaches before start: the monitor makes the fifo at start, so wait for
    // it, and never create it (a plain file in its place would swallow the input).
    const path = this.runtime.stdinPath(c.paths.root);
    while (!isFifo(path)) {
      if (c.state.s.Status === "exited" || c.state.s.Status === "removing" || c.state.s.Dead) return undefined;
      await Bun.sleep(5);
    }
    const w = createWriteStream(path, { flags: "r+" });
    // The monitor keeps the fifo open for later attaches; StdinOnce asks it to close.
    if (c.rec.Config.StdinOnce && !c.rec.Config.Tty) w.on("close", () => void this.runtime.closeStdin(c.id));
    return w;
  }

  stats(c: Container) {
    return this.runtime.stats(c.id);
  }

  pids(c: Container) {
    return this.runtime.pids(c.id);
  }

  cleanup(c: Container) {
    return this.runtime.cleanup(c.id, c.paths.root);
  }

  resize(c: Container, rows: number, cols: number) {
    return this.runtime.resize(c.id, rows, cols);
  }
}

function isFifo(path: string): boolean {
  try {
    return statSync(path).isFIFO();
  } catch {
    return false;
  }
}
