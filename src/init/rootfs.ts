// The container's mount tree, built inside the fresh mount namespace: a private copy
// of the host's tree, the rootfs bound onto itself, /proc, a read-only /sys, a tmpfs
// /dev with the host's device nodes bound in, devpts, shm, mqueue, the /etc files and
// the user's mounts; then pivot_root, and the masked and read-only /proc paths.
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readlinkSync, statSync, symlinkSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { mount, pivotRoot, umount2 } from "../sys/libc.ts";
import type { ContainerSpec, MountSpec } from "./spec.ts";
import { defaultShmSize, maskedPaths, readonlyPaths } from "./config.ts";

const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32;
const MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_STRICTATIME = 1 << 24;
const MNT_DETACH = 2;

const devices = ["null", "zero", "full", "random", "urandom", "tty"];

/**
 * A path inside the rootfs, resolving symlinks as the container would see them
 * (an absolute link target is relative to the rootfs, `..` stops at its top), so an
 * image cannot point a mount at the host's files (runc's securejoin).
 */
export function inRoot(root: string, p: string): string {
  const parts = normalize("/" + p).split("/").filter(Boolean);
  const done: string[] = [];
  for (let links = 0; parts.length; ) {
    const part = parts.shift()!;
    if (part === "..") {
      done.pop();
      continue;
    }
    const full = join(root, ...done, part);
    let target: string | undefined;
    try {
      if (lstatSync(full).isSymbolicLink()) target = readlinkSync(full);
    } catch {} // missing: made later as a plain directory or file
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++links > 40) throw new Error(`too many levels of symbolic links in ${p}`);
    if (target.startsWith("/")) done.length = 0;
    parts.unshift(...target.split("/").filter((x) => x && x !== "."));
  }
  return join(root, ...done);
}

function ensureDir(p: string): void {
  mkdirSync(p, { recursive: true, mode: 0o755 });
}

function ensureFile(p: string): void {
  if (existsSync(p)) return;
  ensureDir(dirname(p));
  closeSync(openSync(p, "a", 0o644));
}

