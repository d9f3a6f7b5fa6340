import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { str } from "../flags.ts";
import { nanoCpus, ramInBytes } from "../units.ts";
import { forEachRef } from "../common.ts";
import { out } from "../output.ts";

export const update: Runner = async (p) => {
  const body: Record<string, unknown> = {};
  const v = (n: string) => str(p, n);
  if (v("memory")) body.Memory = ramInBytes(v("memory")!);
  if (v("memory-swap")) body.MemorySwap = v("memory-swap") === "-1" ? -1 : ramInBytes(v("memory-swap")!);
  if (v("memory-reservation")) body.MemoryReservation = ramInBytes(v("memory-reservation")!);
  if (v("cpus")) body.NanoCpus = nanoCpus(v("cpus")!);
  if (v("cpu-shares")) body.CpuShares = Number(v("cpu-shares"));
  if (v("cpuset-cpus")) body.CpusetCpus = v("cpuset-cpus");
  if (v("pids-limit")) body.PidsLimit = Number(v("pids-limit"));
  if (v("restart")) {
    const [Name, count] = v("restart")!.split(":");
    body.RestartPolicy = { Name, MaximumRetryCount: count ? Number(count) : 0 };
  }
  await forEachRef(p.positionals, async (ref) => {
    await getClient().json("POST", `/containers/${encodeURIComponent(ref)}/update`, { body });
    out(`${ref}\n`);
  });
};
