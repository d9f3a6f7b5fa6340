// docker diff, export and commit: the container's writable layer as changes, the merged
// root as one tar, and a new image from the changes.
import type { Container } from "../../container/container.ts";
import { conflict, invalidParameter } from "../../errors.ts";
import { changesTar, compareChanges, overlayChanges, type Change } from "../../archive/changes.ts";
import { archive, treeEntries } from "../../archive/tarwriter.ts";
import type { ImageService } from "../../image/service.ts";
import { applyChanges } from "../../image/changes.ts";
import { familiarString, parseRepoTag, type Reference } from "../../image/reference.ts";
import { sha256, type ImageConfigJson } from "../../image/store.ts";
import type { Digest, LayerStore } from "../../storage/types.ts";
import { goArch } from "../../sys/host.ts";
import { wharfVersion } from "../../version.ts";
import type { ContainerContext } from "./context.ts";
import type { CommitOptions } from "../../api/routers/containers/fs-routes.ts";
import { leaseRootfsShared } from "./rootfs.ts";
import type { ContainerConfig } from "../../api/types/index.ts";

function changesOf(ctx: ContainerContext, c: Container): Change[] {
  return rwChanges(ctx.layers, c.id);
}

/** The changes of an rw layer (a container's, or a build step's scratch layer). */
export function rwChanges(layers: LayerStore, id: string): Change[] {
  const upper = layers.rwDiffPath(id);
  const lowers = layers.rwLowerDirs?.(id) ?? [];
  return layers.driverName === "overlay2" ? overlayChanges(upper, lowers) : compareChanges(upper, lowers[0]);
}

export async function containerChanges(ctx: ContainerContext, ref: string): Promise<{ Path: string; Kind: number }[]> {
  const c = ctx.store.lookup(ref);
  return changesOf(ctx, c).map((ch) => ({ Path: ch.Path, Kind: ch.Kind }));
}

export async function containerExport(ctx: ContainerContext, ref: string): Promise<AsyncIterable<Uint8Array>> {
  const c = ctx.store.lookup(ref);
  const lease = await leaseRootfsShared(ctx, c);
  ctx.emit(c, "export");
  return (async function* () {
    try {
      yield* archive(treeEntries(lease.root, ""));
    } finally {
      await lease.release();
    }
  })();
}

// The container config fields an image config keeps.
const imageFields = [
  "Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts", "Tty", "OpenStdin",
  "StdinOnce", "Env", "Cmd", "Healthcheck", "ArgsEscaped", "Image", "Volumes", "WorkingDir", "Entrypoint", "OnBuild",
  "Labels", "StopSignal", "StopTimeout", "Shell",
] as const satisfies readonly (keyof ContainerConfig)[];

/** The diff id of a tar with no entries (two zero blocks): dockerd's layer.DigestSHA256EmptyTar. */
export const emptyTarDigest = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

export async function containerCommit(ctx: ContainerContext, images: ImageService, o: CommitOptions): Promise<{ Id: string }> {
  if (!o.container) throw invalidParameter("No such container: ");
  const c = ctx.store.lookup(o.container);
  let ref: Reference | undefined;
  if (o.repo) ref = parseRepoTag(o.repo, o.tag);
  else if (o.tag) throw invalidParameter("tag without repo: give repo as well");
  if (ref?.digest) throw invalidParameter("refusing to create a tag with a digest reference");
  const s = c.state.s;
  if (s.Status === "removing" || s.Dead) throw conflict(`You cannot commit container ${c.id} which is being removed`);
  const kept: Record<string, unknown> = {};
  const from: Record<string, unknown> = c.rec.Config;
  for (const k of imageFields) if (from[k] !== undefined) kept[k] = from[k];
  // The request's overrides, field by field over the container's (any field, as dockerd merges them).
  for (const [k, v] of Object.entries(o.config ?? {})) if (v !== null && v !== undefined && v !== "") kept[k] = v;
  const base = kept as ContainerConfig;
  const config = applyChanges(base, o.changes);
  const parent = images.images.get(c.rec.Image as Digest);
  const pause = o.pause && s.Running && !s.Paused;
  if (pause) await ctx.exec.pause(c);
  // The layer the new image holds a reference on: the new one, or, when the container
  // changed nothing, the parent's top (dockerd adds no layer for an empty diff).
  let layerChain: Digest | null;
  let diffId: Digest | undefined;
  try {
    const upper = ctx.layers.rwDiffPath(c.id);
    const tar = archive(changesTar(upper, changesOf(ctx, c)));
    const parentTop = parent ? images.topLayer(parent) : null;
    const layer = await ctx.layers.register(tar, parentTop);
    if (layer.diffId === emptyTarDigest && parentTop) {
      ctx.layers.retain(parentTop);
      await ctx.layers.release(layer.chainId);
      layerChain = parentTop;
    } else {
      layerChain = layer.chainId;
      diffId = layer.diffId;
    }
  } finally {
    if (pause) await ctx.exec.resume(c).catch(() => {});
  }
  return images.serialize(async () => {
    try {
      const created = new Date().toISOString();
      const pc = parent?.config;
      const cfg: ImageConfigJson = {
        architecture: pc?.architecture ?? goArch(),
        ...(o.author ? { author: o.author } : {}),
        ...(o.comment ? { comment: o.comment } : {}),
        config,
        container: c.id,
        container_config: c.rec.Config,
        created,
        docker_version: wharfVersion,
        history: [
          ...(pc?.history ?? []),
          {
            created,
            ...(o.author ? { author: o.author } : {}),
            created_by: (c.rec.Config.Cmd ?? []).join(" "), // dockerd: the container's Cmd only
            ...(o.comment ? { comment: o.comment } : {}),
            ...(diffId ? {} : { empty_layer: true }),
          },
        ],
        os: "linux",
        rootfs: { type: "layers", diff_ids: [...(pc?.rootfs?.diff_ids ?? []), ...(diffId ? [diffId] : [])] },
      };
      if (pc?.variant) cfg.variant = pc.variant;
      const raw = Buffer.from(JSON.stringify(cfg));
      const { rec, created: isNew } = images.images.put(raw, cfg);
      if (!isNew && layerChain) await ctx.layers.release(layerChain);
      else images.images.setParent(rec.id, c.rec.Image as Digest);
      if (ref) images.addTag(ref, rec.id);
      ctx.emit(c, "commit", { comment: o.comment ?? "", imageID: rec.id, imageRef: ref ? familiarString(ref) : "" });
      return { Id: sha256(raw) };
    } catch (err) {
      if (layerChain) await ctx.layers.release(layerChain).catch(() => {});
      throw err;
    }
  });
}
