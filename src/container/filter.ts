// GET /containers/json filters, as dockerd applies them (moby daemon/list.go): values
// match as regular expressions where dockerd uses filters.Match (name, id, status),
// exactly elsewhere; `before`/`since` cut the newest-first list at a container.
import type { Container } from "./container.ts";
import { matchLabels, type Filters } from "../filters.ts";
import { zeroTime } from "../time.ts";
import { invalidParameter, notFound } from "../errors.ts";
import { containerHealth, containerMounts, containerNetworks, containerPorts, type MountSummary } from "./summary.ts";

const states = ["created", "running", "paused", "restarting", "removing", "exited", "dead"];
const healths = ["none", "starting", "healthy", "unhealthy"];

export interface ListContext {
  /** Finds a container by id, name or unique id prefix (before/since); undefined when unknown. */
  find(ref: string): Container | undefined;
  /** The image ids an `ancestor` value stands for; empty when the image is unknown. */
  ancestorIds(ancestor: string): string[];
  /** All names of a container (`/web`, and link names such as `/web/database`). */
  names(c: Container): string[];
  /** The container's mounts as inspect shows them, when volumes know better than the record. */
  mounts?(c: Container): MountSummary[];
}

/** dockerd's filters.Match: no values matches; else an exact value or a matching pattern. */
function match(values: string[] | undefined, source: string): boolean {
  if (!values?.length) return true;
  for (const v of values) {
    if (v === source) return true;
    try {
      if (new RegExp(v).test(source)) return true;
    } catch {
      // dockerd skips a value that does not compile.
    }
  }
  return false;
}

/** `80`, `80/udp`, `8000-8010/tcp` → the set of `port/proto` strings. */
function portSet(key: string, values: string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const v of values ?? []) {
    if (v.includes(":")) throw invalidParameter(`filter for '${key}' should not contain ':': ${v}`);
    const [range = "", proto = "tcp"] = v.split("/");
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    const start = Number(m?.[1]);
    const end = m?.[2] !== undefined ? Number(m[2]) : start;
    if (!m || start > 65535 || end > 65535 || end < start) {
      throw invalidParameter(`error while looking up for ${key} ${v}: invalid port range: ${range}`);
    }
    for (let p = start; p <= end; p++) out.add(`${p}/${proto.toLowerCase()}`);
  }
  return out;
}

export function filterContainers(all: Container[], f: Filters, opts: { all: boolean; limit?: number }, ctx: ListContext): Container[] {
  let showAll = opts.all;
  const exited = (f.get("exited") ?? []).map((e) => {
    if (!/^[+-]?\d+$/.test(e)) throw invalidParameter(`invalid filter 'exited=${e}': strconv.Atoi: parsing "${e}": invalid syntax`);
    return Number(e);
  });
  for (const s of f.get("status") ?? []) {
    if (!states.includes(s)) {
      throw invalidParameter(`invalid filter 'status=${s}': invalid value for state (${s}): must be one of ${states.join(", ")}`);
    }
    showAll = true;
  }
  const isTaskValues = f.get("is-task");
  let isTask: boolean | undefined;
  if (isTaskValues?.length) {
    const v = isTaskValues[0]!.toLowerCase();
    if (isTaskValues.length > 1 || !["true", "false", "1", "0"].includes(v)) throw invalidParameter(`invalid filter 'is-task=${isTaskValues.join(",")}'`);
    isTask = v === "true" || v === "1";
  }
  for (const h of f.get("health") ?? []) {
    if (!healths.includes(h)) {
      throw invalidParameter(`invalid filter 'health=${h}': invalid value for health (${h}): must be one of ${healths.join(", ")}`);
    }
  }
  const refContainer = (key: string): Container | undefined => {
    let found: Container | undefined;
    for (const ref of f.get(key) ?? []) {
      found = ctx.find(ref);
      if (!found) throw notFound(`No such container: ${ref}`);
    }
    return found;
  };
  let before = refContainer("before");
  const since = refContainer("since");
  const ancestors = f.has("ancestor") ? new Set((f.get("ancestor") ?? []).flatMap((a) => ctx.ancestorIds(a))) : undefined;
  const publish = portSet("publish", f.get("publish"));
  const expose = portSet("expose", f.get("expose"));
  const names = f.get("name");
  const ids = f.get("id");

  // With id or name filters, only containers one of them picks are candidates (by id
  // prefix, and by any of a container's names with or without the slash).
  let candidates = all;
  if (names?.length || ids?.length) {
    const byId = new Set(ids?.length ? all.filter((c) => ids.some((v) => v !== "" && c.id.startsWith(v))).map((c) => c.id) : []);
    candidates = all.filter((c) => {
      if (ids?.length && !byId.has(c.id)) return false;
      if (!names?.length) return true;
      return ctx.names(c).some((n) => match(names, n) || match(names, n.slice(1)));
    });
  }

  const out: Container[] = [];
  for (const c of candidates) {
    if (before) {
      if (c.id === before.id) before = undefined;
      continue;
    }
    if (since && c.id === since.id) break;
    const s = c.state.s;
    if (!s.Running && !showAll && !opts.limit) continue;
    if (!match(names, `/${c.name}`) && !match(names, c.name)) continue;
    if (!match(ids, c.id) && !ids!.some((v) => c.id.startsWith(v))) continue;
    if (isTask !== undefined && isTask !== false) continue; // no swarm tasks here
    if (!matchLabels(c.rec.Config.Labels, f.get("label"))) continue;
    if (opts.limit && out.length === opts.limit) break;
    if (exited.length && (s.Running || s.StartedAt === zeroTime || !exited.includes(s.ExitCode))) continue;
    if (!match(f.get("status"), s.Status)) continue;
    const health = f.get("health");
    if (health?.length && !health.includes(containerHealth(c))) continue;
    const volumes = f.get("volume");
    if (volumes?.length) {
      const mounts = ctx.mounts?.(c) ?? containerMounts(c);
      const hit = volumes.some((v) => mounts.some((m) => m.Destination === v || (m.Name ? m.Name === v : m.Source === v)));
      if (!hit) continue;
    }
    if (ancestors && !ancestors.has(c.rec.Image)) continue;
    const networks = f.get("network");
    if (networks?.length) {
      const nets = containerNetworks(c);
      const hit = networks.some((v) => v in nets || Object.values(nets).some((n) => n?.NetworkID && String(n.NetworkID).startsWith(v)));
      if (!hit) continue;
    }
    if (publish.size || expose.size) {
      const hit = containerPorts(c).some((p) => publish.has(`${p.PublicPort ?? 0}/${p.Type}`) || expose.has(`${p.PrivatePort}/${p.Type}`));
      if (!hit) continue;
    }
    out.push(c);
  }
  return out;
}
