// What the container verbs ask of volumes: plan and make a new container's mount
// points (creating volumes, copy-up), turn them into the runtime's mounts at start,
// let go at exit, and remove anonymous volumes with the container.
import { existsSync, mkdirSync, realpathSync, statSync } from "node:fs";
import type { Container, ContainerRecord } from "../container/container.ts";
import type { MountSpec } from "../runtime/types.ts";
import type { MountPoint as MountShape } from "../api/types/index.ts";
import { invalidParameter, notFound } from "../errors.ts";
import { inRoot } from "../init/rootfs.ts";
import { planMounts, mountShape, sortMounts, type MountPoint } from "./mountpoints.ts";
import { anonymousLabel } from "./names.ts";
import type { VolumeService } from "./service.ts";
import { copyUp, isEmptyDir } from "./copyup.ts";
import { mountSubpath, stagePath, unmountSubpath } from "./subpath.ts";
import { dirname } from "node:path";
import { logger } from "../log.ts";

const log = logger("volumes");

type WithMounts = ContainerRecord & { MountPoints?: MountPoint[] };

export const mountPointsOf = (rec: ContainerRecord): MountPoint[] => (rec as WithMounts).MountPoints ?? [];

export interface CreatePlan {
  /** Creates the volumes and fills new ones from the image; records the mount points on `rec`. */
  apply(mountRootfs: () => Promise<string>, unmountRootfs: () => Promise<void>): Promise<void>;
  /** Undoes what `apply` made (a failed create). */
  undo(): void;
  /** The container's record is stored. */
  done(): void;
}

export class ContainerVolumes {
  /**
   * Volumes a container being created already holds, before its record is stored
   * (copy-up awaits): a `volume rm` in between must see them in use.
   */
  private readonly pending = new Map<string, Set<string>>();

  constructor(
    readonly volumes: VolumeService,
    private readonly lookup: (ref: string) => Container,
    private readonly all: () => Container[],
  ) {
    volumes.setUsers((name) => {
      const ids = this.all()
        .filter((c) => mountPointsOf(c.rec).some((m) => m.Type === "volume" && m.Name === name))
        .map((c) => c.id);
      for (const [id, names] of this.pending) if (names.has(name) && !ids.includes(id)) ids.push(id);
      return ids;
    });
  }



  /** Validates every mount of a new container (Docker's messages); nothing is made yet. */
  plan(rec: ContainerRecord): CreatePlan {
    const hc = rec.HostConfig;
    const mps = planMounts({
      binds: hc.Binds,
      mounts: hc.Mounts,
      volumesFrom: hc.VolumesFrom,
      tmpfs: hc.Tmpfs,
      imageVolumes: rec.Config.Volumes,
      mountsOf: (ref) => mountPointsOf(this.lookup(ref).rec),
      exists: (p) => existsSync(p),
    });
    for (const mp of mps) {
      if (mp.Type !== "volume") continue;
      if (hc.VolumeDriver && mp.Driver === "local" && !mp.VolumeOptions) mp.Driver = hc.VolumeDriver;
      if (mp.Driver !== "local") throw notFound(`error looking up volume plugin ${mp.Driver}: plugin "${mp.Driver}" not found`);
      // `../x` must never reach a path; a name that exists is fine whatever made it.
      if (mp.Name) this.volumes.ensureValidName(mp.Name);
    }
    const made: string[] = [];
    const held = new Set<string>();
    return {
      apply: async (mountRootfs, unmountRootfs) => {
        const fill: MountPoint[] = [];
        this.pending.set(rec.ID, held);
        for (const mp of mps) {
          if (mp.Type !== "volume") continue;
          const { volume, created } = this.volumes.ensure({ Name: mp.Name || undefined, Labels: mp.VolumeLabels, DriverOpts: mp.VolumeOptions });
          if (created) made.push(volume.Name);
          held.add(volume.Name);
          mp.Name = volume.Name;
          mp.Source = volume.Mountpoint;
          delete mp.VolumeLabels;
          delete mp.VolumeOptions;
          // Never copy into a volume a running container can write to meanwhile: it
          // could swap a directory for a symlink under the copy.
          if (mp.CopyData && !volume.Options?.device && isEmptyDir(volume.Mountpoint) && !this.runningWith(volume.Name)) fill.push(mp);
        }
        if (fill.length) {
          const rootfs = await mountRootfs();
          try {
            for (const mp of fill) copyUp(inRoot(rootfs, mp.Destination), mp.Source);
          } finally {
            await unmountRootfs();
          }
        }
        (rec as WithMounts).MountPoints = mps;
      },
      done: () => this.pending.delete(rec.ID),
      undo: () => {
        this.pending.delete(rec.ID);
        for (const name of made) {
          try {
            this.volumes.remove(name, true);
          } catch (err) {
            log.warn(`removing volume ${name} of a failed create:`, err);
          }
        }
      },
    };
  }

