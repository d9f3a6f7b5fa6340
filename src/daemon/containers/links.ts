// Legacy links in the daemon: resolved at create (stored as graph edges next to the
// record), turned into environment and /etc/hosts lines at start, removed with
// `DELETE /containers/{name}?link=1`, and shown in inspect as `/db:/web/database`.
import { readFileSync, writeFileSync } from "node:fs";
import { invalidParameter, notFound, systemError, WharfError } from "../../errors.ts";
import type { Container } from "../../container/container.ts";
import type { HostConfig } from "../../api/types/index.ts";
import { containerIPv4, linkEnv, linkHostsLine, parseLink } from "../../container/links.ts";
import type { ContainerStore } from "../../container/store.ts";

const containerLinksConflict =
  "conflicting options: container type network can't be used with links. This would result in undefined behavior";
const hostLinksConflict = "conflicting options: host type networking can't be used with links. This would result in undefined behavior";

const builtinModes = ["default", "bridge", "none", "host"];

/** The (alias, child) pairs to record with a new container; throws Docker's errors. */
export function resolveCreateLinks(store: ContainerStore, hc: HostConfig): { alias: string; childId: string }[] {
  const links: string[] = hc.Links ?? [];
  if (!links.length) return [];
  const mode: string = hc.NetworkMode || "default";
  if (mode.startsWith("container:")) throw invalidParameter(containerLinksConflict);
  if (mode === "host") throw invalidParameter(hostLinksConflict);
  // On a user-defined network links are that network's business, not the graph's.
  if (!builtinModes.includes(mode)) return [];
  const out: { alias: string; childId: string }[] = [];
  for (const l of links) {
    const [name, alias] = parseLink(l);
    let child = findOr(store, name);
    for (let hops = 0; (child.rec.HostConfig.NetworkMode ?? "").startsWith("container:") && hops < 32; hops++) {
      child = findOr(store, child.rec.HostConfig.NetworkMode!.slice("container:".length));
    }
    if (child.rec.HostConfig.NetworkMode === "host") throw invalidParameter(hostLinksConflict);
    out.push({ alias, childId: child.id });
  }
  return out;
}

function findOr(store: ContainerStore, name: string): Container {
  const c = store.find(name);
  // dockerd answers 400 here, so the CLI does not mistake it for a missing image.
  if (!c) throw invalidParameter(`could not get container for ${name}: No such container: ${name}`);
  return c;
}

export interface StartLinks {
  env: string[];
  hosts: string[];
}

/** What a starting container gets from its links; every child must be running. */
export function startLinks(store: ContainerStore, c: Container): StartLinks {
  const env: string[] = [];
  const hosts: string[] = [];
  const onBridge = ["default", "bridge"].includes(c.rec.HostConfig.NetworkMode || "default");
  for (const { alias, child } of store.children(c)) {
    const full = `/${c.name}/${alias}`;
    if (!child.state.s.Running) {
      throw new WharfError("system", `Cannot link to a non running container: /${child.name} AS ${full}`);
    }
    if (!onBridge) continue;
    const ip = containerIPv4(child);
    env.push(...linkEnv(full, ip, child.rec.Config.Env ?? [], child.rec.Config.ExposedPorts));
    const line = linkHostsLine(alias, child, ip);
    if (line) hosts.push(line);
  }
  return { env, hosts };
}

/** `HostConfig.Links` as inspect shows it: `["/db:/web/database"]`, or null. */
export function inspectLinks(store: ContainerStore, c: Container): string[] | null {
  const l = store.children(c).map(({ alias, child }) => `/${child.name}:/${c.name}/${alias}`);
  return l.length ? l : null;
}

/** `DELETE /containers/{name}?link=1`: `name` is the link's full name, `/web/database`. */
export function removeLink(store: ContainerStore, ref: string): void {
  // The reference must resolve to a container, as the link's child (dockerd looks it up first).
  if (!store.find(ref)) throw notFound(`No such container: ${ref}`);
  const name = ref.startsWith("/") ? ref : `/${ref}`;
  const cut = name.lastIndexOf("/");
  const parentName = name.slice(0, cut);
  if (parentName === "") throw systemError("Conflict, cannot remove the default link name of the container");
  const parent = store.find(parentName);
  if (!parent) throw systemError(`Cannot get parent ${parentName} for link name ${name}`);
  store.removeLink(parent, name.slice(cut + 1));
}

/**
 * A child that (re)started may have a new address: running parents' /etc/hosts lines
 * for it are rewritten in place (the file is bind-mounted), as dockerd's addLegacyLinks does.
 */
export function updateParentHosts(store: ContainerStore, child: Container): void {
  const ip = containerIPv4(child);
  if (!ip) return;
  for (const { alias, parent } of store.parents(child)) {
    if (!parent.state.s.Running) continue;
    try {
      const text = readFileSync(parent.paths.hostsPath, "utf8");
      const next = text.replace(new RegExp(`^[^\\t\\n]+\\t(${escapeRe(alias)}( [^\\n]*)?)$`, "m"), `${ip}\t$1`);
      if (next !== text) writeFileSync(parent.paths.hostsPath, next);
    } catch {
      // A parent whose files are gone is being removed.
    }
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
