// cgroup v1: one hierarchy per controller, <root>/<controller>/<parent>/<id>.
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from "node:fs";
import type { CgroupStats, Resources } from "./types.ts";
import { cpuQuota, memorySwap, parseKeyed, parseBlkioV1, waitUntil, type CgroupDriver } from "./cgroup-common.ts";

// What runc allows a container by default: mknod of anything (using it is another
// matter), null zero full random urandom tty console ptmx, and the pts.
import { attachDeviceFilter, defaultDeviceRules as bpfDeviceRules, deviceRuleText, type DeviceRule } from "./devicefilter.ts";

const defaultDeviceRules = [
  "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
  "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
];

// "unified": the cgroup2 tree a hybrid host mounts beside v1 (/sys/fs/cgroup/unified);
// the container gets a directory there too, for the BPF device program.
const controllers = ["memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "blkio", "devices", "unified"];

export class CgroupsV1 implements CgroupDriver {
  readonly version = 1 as const;
  private readonly present: string[];

  constructor(
    private readonly root: string,
    private readonly parent: string,
  ) {
    this.present = controllers.filter((c) => existsSync(`${root}/${c}/cgroup.procs`));
  }

  private dir(ctrl: string, id: string): string {
    return `${this.root}/${ctrl}/${this.parent}/${id}`;
  }

  private read(ctrl: string, id: string, file: string): string {
    return readFileSync(`${this.dir(ctrl, id)}/${file}`, "utf8").trim();
  }

  private write(ctrl: string, id: string, file: string, value: string | number): void {
    writeFileSync(`${this.dir(ctrl, id)}/${file}`, String(value));
  }

  create(id: string, res: Resources): string[] {
    for (const c of this.present) {
      const parentDir = `${this.root}/${c}/${this.parent}`;
      mkdirSync(parentDir, { recursive: true });
      if (c === "cpuset") {
        // Every level of a nested parent starts with empty cpus and mems.
        const parts = this.parent.split("/");
        for (let i = 1; i <= parts.length; i++) inheritCpuset(`${this.root}/cpuset`, parts.slice(0, i).join("/"));
      }
      mkdirSync(this.dir(c, id), { recursive: true });
      if (c === "cpuset") inheritCpuset(`${this.root}/cpuset`, `${this.parent}/${id}`);
    }
    try {
      this.update(id, res);
    } catch (err) {
      for (const c of this.present) rmdirQuiet(this.dir(c, id));
      throw err;
    }
    return this.present.map((c) => `${this.dir(c, id)}/cgroup.procs`);
  }

  adopt(placeholder: string, id: string): void {
    for (const c of this.present) {
      if (c !== "unified") {
        renameSync(this.dir(c, placeholder), this.dir(c, id));
        continue;
      }
      // cgroup2 directories cannot be renamed: a new one, and the processes moved over.
      mkdirSync(this.dir(c, id), { recursive: true });
      for (const pid of procsIn(this.dir(c, placeholder))) writeFileSync(`${this.dir(c, id)}/cgroup.procs`, String(pid));
      rmdirQuiet(this.dir(c, placeholder));
    }
  }

  restrictDevices(id: string, privileged: boolean, extra: DeviceRule[] = []): void {
    const v1 = this.present.includes("devices");
    if (privileged) {
      if (v1) this.write("devices", id, "devices.allow", "a");
      return;
    }
    // Both must allow: the v1 rules, and on the unified tree the same rules as a program.
    if (this.present.includes("unified")) attachDeviceFilter(this.dir("unified", id), [...bpfDeviceRules, ...extra]);
    if (!v1) return;
    this.write("devices", id, "devices.deny", "a");
    for (const rule of [...defaultDeviceRules, ...extra.map(deviceRuleText)]) this.write("devices", id, "devices.allow", rule);
  }

  update(id: string, res: Resources): void {
    if (this.present.includes("memory")) this.updateMemory(id, res);
    if (this.present.includes("cpu")) {
      const q = cpuQuota(res);
      if (q) {
        this.write("cpu", id, "cpu.cfs_period_us", q.period);
        this.write("cpu", id, "cpu.cfs_quota_us", q.quota);
      }
      if (res.cpuShares) this.write("cpu", id, "cpu.shares", res.cpuShares);
    }
    if (this.present.includes("cpuset")) {
      if (res.cpusetCpus) this.write("cpuset", id, "cpuset.cpus", res.cpusetCpus);
      if (res.cpusetMems) this.write("cpuset", id, "cpuset.mems", res.cpusetMems);
    }
    if (this.present.includes("pids") && res.pidsLimit !== undefined) {
      this.write("pids", id, "pids.max", res.pidsLimit > 0 ? res.pidsLimit : "max");
    }
  }

  private updateMemory(id: string, res: Resources): void {
    if (res.memoryReservation) this.write("memory", id, "memory.soft_limit_in_bytes", res.memoryReservation);
    const mem = res.memory;
    const swap = memorySwap(res);
    const hasSwapFile = existsSync(`${this.dir("memory", id)}/memory.memsw.limit_in_bytes`);
    const setMem = () => mem && this.write("memory", id, "memory.limit_in_bytes", mem);
    const setSwap = () => swap !== undefined && hasSwapFile && this.write("memory", id, "memory.memsw.limit_in_bytes", swap);
    // The kernel keeps memory <= memory+swap at every step, so the order depends on
    // whether the limits grow or shrink.
    try {
      setMem();
      setSwap();
    } catch {
      setSwap();
      setMem();
    }
  }

  async freeze(id: string): Promise<void> {
    this.write("freezer", id, "freezer.state", "FROZEN");
    await waitUntil(() => this.read("freezer", id, "freezer.state") === "FROZEN", 5000, "the freezer");
  }

  async thaw(id: string): Promise<void> {
    this.write("freezer", id, "freezer.state", "THAWED");
    await waitUntil(() => this.read("freezer", id, "freezer.state") === "THAWED", 5000, "the thaw");
  }

  frozen(id: string): boolean {
    try {
      return this.read("freezer", id, "freezer.state") !== "THAWED";
    } catch {
      return false;
    }
  }

  oomKilled(id: string): boolean {
    try {
      const oc = parseKeyed(this.read("memory", id, "memory.oom_control"));
      if (oc.oom_kill !== undefined) return oc.oom_kill > 0;
      return Number(this.read("memory", id, "memory.failcnt")) > 0 && oc.under_oom === 0;
    } catch {
      return false;
    }
  }

  stats(id: string): CgroupStats {
    const num = (c: string, f: string) => {
      try {
        const v = this.read(c, id, f);
        return v === "max" ? 0 : Number(v);
      } catch {
        return 0;
      }
    };
    let memoryStat: Record<string, number> = {};
    let perCpu: number[] = [];
    try {
      memoryStat = parseKeyed(this.read("memory", id, "memory.stat"));
    } catch {}
    try {
      perCpu = this.read("cpuacct", id, "cpuacct.usage_percpu").split(/\s+/).filter(Boolean).map(Number);
    } catch {}
    return {
      memoryUsage: num("memory", "memory.usage_in_bytes"),
      memoryLimit: num("memory", "memory.limit_in_bytes"),
      memoryMaxUsage: num("memory", "memory.max_usage_in_bytes"),
      memoryFailcnt: num("memory", "memory.failcnt"),
      memoryStat,
      cpuUsageNanos: num("cpuacct", "cpuacct.usage"),
      cpuPerCpuNanos: perCpu,
      pidsCurrent: num("pids", "pids.current"),
      pidsLimit: num("pids", "pids.max"),
      blkio: {
        serviceBytes: this.blkio(id, "io_service_bytes_recursive"),
        serviced: this.blkio(id, "io_serviced_recursive"),
      },
    };
  }

  /** dockerd reads the throttle files (they count every device), else the CFQ ones. */
  private blkio(id: string, file: string) {
    for (const f of [`blkio.throttle.${file}`, `blkio.${file}`]) {
      try {
        const e = parseBlkioV1(this.read("blkio", id, f));
        if (e.length) return e;
      } catch {}
    }
    return [];
  }

  pids(id: string): number[] {
    const ctrl = this.present.includes("pids") ? "pids" : this.present[0]!;
    try {
      return this.read(ctrl, id, "cgroup.procs").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  exists(id: string): boolean {
    return this.present.some((c) => existsSync(this.dir(c, id)));
  }

  async destroy(id: string): Promise<void> {
    if (!this.exists(id)) return;
    // Frozen tasks cannot die: thaw first.
    if (existsSync(this.dir("freezer", id))) {
      try {
        this.write("freezer", id, "freezer.state", "THAWED");
      } catch {}
    }
    const left = () => this.present.flatMap((c) => procsIn(this.dir(c, id)));
    await waitUntil(() => {
      for (const pid of left()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      return left().length === 0;
    }, 10_000, `the processes of cgroup ${id} to exit`);
    for (const c of this.present) rmdirQuiet(this.dir(c, id));
  }

  removeParent(): void {
    const parts = this.parent.split("/");
    for (const c of this.present) {
      for (let i = parts.length; i > 0; i--) {
        try {
          rmdirSync(`${this.root}/${c}/${parts.slice(0, i).join("/")}`);
        } catch {
          break; // still holds other containers, or never made
        }
      }
    }
  }
}

/** A new cpuset cgroup starts empty; it gets its parent's cpus and mems. */
function inheritCpuset(cpusetRoot: string, rel: string): void {
  const dir = `${cpusetRoot}/${rel}`;
  const up = dir.slice(0, dir.lastIndexOf("/"));
  for (const f of ["cpuset.cpus", "cpuset.mems"]) {
    if (readFileSync(`${dir}/${f}`, "utf8").trim() === "") writeFileSync(`${dir}/${f}`, readFileSync(`${up}/${f}`, "utf8").trim());
  }
}

function procsIn(dir: string): number[] {
  try {
    return readFileSync(`${dir}/cgroup.procs`, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rmdirQuiet(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
