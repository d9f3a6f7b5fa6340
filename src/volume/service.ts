// The volume service: the `local` driver's volumes behind the API (create, list,
// inspect, remove, prune, df), who uses them, and the device mounts of volumes made
// with driver options, mounted while some container runs with them.
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { EventBus } from "../engine/events.ts";
import { conflict, invalidParameter, notFound } from "../errors.ts";
import { matchLabels, type Filters } from "../filters.ts";
import type { Volume as VolumeShape, VolumeListResponse, VolumePruneResponse } from "../api/types/index.ts";
import { anonymousLabel, anonymousName, checkVolumeName } from "./names.ts";
import { VolumeStore, validateOptions, type Volume } from "./store.ts";
import { mountDevice, mountsUnder, unmountDevice } from "./devmount.ts";
import { makeShared } from "../storage/mount.ts";

/** The create request (its fields as the router checked them). */
export interface CreateVolumeRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export const volumeListFilters = ["dangling", "name", "label", "driver"] as const;
export const volumePruneFilters = ["label", "label!", "all"] as const;

export class VolumeService {
  /** Which containers reference a volume (set once containers are open). */
  private users: (name: string) => string[] = () => [];
  /** Containers running with a device-mounted volume, per volume name. */
  private readonly active = new Map<string, Set<string>>();

  private constructor(
    readonly store: VolumeStore,
    private readonly events: EventBus,
  ) {}

  static async open(dataRoot: string, events: EventBus): Promise<VolumeService> {
    const store = new VolumeStore(join(dataRoot, "volumes"));
    // Device mounts made after a prewarmed container init started must still reach it.
    await makeShared(store.root);
    return new VolumeService(store, events);
  }

  setUsers(fn: (name: string) => string[]): void {
    this.users = fn;
  }

  usersOf(name: string): string[] {
    return this.users(name);
  }

  private checkDriver(driver: string | undefined): void {
    if (driver && driver !== "local") throw notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  }

  create(req: CreateVolumeRequest): VolumeShape {
    return this.shape(this.ensure(req).volume);
  }

  /** Gets or creates; `created` says whether this call made it. */
  ensure(req: CreateVolumeRequest): { volume: Volume; created: boolean } {
    this.checkDriver(req.Driver);
    let name = req.Name ?? "";
    let labels = req.Labels ? { ...req.Labels } : null;
    if (!name) {
      name = anonymousName();
      labels = { ...(labels ?? {}), [anonymousLabel]: "" };
    }
    checkVolumeName(name);
    const existing = this.store.get(name);
    if (existing) return { volume: existing, created: false };
    const opts = req.DriverOpts ?? null;
    validateOptions(opts ?? {});
    const v = this.store.create(name, labels, opts);
    this.events.publish("volume", "create", name, { driver: "local" });
    return { volume: v, created: true };
  }

  /** A volume name from a mount spec: Docker's message for `../x` and friends. */
  ensureValidName(name: string): void {
    checkVolumeName(name);
  }

  inspect(name: string): VolumeShape {
    return this.shape(this.store.lookup(name));
  }

  list(filters: Filters): VolumeListResponse {
    for (const k of filters.keys()) if (!(volumeListFilters as readonly string[]).includes(k)) throw invalidParameter(`invalid filter '${k}'`);
    let vols = this.store.all();
    const dangling = filters.get("dangling");
    if (dangling?.length) {
      const want = dangling.map((d) => {
        const v = d.toLowerCase();
        if (v === "true" || v === "1") return true;
        if (v === "false" || v === "0") return false;
        throw invalidParameter(`invalid filter 'dangling=${d}'`);
      });
      vols = vols.filter((v) => want.includes(this.users(v.Name).length === 0));
    }
    const names = filters.get("name");
    if (names?.length) vols = vols.filter((v) => names.some((n) => v.Name.includes(n)));
    const drivers = filters.get("driver");
    if (drivers?.length) vols = vols.filter((v) => drivers.some((d) => v.Driver.includes(d)));
    const labels = filters.get("label");
    if (labels?.length) vols = vols.filter((v) => matchLabels(v.Labels, labels));
    return { Volumes: vols.sort((a, b) => (a.Name < b.Name ? -1 : 1)).map((v) => this.shape(v)), Warnings: null };
  }

