// POST /images/create?fromSrc=…: a root filesystem tar becomes a one-layer image, with
// `changes` applied to its config, `message` as its comment and history, and repo/tag.
import { invalidParameter } from "../errors.ts";
import type { Digest } from "../storage/types.ts";
import { goArch } from "../sys/host.ts";
import { applyChanges } from "./changes.ts";
import { familiarString, parseRepoTag, type Reference } from "./reference.ts";
import type { ImageService } from "./service.ts";
import { sha256, type ImageConfigJson } from "./store.ts";

/** The import request as the images router passes it (`src` is `-` for the body, else a URL). */
export interface ImportOptions {
  src: string;
  repo?: string;
  tag?: string;
  message?: string;
  changes: string[];
  platform?: string;
}

export async function importImage(svc: ImageService, body: AsyncIterable<Uint8Array>, o: ImportOptions): Promise<Digest> {
  // Everything that can be wrong with the parameters is found before the upload is read.
  let ref: Reference | undefined;
  if (o.repo) ref = parseRepoTag(o.repo, o.tag);
  else if (o.tag) throw invalidParameter("tag without repo: give repo as well");
  if (ref?.digest) throw invalidParameter("import: a digest reference cannot be a tag");
  const config = applyChanges({}, o.changes);
  const [os, arch] = (o.platform || `linux/${goArch()}`).split("/");
  if (os !== "linux") throw invalidParameter(`unsupported os ${os}: wharf runs linux images`);
  const src = o.src === "-" ? body : await fetchBody(o.src);
  return svc.serialize(async () => {
    const layer = await svc.layers.register(src, null);
    try {
      const created = new Date().toISOString();
      const comment = o.message || `Imported from ${o.src}`;
      const cfg: ImageConfigJson = {
        architecture: arch || goArch(),
        comment,
        config,
        created,
        history: [{ created, comment }],
        os: "linux",
        rootfs: { type: "layers", diff_ids: [layer.diffId] },
      };
      const raw = Buffer.from(JSON.stringify(cfg));
      const { rec, created: isNew } = svc.images.put(raw, cfg);
      if (!isNew) await svc.layers.release(layer.chainId);
      if (ref) svc.addTag(ref, rec.id);
      svc.publish("import", rec.id, ref ? familiarString(ref) : rec.id);
      return sha256(raw);
    } catch (err) {
      await svc.layers.release(layer.chainId).catch(() => {});
      throw err;
    }
  });
}

async function fetchBody(url: string): Promise<AsyncIterable<Uint8Array>> {
  if (!/^https?:\/\//.test(url)) throw invalidParameter(`fromSrc must be - or an http(s) URL, not ${url}`);
  const res = await fetch(url).catch((err) => {
    throw invalidParameter(`import: fetching ${url}: ${(err as Error).message}`);
  });
  if (!res.ok || !res.body) throw invalidParameter(`import: fetching ${url}: HTTP ${res.status}`);
  return res.body as unknown as AsyncIterable<Uint8Array>;
}
