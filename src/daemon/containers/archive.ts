// docker cp: GET/HEAD/PUT /containers/{id}/archive. Every path is resolved inside the
// container's root (src/archive/scope.ts); the container may be running or stopped.
import { existsSync, lstatSync, readFileSync, type Stats } from "node:fs";
import type { Container } from "../../container/container.ts";
import { forbidden, invalidParameter, notFound } from "../../errors.ts";
import { containerAbsPath, goFileMode, goTime, resolveInScope, resolvePath } from "../../archive/scope.ts";
import { archive, treeEntries } from "../../archive/tarwriter.ts";
import { extractInto } from "../../archive/extract.ts";
import type { ContainerContext } from "./context.ts";
import type { PathStat } from "../../api/routers/containers/fs-routes.ts";
import { leaseRootfs } from "./rootfs.ts";

function lstatIn(resolved: string, path: string, ref: string): Stats {
  const st = lstatSync(resolved.replace(/\/\.?$/, "") || "/", { throwIfNoEntry: false });
  if (!st) throw notFound(`Could not find the file ${path} in container ${ref}`);
  return st;
}

/**
 * The container's /etc/hostname, hosts and resolv.conf are bind mounts inside it, not
 * files of its root: reads of those paths see the daemon's files, as dockerd's do.
 */
function etcFile(c: Container, root: string, resolved: string): string | undefined {
  const rel = resolved.slice(root.length);
  const p = c.paths;
  const files: Record<string, string> = { "/etc/hostname": p.hostnamePath, "/etc/hosts": p.hostsPath, "/etc/resolv.conf": p.resolvConfPath };
  const host = files[rel];
  return host && c.rec.HasBeenStarted && existsSync(host) ? host : undefined;
}

interface BindMount {
  dest: string;
  source: string;
  ro: boolean;
}

/**
 * Bind mounts and volumes are mounted inside the container, not in its root here: paths
 * under them are looked up in the bound directory (a volume's is its mountpoint),
 * resolved in its scope, whether the container runs or not. Deepest destination first.
 */
function bindMounts(ctx: ContainerContext, c: Container): BindMount[] {
  const out: BindMount[] = [];
  if (ctx.volumes) {
    for (const m of ctx.volumes.shapes(c.rec) as { Type?: string; Source?: string; Destination?: string; RW?: boolean }[]) {
      if ((m.Type === "bind" || m.Type === "volume") && m.Source?.startsWith("/") && m.Destination) {
        out.push({ source: m.Source, dest: containerAbsPath(m.Destination), ro: m.RW === false });
      }
    }
    return out.sort((a, b) => b.dest.length - a.dest.length);
  }
  const hc = c.rec.HostConfig;
  for (const b of (hc.Binds ?? []) as string[]) {
    const [source, dest, opts = ""] = b.split(":");
    if (source?.startsWith("/") && dest?.startsWith("/")) out.push({ source, dest: containerAbsPath(dest), ro: opts.split(",").includes("ro") });
  }
  for (const m of (hc.Mounts ?? []) as { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }[]) {
    if (m.Type === "bind" && m.Source?.startsWith("/") && m.Target) out.push({ source: m.Source, dest: containerAbsPath(m.Target), ro: !!m.ReadOnly });
  }
  return out.sort((a, b) => b.dest.length - a.dest.length);
}

/** The host path for a path resolved in the container's root, through a bind mount when under one. */
function throughMounts(ctx: ContainerContext, c: Container, root: string, resolved: string, keepLast: boolean): { host: string; mount?: BindMount } {
  const rel = resolved.slice(root.length) || "/";
  for (const m of bindMounts(ctx, c)) {
    if (rel !== m.dest && !rel.startsWith(m.dest.replace(/\/$/, "") + "/")) continue;
    const rest = rel.slice(m.dest.length);
    if (!keepLast) return { host: resolveInScope(m.source, rest), mount: m };
    const trail = rest.endsWith("/.") ? "/." : rest.endsWith("/") ? "/" : "";
    const body = rest.slice(0, rest.length - trail.length);
    const slash = body.lastIndexOf("/");
    const dir = resolveInScope(m.source, body.slice(0, slash + 1));
    const base = body.slice(slash + 1);
    return { host: (base ? `${dir}/${base}` : dir) + trail, mount: m };
  }
  return { host: resolved };
}

/** Docker's StatPath: the entry itself; a symlink's target fully resolved in scope. */
function statPath(root: string, resolved: string, abs: string, path: string, ref: string): PathStat {
  const st = lstatIn(resolved, path, ref);
  let linkTarget = "";
  if (st.isSymbolicLink()) {
    const host = resolveInScope(root, abs);
    linkTarget = host === root ? "/" : host.slice(root.length);
  }
  const base = abs.replace(/\/$/, "").split("/").pop() || "/";
  return { name: base, size: st.size, mode: goFileMode(st), mtime: goTime(st), linkTarget };
}

