// Container create: validate the request and merge it with the image's config, as
// dockerd does. Pure functions; the daemon's create verb calls them.
import { invalidParameter } from "../errors.ts";
import { capNames } from "../init/caps.ts";

import type { ContainerConfig, HealthConfig, HostConfig } from "../api/types/index.ts";

/** The image config's `config`: the same Go struct as a container's. */
export type ImageConfig = ContainerConfig;

const restartPolicies = ["", "no", "always", "unless-stopped", "on-failure"];

/** Checks a create request's HostConfig; every message names the field at fault. */
export function validateHostConfig(hc: HostConfig, ncpu: number): void {
  const rp = hc.RestartPolicy ?? {};
  if (!restartPolicies.includes(rp.Name ?? "")) throw invalidParameter(`invalid restart policy: unknown policy '${rp.Name}'; use one of 'no', 'always', 'on-failure' or 'unless-stopped'`);
  if (rp.MaximumRetryCount && rp.Name !== "on-failure") {
    throw invalidParameter(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if ((rp.MaximumRetryCount ?? 0) < 0) throw invalidParameter("invalid restart policy: maximum retry count cannot be negative");
  if (hc.AutoRemove && rp.Name && rp.Name !== "no") {
    throw invalidParameter("can't create 'AutoRemove' container with restart policy");
  }
  // As dockerd: every value but 0 below 6MB, negatives included.
  if (hc.Memory && hc.Memory < 6 * 1024 * 1024) throw invalidParameter("Minimum memory limit allowed is 6MB");
  if (hc.MemoryReservation && hc.MemoryReservation < 6 * 1024 * 1024) throw invalidParameter("Minimum memory reservation allowed is 6MB");
  if (hc.MemorySwap && hc.MemorySwap < -1) throw invalidParameter(`invalid MemorySwap ${hc.MemorySwap}: want -1 (unlimited), 0 or a number of bytes`);
  if (hc.CpuShares && hc.CpuShares < 0) throw invalidParameter(`invalid CPU shares (${hc.CpuShares}): value must be a positive integer`);
  if (hc.CpuPeriod && (hc.CpuPeriod < 1000 || hc.CpuPeriod > 1000000)) {
    throw invalidParameter("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  }
  if (hc.CpuQuota && hc.CpuQuota > 0 && hc.CpuQuota < 1000) throw invalidParameter("CPU cfs quota can not be less than 1ms (i.e. 1000)");
  if (hc.OomScoreAdj && (hc.OomScoreAdj < -1000 || hc.OomScoreAdj > 1000)) {
    throw invalidParameter(`Invalid value ${hc.OomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  }
  for (const f of ["CapAdd", "CapDrop"] as const) {
    for (const c of hc[f] ?? []) {
      const name = String(c).toUpperCase().replace(/^CAP_/, "");
      if (name !== "ALL" && !capNames.includes(name)) throw invalidParameter(`unknown capability: ${JSON.stringify(c)}`);
    }
  }
  if (hc.MemorySwap && hc.MemorySwap > 0 && hc.Memory && hc.MemorySwap < hc.Memory) {
    throw invalidParameter("Minimum memoryswap limit should be larger than memory limit, see usage");
  }
  if (hc.MemorySwap && hc.MemorySwap > 0 && !hc.Memory) {
    throw invalidParameter("You should always set the Memory limit when using Memoryswap limit, see usage");
  }
  if (hc.MemoryReservation && hc.Memory && hc.MemoryReservation > hc.Memory) {
    throw invalidParameter("Minimum memory limit can not be less than memory reservation limit, see usage");
  }
  if (hc.NanoCpus) {
    if (hc.NanoCpus < 0 || hc.NanoCpus > ncpu * 1e9) {
      throw invalidParameter(`Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`);
    }
    if (hc.CpuQuota || hc.CpuPeriod) throw invalidParameter("Conflicting options: Nano CPUs and CPU Period cannot both be set");
  }
  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null && !Number.isInteger(hc.PidsLimit)) {
    throw invalidParameter("invalid PidsLimit: want an integer");
  }
  if (hc.CpusetCpus && !/^(\d+(-\d+)?)(,\d+(-\d+)?)*$/.test(hc.CpusetCpus)) {
    throw invalidParameter(`Invalid value ${hc.CpusetCpus} for cpuset cpus`);
  }
  if (typeof hc.ShmSize === "number" && hc.ShmSize < 0) throw invalidParameter("SHM size can not be less than 0");
  for (const u of hc.Ulimits ?? []) {
    if (typeof u?.Name !== "string" || !Number.isInteger(u.Soft) || !Number.isInteger(u.Hard)) {
      throw invalidParameter(`invalid ulimit: ${JSON.stringify(u)}`);
    }
    if (u.Soft! > u.Hard!) throw invalidParameter(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
  }
  // Any network name dockerd accepts is a mode ("test 01"); the network controller checks it exists.
  if (hc.NetworkMode !== undefined && typeof hc.NetworkMode !== "string") throw invalidParameter(`invalid NetworkMode: ${hc.NetworkMode}`);
}

/** Checks a create request's config (its list fields may still be anything a client sent). */
export function validateConfig(raw: ContainerConfig | { [field: string]: unknown }): asserts raw is ContainerConfig {
  for (const f of ["Env", "Cmd", "Entrypoint"] as const) {
    const v: unknown = raw[f];
    if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) {
      throw invalidParameter(`invalid ${f}: want a list of strings`);
    }
  }
  const c = raw as ContainerConfig;
  for (const e of c.Env ?? []) if (e.startsWith("=") || e === "") throw invalidParameter(`invalid environment variable: ${e}`);
  if (c.WorkingDir && !c.WorkingDir.startsWith("/")) {
    throw invalidParameter(`the working directory '${c.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  if (c.StopTimeout !== undefined && c.StopTimeout !== null && !Number.isInteger(c.StopTimeout)) {
    throw invalidParameter("invalid StopTimeout: want an integer number of seconds");
  }
  validateHealthcheck(c.Healthcheck);
}

/** Docker's limits: durations of 0 (the default) or at least 1ms, retries not negative. */
function validateHealthcheck(h: HealthConfig | null | undefined): void {
  if (h === undefined || h === null) return;
  if (typeof h !== "object" || Array.isArray(h)) throw invalidParameter("invalid Healthcheck: want an object");
  if (h.Test !== undefined && h.Test !== null && (!Array.isArray(h.Test) || h.Test.some((x: unknown) => typeof x !== "string"))) {
    throw invalidParameter("invalid Healthcheck.Test: want a list of strings");
  }
  for (const f of ["Interval", "Timeout", "StartPeriod", "StartInterval"] as const) {
    const v = h[f] ?? 0;
    if (typeof v !== "number" || !Number.isInteger(v)) throw invalidParameter(`invalid Healthcheck.${f}: want nanoseconds`);
    if (v !== 0 && v < 1_000_000) throw invalidParameter(`${f} in Healthcheck cannot be less than 1ms`);
  }
  const r = h.Retries ?? 0;
  if (typeof r !== "number" || !Number.isInteger(r)) throw invalidParameter("invalid Healthcheck.Retries: want an integer");
  if (r < 0) throw invalidParameter("Retries in Healthcheck cannot be negative");
}

const envKey = (e: string) => e.split("=", 1)[0];

/** The request's config with the image's defaults filled in (dockerd's merge rules). */
export function mergeImageConfig(user: ContainerConfig, image: ImageConfig): ContainerConfig {
  const c: ContainerConfig = { ...user };
  if (!c.User) c.User = image.User ?? "";
  if (image.ExposedPorts) c.ExposedPorts = { ...image.ExposedPorts, ...(c.ExposedPorts ?? {}) };
  if (image.Env?.length) {
    const have = new Set((c.Env ?? []).map(envKey));
    c.Env = [...(c.Env ?? []), ...image.Env.filter((e) => !have.has(envKey(e)))];
  }
  if (image.Labels) c.Labels = { ...image.Labels, ...(c.Labels ?? {}) };
  // An explicit entrypoint drops the image's Cmd as well as its Entrypoint.
  if (!c.Entrypoint?.length) {
    if (!c.Cmd?.length) c.Cmd = image.Cmd ?? null;
    if (c.Entrypoint === undefined || c.Entrypoint === null) c.Entrypoint = image.Entrypoint ?? null;
  }
  if (!c.WorkingDir) c.WorkingDir = image.WorkingDir ?? "";
  if (image.Volumes) c.Volumes = { ...image.Volumes, ...(c.Volumes ?? {}) };
  if (!c.StopSignal && image.StopSignal) c.StopSignal = image.StopSignal;
  // Field by field, as dockerd merges a healthcheck: what the request leaves unset (an
  // empty Test, zero durations and retries) comes from the image.
  if (image.Healthcheck) {
    if (!c.Healthcheck) c.Healthcheck = image.Healthcheck;
    else {
      const h = { ...c.Healthcheck };
      if (!h.Test?.length) h.Test = image.Healthcheck.Test;
      for (const f of ["Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"] as const) if (!h[f] && image.Healthcheck[f]) h[f] = image.Healthcheck[f];
      c.Healthcheck = h;
    }
  }
  if (!c.OnBuild && image.OnBuild) c.OnBuild = image.OnBuild;
  if (!c.Shell && image.Shell) c.Shell = image.Shell;
  const argv = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  if (!argv.length) throw invalidParameter("No command specified");
  return c;
}

/** Path and Args as inspect shows them. */
export function pathAndArgs(c: ContainerConfig): { Path: string; Args: string[] } {
  const argv: string[] = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  return { Path: argv[0] ?? "", Args: argv.slice(1) };
}