export function setupRootfs(spec: ContainerSpec): void {
  const root = spec.rootfs;
  // Nothing we mount may leak back to the host (or arrive from it).
  mount(null, "/", null, MS_REC | MS_PRIVATE);
  mount(root, root, null, MS_BIND | MS_REC);

  ensureDir(inRoot(root, "/proc"));
  mount("proc", inRoot(root, "/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  ensureDir(inRoot(root, "/sys"));
  mountSys(inRoot(root, "/sys"), spec.privileged === true);
  setupDev(root, spec.shmSize ?? defaultShmSize);
  // --device: the host's node bound over a file, so it keeps the host's mode and owner
  // (the cgroup's device rules decide whether it can be opened).
  for (const d of spec.devices ?? []) {
    const target = inRoot(root, d.containerPath);
    ensureFile(target);
    mount(d.hostPath, target, null, MS_BIND);
  }

  const etc = spec.etcFiles ?? {};
  for (const [file, src] of [["hostname", etc.hostname], ["hosts", etc.hosts], ["resolv.conf", etc.resolvConf]] as const) {
    if (src) bindMount({ source: src, destination: `/etc/${file}`, type: "bind" }, root);
  }
  for (const m of spec.mounts ?? []) {
    if (m.type === "tmpfs") {
      ensureDir(inRoot(root, m.destination));
      const o = tmpfsOptions(m.options ?? "");
      mount("tmpfs", inRoot(root, m.destination), "tmpfs", o.flags | (m.readOnly ? MS_RDONLY : 0), o.data);
    } else bindMount(m, root);
  }
}

const flagOptions: Record<string, [set: number, clear: number]> = {
  ro: [MS_RDONLY, 0], rw: [0, MS_RDONLY],
  nosuid: [MS_NOSUID, 0], suid: [0, MS_NOSUID],
  nodev: [MS_NODEV, 0], dev: [0, MS_NODEV],
  noexec: [MS_NOEXEC, 0], exec: [0, MS_NOEXEC],
};

/** Splits Docker's --tmpfs options ("rw,noexec,size=64m") into mount flags and tmpfs data. */
export function tmpfsOptions(options: string): { flags: number; data: string } {
  let flags = MS_NOSUID | MS_NODEV | MS_NOEXEC; // Docker's defaults for --tmpfs
  const data: string[] = [];
  for (const o of options.split(",").filter(Boolean)) {
    const f = flagOptions[o];
    if (f) flags = (flags | f[0]) & ~f[1];
    else data.push(o);
  }
  return { flags, data: data.join(",") };
}

function mountSys(target: string, privileged: boolean): void {
  const flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (privileged ? 0 : MS_RDONLY);
  try {
    mount("sysfs", target, "sysfs", flags);
  } catch {
    // Sharing the host's network namespace, sysfs cannot be mounted anew: bind it instead.
    mount("/sys", target, null, MS_BIND | MS_REC);
    if (!privileged) mount(null, target, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  }
}

function setupDev(root: string, shmSize: number): void {
  const dev = inRoot(root, "/dev");
  ensureDir(dev);
  mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  for (const d of devices) {
    ensureFile(join(dev, d));
    mount(`/dev/${d}`, join(dev, d), null, MS_BIND);
  }
  ensureDir(join(dev, "pts"));
  mount("devpts", join(dev, "pts"), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  symlinkSync("pts/ptmx", join(dev, "ptmx"));
  ensureDir(join(dev, "shm"));
  mount("shm", join(dev, "shm"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, `mode=1777,size=${shmSize}`);
  ensureDir(join(dev, "mqueue"));
  mount("mqueue", join(dev, "mqueue"), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  for (const [name, target] of [["fd", "/proc/self/fd"], ["stdin", "/proc/self/fd/0"], ["stdout", "/proc/self/fd/1"], ["stderr", "/proc/self/fd/2"], ["core", "/proc/kcore"]]) {
    symlinkSync(target!, join(dev, name!));
  }
}

function bindMount(m: MountSpec, root: string): void {
  const target = inRoot(root, m.destination);
  if (statSync(m.source).isDirectory()) ensureDir(target);
  else ensureFile(target);
  mount(m.source, target, null, MS_BIND | MS_REC);
  if (m.readOnly) mount(null, target, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC);
}

const MS_SHARED = 1 << 20;
const propagations: Record<string, number> = {
  private: MS_PRIVATE, rprivate: MS_PRIVATE | MS_REC,
  shared: MS_SHARED, rshared: MS_SHARED | MS_REC,
  slave: MS_SLAVE, rslave: MS_SLAVE | MS_REC,
};

function propagationFlags(p: string): number {
  const f = propagations[p];
  if (f === undefined) throw new Error(`invalid propagation mode: ${p}`);
  return f;
}

/** pivot_root into the rootfs without a put-old directory, as runc does. */
export function enterRootfs(root: string, mounts: MountSpec[] = []): void {
  process.chdir(root);
  pivotRoot(".", ".");
  mount(null, ".", null, MS_SLAVE | MS_REC);
  umount2(".", MNT_DETACH);
  process.chdir("/");
  // The slave step above reaches the new root's mounts too, so bind propagation is
  // set only now; inside the new root a path cannot resolve outside it.
  for (const m of mounts) if (m.type === "bind" && m.propagation) mount(null, m.destination, null, propagationFlags(m.propagation));
}

/** After pivot_root: hide the host-revealing /proc files, freeze the rest of /proc's knobs. */
export function maskPaths(privileged: boolean): void {
  if (privileged) return;
  for (const p of maskedPaths) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) mount("tmpfs", p, "tmpfs", MS_RDONLY);
    else mount("/dev/null", p, null, MS_BIND);
  }
  for (const p of readonlyPaths) {
    if (!existsSync(p)) continue;
    mount(p, p, null, MS_BIND | MS_REC);
    mount(null, p, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC);
  }
}

export function remountRootReadOnly(): void {
  mount(null, "/", null, MS_BIND | MS_REMOUNT | MS_RDONLY);
}