  remove(name: string, force: boolean): void {
    const v = this.store.get(name);
    if (!v) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = this.users(name);
    if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(", ")}]`);
    this.destroy(v);
  }

  private destroy(v: Volume): void {
    if (this.active.has(v.Name)) this.active.delete(v.Name);
    unmountDevice(v.Mountpoint);
    this.store.remove(v);
    this.events.publish("volume", "destroy", v.Name, { driver: "local" });
  }

  prune(filters: Filters): VolumePruneResponse {
    for (const k of filters.keys()) if (!(volumePruneFilters as readonly string[]).includes(k)) throw invalidParameter(`invalid filter '${k}'`);
    const all = (filters.get("all") ?? []).some((x) => ["true", "1"].includes(x.toLowerCase()));
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.store.all()) {
      if (!all && !(anonymousLabel in (v.Labels ?? {}))) continue;
      if (!matchLabels(v.Labels, filters.get("label"))) continue;
      const not = filters.get("label!");
      if (not?.length && not.some((l) => matchLabels(v.Labels, [l]))) continue;
      if (this.users(v.Name).length) continue;
      const size = dirSize(v.Mountpoint);
      try {
        this.destroy(v);
      } catch {
        continue;
      }
      deleted.push(v.Name);
      reclaimed += size;
    }
    return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** `GET /system/df` volumes: each with its size and how many containers use it. */
  usage(): VolumeShape[] {
    return this.store.all().map((v) => ({ ...this.shape(v), UsageData: { Size: dirSize(v.Mountpoint), RefCount: this.users(v.Name).length } }));
  }

  /** A container starts with the volume: mount its device at first use. */
  acquire(name: string, containerId: string): Volume {
    const v = this.store.lookup(name);
    if (!v.Options?.device) return v;
    let set = this.active.get(name);
    if (!set) {
      set = new Set();
      this.active.set(name, set);
    }
    if (!mountsUnder(v.Mountpoint).length) mountDevice(v.Options!, v.Mountpoint);
    set.add(containerId);
    return v;
  }

  /** The container stopped: the last user's going unmounts the device. */
  release(name: string, containerId: string): void {
    const set = this.active.get(name);
    if (!set) return;
    set.delete(containerId);
    if (set.size) return;
    this.active.delete(name);
    const v = this.store.get(name);
    if (v) unmountDevice(v.Mountpoint);
  }

  /** Daemon start: device mounts of volumes no running container uses are undone. */
  reconcile(running: { id: string; volumes: string[] }[]): void {
    for (const c of running) for (const n of c.volumes) {
      const v = this.store.get(n);
      if (!v?.Options?.device) continue;
      if (!this.active.has(n)) this.active.set(n, new Set());
      this.active.get(n)!.add(c.id);
    }
    for (const v of this.store.all()) if (v.Options?.device && !this.active.has(v.Name)) unmountDevice(v.Mountpoint);
  }

  /**
   * Daemon stop: unused device mounts go. Containers outlive the daemon here, so a
   * mount one of them still uses stays for the next daemon (and the next container
   * that shares the volume sees the same filesystem).
   */
  close(): void {
    for (const v of this.store.all()) if (v.Options?.device && !this.active.get(v.Name)?.size) unmountDevice(v.Mountpoint);
    this.active.clear();
  }

  publishMount(action: "mount" | "unmount", name: string, attrs: Record<string, string>): void {
    this.events.publish("volume", action, name, { ...attrs, driver: "local" });
  }

  shape(v: Volume): VolumeShape {
    return {
      CreatedAt: v.CreatedAt,
      Driver: v.Driver,
      Labels: v.Labels,
      Mountpoint: v.Mountpoint,
      Name: v.Name,
      Options: v.Options,
      Scope: "local",
    };
  }
}

export function dirSize(path: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(path, e);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    total += st.isDirectory() ? dirSize(p) : st.isFile() ? st.size : 0;
  }
  return total;
}
