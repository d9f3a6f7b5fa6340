import type { Runner } from "../tree.ts";
import { str } from "../flags.ts";
import { getClient } from "../context.ts";
import { formatOne } from "../render/format.ts";

export const info: Runner = async (p) => {
  const format = str(p, "format");
  const i = await getClient().json("GET", "/info");
  if (format) {
    process.stdout.write(formatOne(format, i));
    return;
  }
  const mem = (n: number) => `${(n / 1024 ** 3).toFixed(2)}GiB`;
  const lines = [
    "Server:",
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    `  Paused: ${i.ContainersPaused}`,
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ` Plugins:`,
    `  Volume: ${(i.Plugins?.Volume ?? []).join(" ")}`,
    `  Network: ${(i.Plugins?.Network ?? []).join(" ")}`,
    `  Log: ${(i.Plugins?.Log ?? []).join(" ")}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Total Memory: ${mem(i.MemTotal)}`,
    ` Name: ${i.Name}`,
    ` ID: ${i.ID}`,
    ` Docker Root Dir: ${i.DockerRootDir}`,
    ` Debug Mode: ${i.Debug}`,
    ` Experimental: ${i.ExperimentalBuild}`,
    ` Live Restore Enabled: ${i.LiveRestoreEnabled}`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
  for (const w of i.Warnings ?? []) process.stderr.write(`${w}\n`);
};
