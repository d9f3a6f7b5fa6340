// wharf info: docker's layout of GET /info (the same lines, in the same order, shown
// only where docker shows them), or a --format template over it.
import type { Runner } from "../command.ts";
import { str } from "../flags.ts";
import { getClient } from "../context.ts";
import { formatOne } from "../render/format.ts";
import { wharfVersion } from "../../version.ts";
import { out, err } from "../output.ts";

/** What /info answers, as far as docker's layout reads it. */
interface Info {
  [k: string]: unknown;
  Containers: number; ContainersRunning: number; ContainersPaused: number; ContainersStopped: number; Images: number;
  ServerVersion: string; Driver: string; DriverStatus?: [string, string][]; LoggingDriver: string; CgroupDriver: string; CgroupVersion: string;
  Plugins?: { Volume?: string[]; Network?: string[]; Authorization?: string[] | null; Log?: string[] };
  Swarm?: { LocalNodeState?: string }; Runtimes?: Record<string, unknown>; DefaultRuntime: string; InitBinary?: string;
  ContainerdCommit?: { ID: string }; RuncCommit?: { ID: string }; InitCommit?: { ID: string }; SecurityOptions?: string[];
  KernelVersion: string; OperatingSystem: string; OSType: string; Architecture: string; NCPU: number; MemTotal: number;
  Name: string; ID: string; DockerRootDir: string; Debug: boolean; HttpProxy?: string; HttpsProxy?: string; NoProxy?: string;
  Labels?: string[]; ExperimentalBuild: boolean; RegistryConfig?: { InsecureRegistryCIDRs?: string[]; Mirrors?: string[] };
  LiveRestoreEnabled: boolean; DefaultAddressPools?: { Base: string; Size: number }[]; Warnings?: string[] | null;
}

/** go-units BytesSize: binary units, two decimals. */
function bytesSize(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number(n.toFixed(2)).toString().replace(/^(\d+)$/, "$1")}${units[i]}`;
}

export function serverLines(i: Info): string[] {
  const l = [
    "Server:",
    ` Containers: ${i.Containers}`, `  Running: ${i.ContainersRunning}`, `  Paused: ${i.ContainersPaused}`, `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ...(i.DriverStatus ?? []).map(([k, v]) => `  ${k}: ${v}`),
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    " Plugins:",
    `  Volume: ${(i.Plugins?.Volume ?? []).join(" ")}`,
    `  Network: ${(i.Plugins?.Network ?? []).join(" ")}`,
    ...(i.Plugins?.Authorization?.length ? [`  Authorization: ${i.Plugins.Authorization.join(" ")}`] : []),
    `  Log: ${(i.Plugins?.Log ?? []).join(" ")}`,
    ` Swarm: ${i.Swarm?.LocalNodeState ?? "inactive"}`,
    ` Runtimes: ${Object.keys(i.Runtimes ?? {}).sort().join(" ")}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ` Init Binary: ${i.InitBinary ?? ""}`,
    ` containerd version: ${i.ContainerdCommit?.ID ?? ""}`,
    ` runc version: ${i.RuncCommit?.ID ?? ""}`,
    ` init version: ${i.InitCommit?.ID ?? ""}`,
  ];
  if (i.SecurityOptions?.length) {
    l.push(" Security Options:");
    for (const o of i.SecurityOptions) {
      const kv = Object.fromEntries(o.split(",").map((p) => p.split("=") as [string, string]));
      l.push(`  ${kv.name ?? o}`);
      for (const [k, v] of Object.entries(kv)) if (k !== "name") l.push(`   ${k[0]!.toUpperCase()}${k.slice(1)}: ${v}`);
    }
  }
  l.push(
    ` Kernel Version: ${i.KernelVersion}`, ` Operating System: ${i.OperatingSystem}`, ` OSType: ${i.OSType}`, ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`, ` Total Memory: ${bytesSize(i.MemTotal)}`, ` Name: ${i.Name}`, ` ID: ${i.ID}`, ` Docker Root Dir: ${i.DockerRootDir}`,
    ` Debug Mode: ${i.Debug}`,
  );
  if (i.HttpProxy) l.push(` HTTP Proxy: ${i.HttpProxy}`);
  if (i.HttpsProxy) l.push(` HTTPS Proxy: ${i.HttpsProxy}`);
  if (i.NoProxy) l.push(` No Proxy: ${i.NoProxy}`);
  if (i.Labels?.length) l.push(" Labels:", ...i.Labels.map((x) => `  ${x}`));
  l.push(` Experimental: ${i.ExperimentalBuild}`);
  const insecure = i.RegistryConfig?.InsecureRegistryCIDRs ?? [];
  if (insecure.length) l.push(" Insecure Registries:", ...insecure.map((c) => `  ${c}`));
  const mirrors = i.RegistryConfig?.Mirrors ?? [];
  if (mirrors.length) l.push(" Registry Mirrors:", ...mirrors.map((m) => `  ${m}`));
  l.push(` Live Restore Enabled: ${i.LiveRestoreEnabled}`);
  if (i.DefaultAddressPools?.length) l.push(" Default Address Pools:", ...i.DefaultAddressPools.map((p) => `   Base: ${p.Base}, Size: ${p.Size}`));
  return l;
}

export const info: Runner = async (p) => {
  const format = str(p, "format");
  const i: Info = await getClient().json("GET", "/info");
  if (format) {
    out(formatOne(format, i, { structOrder: true }));
    return;
  }
  out(`Client:\n Version:    ${wharfVersion}\n Context:    default\n Debug Mode: false\n\n`);
  out(serverLines(i).join("\n") + "\n\n");
  for (const w of i.Warnings ?? []) err(`${w}\n`);
};
