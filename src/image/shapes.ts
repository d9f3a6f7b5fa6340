// The JSON Docker answers for images: inspect, list entries and history rows, shaped as
// docs/reference/dockerd-20.10/ shows and trimmed per API version as v1.45 does.
import { compareVersions } from "../version.ts";
import type { ImageService } from "./service.ts";
import type { ImageRecord } from "./store.ts";
import type { ContainerConfig, ImageHistoryItem, ImageInspect, ImageSummary } from "../api/types/index.ts";
import { zeroTime } from "../time.ts";


/** Docker's container.Config with every always-sent field, from an image config's `config`. */
export function containerConfig(c: ContainerConfig | null | undefined): ContainerConfig {
  const x = c ?? {};
  const out: ContainerConfig = {
    Hostname: x.Hostname ?? "",
    Domainname: x.Domainname ?? "",
    User: x.User ?? "",
    AttachStdin: x.AttachStdin ?? false,
    AttachStdout: x.AttachStdout ?? false,
    AttachStderr: x.AttachStderr ?? false,
  };
  if (x.ExposedPorts && Object.keys(x.ExposedPorts).length) out.ExposedPorts = x.ExposedPorts;
  Object.assign(out, {
    Tty: x.Tty ?? false,
    OpenStdin: x.OpenStdin ?? false,
    StdinOnce: x.StdinOnce ?? false,
    Env: x.Env ?? null,
    Cmd: x.Cmd ?? null,
  });
  if (x.Healthcheck) out.Healthcheck = x.Healthcheck;
  if (x.ArgsEscaped) out.ArgsEscaped = x.ArgsEscaped;
  Object.assign(out, {
    Image: x.Image ?? "",
    Volumes: x.Volumes ?? null,
    WorkingDir: x.WorkingDir ?? "",
    Entrypoint: x.Entrypoint ?? null,
    OnBuild: x.OnBuild ?? null,
    Labels: x.Labels ?? null,
  });
  if (x.StopSignal) out.StopSignal = x.StopSignal;
  if (x.Shell) out.Shell = x.Shell;
  return out;
}

const unixSeconds = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);

export function imageInspect(svc: ImageService, rec: ImageRecord, version: string): ImageInspect {
  const c = rec.config;
  const size = svc.size(rec);
  // Built field by field in dockerd's order (clients diff the text); complete at the end.
  const out: Partial<ImageInspect> = {
    Id: rec.id,
    RepoTags: svc.repoTags(rec.id),
    RepoDigests: svc.repoDigests(rec.id),
    Parent: rec.parent ?? "",
    Comment: c.comment ?? "",
    Created: c.created ?? zeroTime,
  };
  if (compareVersions(version, "1.45") < 0) {
    out.Container = c.container ?? "";
    out.ContainerConfig = containerConfig(c.container_config);
  }
  Object.assign(out, {
    DockerVersion: c.docker_version ?? "",
    Author: c.author ?? "",
    Config: containerConfig(c.config),
    Architecture: c.architecture ?? "",
  });
  if (c.variant) out.Variant = c.variant;
  out.Os = c.os ?? "";
  if (c["os.version"]) out.OsVersion = c["os.version"];
  out.Size = size;
  if (compareVersions(version, "1.44") < 0) out.VirtualSize = size;
  Object.assign(out, {
    GraphDriver: { Data: null, Name: svc.layers.driverName },
    RootFS: { Type: "layers", Layers: c.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: rec.lastTagTime ?? zeroTime },
  });
  return out as ImageInspect;
}

export function imageSummary(svc: ImageService, rec: ImageRecord, version: string): ImageSummary {
  let tags = svc.repoTags(rec.id);
  let digests = svc.repoDigests(rec.id);
  // Before 1.43 an untagged image was listed with placeholders.
  if (compareVersions(version, "1.43") < 0 && !tags.length) {
    tags = ["<none>:<none>"];
    if (!digests.length) digests = ["<none>@<none>"];
  }
  const size = svc.size(rec);
  const out: ImageSummary = {
    Containers: -1,
    Created: unixSeconds(rec.config.created),
    Id: rec.id,
    Labels: rec.config.config?.Labels ?? null,
    ParentId: rec.parent ?? "",
    RepoDigests: digests,
    RepoTags: tags,
    SharedSize: -1,
    Size: size,
  };
  if (compareVersions(version, "1.44") < 0) out.VirtualSize = size;
  return out;
}

export function imageHistory(svc: ImageService, rec: ImageRecord): ImageHistoryItem[] {
  const c = rec.config;
  const chain = svc.chain(rec);
  const diffIds = c.rootfs?.diff_ids ?? [];
  const history: NonNullable<typeof c.history> = c.history?.length ? c.history : diffIds.map(() => ({ created: c.created }));
  let layer = 0;
  const rows = history.map((h) => {
    let size = 0;
    if (!h.empty_layer && layer < chain.length) size = svc.layers.get(chain[layer++]!)?.size ?? 0;
    return { Comment: h.comment ?? "", Created: unixSeconds(h.created), CreatedBy: h.created_by ?? "", Id: "<missing>", Size: size, Tags: null as string[] | null };
  });
  rows.reverse();
  // As dockerd: the newest row is the image, each next row the next parent up, while
  // parent links lead to images still here (one row per parent, whatever rows it added).
  let img: ImageRecord | undefined = rec;
  for (const row of rows) {
    if (!img) break;
    row.Id = img.id;
    const tags = svc.repoTags(img.id);
    row.Tags = tags.length ? tags : null;
    img = img.parent ? svc.images.get(img.parent) : undefined;
  }
  return rows;
}
