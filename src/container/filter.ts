// GET /containers/json filters, as dockerd applies them.
import type { Container } from "./container.ts";
import { matchLabels, type Filters } from "../api/filters.ts";
import { invalidParameter } from "../errors.ts";

const statuses = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

export interface ListContext {
  /** Finds a container for before/since (any lookup form); undefined when unknown. */
  find(ref: string): Container | undefined;
  /** Does the container's image match an `ancestor` value (name, id or prefix)? */
  imageMatches(c: Container, ancestor: string): boolean;
}

export function filterContainers(all: Container[], f: Filters, opts: { all: boolean; limit?: number }, ctx: ListContext): Container[] {
  for (const s of f.get("status") ?? []) {
    if (!statuses.includes(s)) throw invalidParameter(`invalid filter 'status=${s}'`);
  }
  const refTime = (key: string): string | undefined => {
    const ref = f.get(key)?.[0];
    if (!ref) return undefined;
    const c = ctx.find(ref);
    if (!c) throw invalidParameter(`No such container: ${ref}`);
    return c.rec.Created;
  };
  const before = refTime("before");
  const since = refTime("since");
  const exited = (f.get("exited") ?? []).map((e) => {
    if (!/^-?\d+$/.test(e)) throw invalidParameter(`invalid filter 'exited=${e}'`);
    return Number(e);
  });
  // Filters that name a status, or exited codes, reach stopped containers even without all.
  const showAll = opts.all || !!f.get("status")?.length || exited.length > 0 || !!before || !!since;
  let out = all.filter((c) => {
    const s = c.state.s;
    if (!showAll && !s.Running) return false;
    if (!anyMatch(f.get("id"), (v) => c.id.startsWith(v))) return false;
    if (!anyMatch(f.get("name"), (v) => new RegExp(v).test(`/${c.name}`))) return false;
    if (!anyMatch(f.get("status"), (v) => v === s.Status)) return false;
    if (exited.length && (s.Running || s.StartedAt === "0001-01-01T00:00:00Z" || !exited.includes(s.ExitCode))) return false;
    if (!matchLabels(c.rec.Config.Labels, f.get("label"))) return false;
    if (!anyMatch(f.get("ancestor"), (v) => ctx.imageMatches(c, v))) return false;
    if (before && c.rec.Created >= before) return false;
    if (since && c.rec.Created <= since) return false;
    if (!anyMatch(f.get("network"), (v) => c.networkMode() === v)) return false;
    if (!anyMatch(f.get("expose"), (v) => Object.keys(c.rec.Config.ExposedPorts ?? {}).includes(v.includes("/") ? v : `${v}/tcp`))) return false;
    if (!anyMatch(f.get("health"), (v) => (v === "none" ? !c.rec.Config.Healthcheck : false))) return false;
    return true;
  });
  if (opts.limit) out = out.slice(0, opts.limit);
  return out;
}

function anyMatch(values: string[] | undefined, pred: (v: string) => boolean): boolean {
  return !values?.length || values.some(pred);
}