/** Where a path the client reads is on the host: the container's /etc files and mounts first. */
function readPath(ctx: ContainerContext, c: Container, root: string, path: string): { resolved: string; abs: string } {
  const { resolved: inRoot, abs } = resolvePath(root, path);
  return { resolved: etcFile(c, root, inRoot) ?? throughMounts(ctx, c, root, inRoot, true).host, abs };
}

function checkPath(path: string): void {
  if (!path) throw invalidParameter("Path cannot be empty");
}

export async function archiveStat(ctx: ContainerContext, ref: string, path: string): Promise<PathStat> {
  checkPath(path);
  const c = ctx.store.lookup(ref);
  const lease = await leaseRootfs(ctx, c);
  try {
    const { resolved, abs } = readPath(ctx, c, lease.root, path);
    return statPath(lease.root, resolved, abs, path, ref);
  } finally {
    await lease.release();
  }
}

/** The path as a tar, rooted at its base name (`.` for a path ending in `/.`), and its stat. */
export async function archiveGet(ctx: ContainerContext, ref: string, path: string): Promise<{ stat: PathStat; tar: AsyncIterable<Uint8Array> }> {
  checkPath(path);
  const c = ctx.store.lookup(ref);
  const lease = await leaseRootfs(ctx, c);
  try {
    const { resolved, abs } = readPath(ctx, c, lease.root, path);
    const stat = statPath(lease.root, resolved, abs, path, ref);
    // Docker rebases the source's base name onto the requested path's base name.
    const source = resolved.endsWith("/.") ? resolved.slice(0, -2) : resolved.replace(/\/$/, "");
    const name = resolved.endsWith("/.") ? "." : abs.replace(/\/$/, "").split("/").pop() || ".";
    ctx.emit(c, "archive-path");
    async function* stream() {
      try {
        yield* archive(rootEntries(source || "/", name));
      } finally {
        await lease.release();
      }
    }
    return { stat, tar: stream() };
  } catch (err) {
    await lease.release();
    throw err;
  }
}

/** "." names the directory as `./` and its children as `./x`, as Docker's rebase does. */
async function* rootEntries(source: string, name: string): AsyncGenerator<Uint8Array> {
  yield* treeEntries(source, name === "." ? "./" : name);
}

export interface PutOptions {
  noOverwriteDirNonDir: boolean;
  copyUIDGID: boolean;
}

export async function archivePut(ctx: ContainerContext, ref: string, path: string, body: AsyncIterable<Uint8Array>, o: PutOptions): Promise<void> {
  checkPath(path);
  const c = ctx.store.lookup(ref);
  const lease = await leaseRootfs(ctx, c);
  try {
    const abs = containerAbsPath(path);
    const { host: resolved, mount } = throughMounts(ctx, c, lease.root, resolveInScope(lease.root, abs), false);
    if (mount?.ro) throw forbidden("mounted volume is marked read-only");
    if (!mount && c.rec.HostConfig.ReadonlyRootfs) throw forbidden("container rootfs is marked read-only");
    const st = lstatSync(resolved, { throwIfNoEntry: false });
    if (!st) throw notFound(`Could not find the file ${path} in container ${ref}`);
    if (!st.isDirectory()) throw invalidParameter("extraction point is not a directory");
    const owner = o.copyUIDGID ? userOf(lease.root, c) : undefined;
    await extractInto(resolved, body, { noOverwriteDirNonDir: o.noOverwriteDirNonDir, owner });
    ctx.emit(c, "extract-to-dir");
  } finally {
    await lease.release();
  }
}

/** The uid and gid of the container's user, looked up in its own /etc/passwd and /etc/group. */
function userOf(root: string, c: Container): { uid: number; gid: number } {
  const spec = String(c.rec.Config.User || "");
  const [u = "", g] = spec.split(":");
  const read = (f: string) => {
    try {
      return readFileSync(resolveInScope(root, f), "utf8").split("\n").map((l) => l.split(":"));
    } catch {
      return [];
    }
  };
  let uid = 0;
  let gid = 0;
  if (u) {
    const entry = read("/etc/passwd").find((p) => p[0] === u || p[2] === u);
    if (entry) {
      uid = Number(entry[2]);
      gid = Number(entry[3]);
    } else if (/^\d+$/.test(u)) uid = Number(u);
    else throw invalidParameter(`unable to find user ${u}: no matching entries in passwd file`);
  }
  if (g) {
    const entry = read("/etc/group").find((p) => p[0] === g || p[2] === g);
    if (entry) gid = Number(entry[2]);
    else if (/^\d+$/.test(g)) gid = Number(g);
    else throw invalidParameter(`unable to find group ${g}: no matching entries in group file`);
  }
  return { uid, gid };
}
