// DELETE /images/{name} and POST /images/prune, deciding untag vs delete as dockerd does:
// a name removes that one reference, and the image goes only with its last reference; an
// id removes the image, which needs `force` when several repositories name it. An image
// a container uses is refused (409) unless forced, and a forced delete then only untags.
// Images committed from another hold it: its last name only untags it, its id is refused
// even when forced, and once its last child goes an unnamed, unused parent goes too
// (unless noprune), as dockerd's parent links work.
import { conflict } from "../errors.ts";
import type { Digest } from "../storage/types.ts";
import { matchLabels, type Filters } from "../filters.ts";
import { parseGoDuration, parseTimestampNano } from "../time.ts";
import { familiarString, fullName, looksLikeId, parseNormalized, withDefaultTag, type Reference } from "./reference.ts";
import type { ImageService } from "./service.ts";
import type { ImageRecord } from "./store.ts";

export type DeleteItem = { Untagged: string } | { Deleted: string };

export function imageDelete(svc: ImageService, name: string, opts: { force: boolean; noprune: boolean }): Promise<DeleteItem[]> {
  return svc.serialize(async () => {
    const rec = svc.resolve(name);
    const out: DeleteItem[] = [];
    const refs = svc.tags.refsOf(rec.id);
    const byId = isIdRef(svc, name, rec);
    const used = svc.usedBy(rec.id);
    const user = used && /^[a-f0-9]{64}$/.test(used) ? used.slice(0, 12) : used;
    if (!byId) {
      const ref = withDefaultTag(parseNormalized(name));
      const others = refs.filter((r) => familiarString(r) !== familiarString(ref));
      if (others.length === 0 && user && !opts.force) {
        throw conflict(
          `conflict: unable to remove repository reference "${name}" (must force) - container ${user} is using its referenced image ${short(rec.id)}`,
        );
      }
      untag(svc, ref, rec.id, out);
      // Docker also drops digest references of the same repository once no tag is left there.
      if (!ref.digest && !others.some((r) => !r.digest && fullName(r) === fullName(ref))) {
        for (const r of others) if (r.digest && fullName(r) === fullName(ref)) untag(svc, r, rec.id, out);
      }
      if (svc.tags.refsOf(rec.id).length || user || svc.images.children(rec.id).length) return out;
    } else {
      if (svc.images.children(rec.id).length) {
        throw conflict(`conflict: unable to delete ${short(rec.id)} (cannot be forced) - image has dependent child images`);
      }
      if (user && !opts.force) {
        throw conflict(`conflict: unable to delete ${short(rec.id)} (must be forced) - image is being used by stopped container ${user}`);
      }
      const repos = new Set(refs.map(fullName));
      if (repos.size > 1 && !opts.force) {
        throw conflict(`conflict: unable to delete ${short(rec.id)} (must be forced) - image is referenced in multiple repositories`);
      }
      for (const r of refs) untag(svc, r, rec.id, out);
      if (user) return out;
    }
    await removeImage(svc, rec, out);
    if (!opts.noprune) await pruneParents(svc, rec, out);
    return out;
  });
}

/** After a delete: the parent goes too when nothing names it, uses it or was made from it, and so on up. */
async function pruneParents(svc: ImageService, rec: ImageRecord, out: DeleteItem[]): Promise<number> {
  let freed = 0;
  for (let p = rec.parent && svc.images.get(rec.parent); p; p = p.parent && svc.images.get(p.parent)) {
    if (svc.tags.refsOf(p.id).length || svc.usedBy(p.id) || svc.images.children(p.id).length) break;
    freed += await removeImage(svc, p, out);
  }
  return freed;
}

function isIdRef(svc: ImageService, name: string, rec: ImageRecord): boolean {
  if (!looksLikeId(name)) return false;
  try {
    // A hex string that is also a tag names the tag.
    return svc.tags.get(withDefaultTag(parseNormalized(name))) !== rec.id;
  } catch {
    return true;
  }
}

const short = (id: Digest) => id.slice(7, 19);

function untag(svc: ImageService, ref: Reference, id: Digest, out: DeleteItem[]): void {
  if (svc.tags.delete(ref)) {
    out.push({ Untagged: familiarString(ref) });
    svc.publish("untag", id, familiarString(ref));
  }
}

/** Removes the config and releases the image's layers; lists the layers freed as Docker does. */
async function removeImage(svc: ImageService, rec: ImageRecord, out: DeleteItem[]): Promise<number> {
  const top = svc.topLayer(rec);
  const sizes = new Map(svc.chain(rec).map((c) => [c, svc.layers.get(c)?.size ?? 0]));
  svc.images.remove(rec.id);
  out.push({ Deleted: rec.id });
  svc.publish("delete", rec.id, rec.id);
  let freed = 0;
  if (top) {
    for (const c of await svc.layers.release(top)) {
      out.push({ Deleted: c });
      freed += sizes.get(c) ?? 0;
    }
  }
  return freed;
}

export const pruneFilters = ["dangling", "until", "label", "label!"] as const;

export function imagesPrune(svc: ImageService, filters: Filters): Promise<{ ImagesDeleted: DeleteItem[] | null; SpaceReclaimed: number }> {
  return svc.serialize(async () => {
    const danglingOnly = !(filters.get("dangling") ?? ["true"]).some((v) => ["false", "0"].includes(v.toLowerCase()));
    const until = filters.get("until")?.[0];
    const untilNano = until ? parseTimestampNano(untilTimestamp(until), "until") : undefined;
    const out: DeleteItem[] = [];
    let reclaimed = 0;
    for (const rec of svc.images.list()) {
      // Gone already, as the unnamed parent of an image pruned before it.
      if (!svc.images.get(rec.id)) continue;
      if (svc.usedBy(rec.id)) continue;
      const refs = svc.tags.refsOf(rec.id);
      if (danglingOnly && refs.length) continue;
      // An image others were committed from stays, named or not: an unnamed one goes
      // with its last child, a named one is a conflict dockerd's prune passes over.
      if (svc.images.children(rec.id).length) continue;
      const labels = rec.config.config?.Labels ?? {};
      if (!matchLabels(labels, filters.get("label"))) continue;
      const notWanted = filters.get("label!");
      if (notWanted?.length && notWanted.some((w) => matchLabels(labels, [w]))) continue;
      if (untilNano !== undefined && BigInt(Date.parse(rec.config.created ?? "") || 0) * 1_000_000n >= untilNano) continue;
      for (const r of refs) untag(svc, r, rec.id, out);
      reclaimed += await removeImage(svc, rec, out);
      reclaimed += await pruneParents(svc, rec, out);
    }
    svc.events?.publish("image", "prune", "", { reclaimed: String(reclaimed) });
    return { ImagesDeleted: out.length ? out : null, SpaceReclaimed: reclaimed };
  });
}

/** `until` also takes Go durations (`24h`, `10m`) relative to now. */
export function untilTimestamp(v: string): string {
  const ago = /^\d+(\.\d+)?$/.test(v) ? undefined : parseGoDuration(v);
  return ago === undefined ? v : ((Date.now() - ago / 1e6) / 1000).toFixed(9);
}
