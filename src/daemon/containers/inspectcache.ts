// GET /containers/{id}/json answers encoded once per state of the container, so a
// client polling inspect (compose, IDEs, monitoring) costs a lookup, not a rebuild and
// a JSON encoding. The key covers what an inspect shows: the saved record (its version),
// names and links, the live state, exec ids (added without a save) and the record's
// parts that are replaced as a whole (network settings and runtime, host config, config).
import type { Container } from "../../container/container.ts";
import type { ContainerInspect } from "../../api/types/index.ts";
import { RawJson } from "../../api/rawjson.ts";

const ids = new WeakMap<object, number>();
let nextId = 1;
/** A number per object identity: a replaced part changes the key. */
function identity(o: unknown): number {
  if (o === null || typeof o !== "object") return 0;
  let n = ids.get(o);
  if (n === undefined) ids.set(o, (n = nextId++));
  return n;
}

const cache = new WeakMap<Container, { key: string; json: RawJson }>();

export function cachedInspect(c: Container, versions: { record: number; names: number }, build: () => ContainerInspect): RawJson {
  const r = c.rec;
  const key =
    `${versions.record}|${versions.names}|${identity(r.NetworkSettings)}|${identity(r.NetRuntime)}|` +
    `${identity(r.HostConfig)}|${identity(r.Config)}|${r.RestartCount}|${r.ExecIDs?.join(",")}|${JSON.stringify(c.state.s)}`;
  const hit = cache.get(c);
  if (hit && hit.key === key) return hit.json;
  const json = new RawJson(JSON.stringify(build()));
  cache.set(c, { key, json });
  return json;
}