  private runningWith(name: string): boolean {
    return this.all().some((c) => c.state.s.Running && mountPointsOf(c.rec).some((m) => m.Type === "volume" && m.Name === name));
  }

  /** The runtime's mounts for a start; device volumes get mounted, events go out. */
  setup(c: Container): MountSpec[] {
    const out: MountSpec[] = [];
    const acquired: string[] = [];
    const staged: string[] = [];
    try {
      for (const [index, mp] of sortMounts(mountPointsOf(c.rec)).entries()) {
        if (mp.Type === "tmpfs") {
          out.push({ source: "tmpfs", destination: mp.Destination, type: "tmpfs", readOnly: !mp.RW, options: mp.TmpfsOptions || undefined });
          continue;
        }
        let source = mp.Source;
        if (mp.Type === "volume") {
          const v = this.volumes.acquire(mp.Name, c.id);
          acquired.push(mp.Name);
          source = v.Mountpoint;
          if (mp.Subpath) {
            source = mountSubpath(v.Mountpoint, mp.Subpath, stagePath(dirname(v.Mountpoint), c.id, index));
            staged.push(source);
          }
          this.volumes.publishMount("mount", mp.Name, {
            container: c.id,
            destination: mp.Destination,
            propagation: mp.Propagation,
            "read/write": String(mp.RW),
          });
        } else {
          if (!existsSync(source)) {
            if (!mp.CreateSource) throw invalidParameter(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
            mkdirSync(source, { recursive: true, mode: 0o755 });
          }
          // A symlinked host path is resolved here, once, and the mount is of what it named.
          source = realpathSync(source);
          statSync(source);
        }
        out.push({ source, destination: mp.Destination, type: "bind", readOnly: !mp.RW, propagation: mp.Propagation || undefined });
      }
    } catch (err) {
      for (const s of staged) unmountSubpath(s);
      for (const n of acquired) this.volumes.release(n, c.id);
      throw err;
    }
    return out;
  }

  /** Subpath staging mounts of a container that is not running. */
  private unstage(c: Container): void {
    for (const [index, mp] of sortMounts(mountPointsOf(c.rec)).entries()) {
      if (mp.Type !== "volume" || !mp.Subpath) continue;
      const v = this.volumes.store.get(mp.Name);
      if (v) unmountSubpath(stagePath(dirname(v.Mountpoint), c.id, index));
    }
  }

  /** The container's process is gone. */
  release(c: Container): void {
    this.unstage(c);
    for (const mp of mountPointsOf(c.rec)) {
      if (mp.Type !== "volume") continue;
      this.volumes.release(mp.Name, c.id);
      this.volumes.publishMount("unmount", mp.Name, { container: c.id });
    }
  }

  /** After the container's record is gone: `rm -v` removes its anonymous volumes. */
  removed(c: Container, removeVolumes: boolean): void {
    if (!removeVolumes) return;
    for (const mp of mountPointsOf(c.rec)) {
      if (mp.Type !== "volume" || !mp.Name) continue;
      const v = this.volumes.store.get(mp.Name);
      // Only volumes made anonymous; a named volume stays, as with dockerd.
      if (!v || !(anonymousLabel in (v.Labels ?? {}))) continue;
      try {
        this.volumes.remove(mp.Name, true);
      } catch (err) {
        log.warn(`removing volume ${mp.Name} of container ${c.id}:`, err);
      }
    }
  }

  /** The container list's `volume` filter: a volume name or a mount destination. */
  matchesFilter(rec: ContainerRecord, values: string[]): boolean {
    return mountPointsOf(rec).some((m) => values.some((v) => (m.Type === "volume" && m.Name === v) || m.Destination === v || (m.Type === "bind" && m.Source === v)));
  }

  /** Inspect's and list's `Mounts`. */
  shapes(rec: ContainerRecord): MountShape[] {
    return [...mountPointsOf(rec)].sort((a, b) => (a.Destination < b.Destination ? -1 : 1)).map(mountShape);
  }

  /** Daemon start: running containers keep their device mounts; the rest are undone. */
  reconcile(): void {
    for (const c of this.all()) if (!c.state.s.Running) this.unstage(c);
    this.volumes.reconcile(
      this.all()
        .filter((c) => c.state.s.Running)
        .map((c) => ({ id: c.id, volumes: mountPointsOf(c.rec).filter((m) => m.Type === "volume").map((m) => m.Name) })),
    );
  }
}
