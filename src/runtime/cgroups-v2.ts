// cgroup v2: one unified tree, <root>/<parent>/<id>, controllers enabled down the path.
import { attachDeviceFilter, defaultDeviceRules, type DeviceRule } from "./devicefilter.ts";
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from "node:fs";
import type { CgroupStats, Resources } from "./types.ts";
import { cpuQuota, memorySwap, parseKeyed, parseIoStatV2, waitUntil, type CgroupDriver } from "./cgroup-common.ts";

const wanted = ["cpuset", "cpu", "io", "memory", "pids"];

export class CgroupsV2 implements CgroupDriver {
  readonly version = 2 as const;

  constructor(
    private readonly root: string,
    private readonly parent: string,
  ) {}

  private dir(id: string): string {
    return `${this.root}/${this.parent}/${id}`;
  }

  private read(id: string, file: string): string {
    return readFileSync(`${this.dir(id)}/${file}`, "utf8").trim();
  }

  private write(id: string, file: string, value: string | number): void {
    writeFileSync(`${this.dir(id)}/${file}`, String(value));
  }

  /** Enables the controllers we use for the children of `dir`, as far as `dir` has them. */
  private enable(dir: string): void {
    let have: string[] = [];
    try {
      have = readFileSync(`${dir}/cgroup.controllers`, "utf8").trim().split(/\s+/);
    } catch {}
    const on = wanted.filter((c) => have.includes(c));
    if (on.length) writeFileSync(`${dir}/cgroup.subtree_control`, on.map((c) => `+${c}`).join(" "));
  }

  create(id: string, res: Resources): string[] {
    let dir = this.root;
    for (const part of this.parent.split("/")) {
      this.enable(dir);
      dir = `${dir}/${part}`;
      mkdirSync(dir, { recursive: true });
    }
    this.enable(dir);
    mkdirSync(this.dir(id), { recursive: true });
    try {
      this.update(id, res);
    } catch (err) {
      rmdirSync(this.dir(id));
      throw err;
    }
    return [`${this.dir(id)}/cgroup.procs`];
  }

  adopt(placeholder: string, id: string): void {
    renameSync(this.dir(placeholder), this.dir(id));
  }

  /** v2 has no devices files: a BPF device program on the container's directory. */
  restrictDevices(id: string, privileged: boolean, extra: DeviceRule[] = []): void {
    if (!privileged) attachDeviceFilter(this.dir(id), [...defaultDeviceRules, ...extra]);
  }

  update(id: string, res: Resources): void {
    const has = (f: string) => existsSync(`${this.dir(id)}/${f}`);
    if (res.memory && has("memory.max")) this.write(id, "memory.max", res.memory);
    if (res.memoryReservation && has("memory.low")) this.write(id, "memory.low", res.memoryReservation);
    const swap = memorySwap(res);
    if (swap !== undefined && has("memory.swap.max")) {
      this.write(id, "memory.swap.max", swap === -1 ? "max" : Math.max(0, swap - (res.memory ?? 0)));
    }
    const q = cpuQuota(res);
    if (q && has("cpu.max")) this.write(id, "cpu.max", `${q.quota} ${q.period}`);
    // Docker's mapping of shares (2…262144) onto weight (1…10000).
    if (res.cpuShares && has("cpu.weight")) this.write(id, "cpu.weight", 1 + Math.floor(((res.cpuShares - 2) * 9999) / 262142));
    if (res.cpusetCpus && has("cpuset.cpus")) this.write(id, "cpuset.cpus", res.cpusetCpus);
    if (res.cpusetMems && has("cpuset.mems")) this.write(id, "cpuset.mems", res.cpusetMems);
    if (res.pidsLimit !== undefined && has("pids.max")) this.write(id, "pids.max", res.pidsLimit > 0 ? res.pidsLimit : "max");
  }

  async freeze(id: string): Promise<void> {
    this.write(id, "cgroup.freeze", 1);
    await waitUntil(() => parseKeyed(this.read(id, "cgroup.events")).frozen === 1, 5000, "the freezer");
  }

  async thaw(id: string): Promise<void> {
    this.write(id, "cgroup.freeze", 0);
    await waitUntil(() => parseKeyed(this.read(id, "cgroup.events")).frozen === 0, 5000, "the thaw");
  }

  frozen(id: string): boolean {
    try {
      return this.read(id, "cgroup.freeze") === "1";
    } catch {
      return false;
    }
  }

  oomKilled(id: string): boolean {
    try {
      return (parseKeyed(this.read(id, "memory.events")).oom_kill ?? 0) > 0;
    } catch {
      return false;
    }
  }

  stats(id: string): CgroupStats {
    const num = (f: string) => {
      try {
        const v = this.read(id, f);
        return v === "max" ? 0 : Number(v);
      } catch {
        return 0;
      }
    };
    const keyed = (f: string) => {
      try {
        return parseKeyed(this.read(id, f));
      } catch {
        return {};
      }
    };
    return {
      memoryUsage: num("memory.current"),
      memoryLimit: num("memory.max"),
      memoryMaxUsage: num("memory.peak"),
      memoryFailcnt: keyed("memory.events").max ?? 0,
      memoryStat: keyed("memory.stat"),
      cpuUsageNanos: (keyed("cpu.stat").usage_usec ?? 0) * 1000,
      cpuPerCpuNanos: [],
      pidsCurrent: num("pids.current"),
      pidsLimit: num("pids.max"),
      blkio: (() => {
        try {
          return parseIoStatV2(this.read(id, "io.stat"));
        } catch {
          return { serviceBytes: [], serviced: [] };
        }
      })(),
    };
  }

  pids(id: string): number[] {
    try {
      return this.read(id, "cgroup.procs").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  exists(id: string): boolean {
    return existsSync(this.dir(id));
  }

  async destroy(id: string): Promise<void> {
    if (!this.exists(id)) return;
    const kill = () => {
      try {
        this.write(id, "cgroup.kill", 1);
      } catch {
        for (const pid of this.pids(id)) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {}
        }
      }
    };
    await waitUntil(() => {
      kill();
      return this.pids(id).length === 0;
    }, 10_000, `the processes of cgroup ${id} to exit`);
    rmdirSync(this.dir(id));
  }

  removeParent(): void {
    const parts = this.parent.split("/");
    for (let i = parts.length; i > 0; i--) {
      try {
        rmdirSync(`${this.root}/${parts.slice(0, i).join("/")}`);
      } catch {
        return;
      }
    }
  }
}
