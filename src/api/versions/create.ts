// Request bodies as an older API version meant them (moby's container_routes.go): fields
// a version did not have are ignored, defaults it had are restored, and fields it could
// not express are refused, before the daemon sees the body.
import { invalidParameter } from "../../errors.ts";
import { compareVersions } from "../router.ts";

const before = (version: string, v: string) => compareVersions(version, v) < 0;

/** A JSON object as parsed, before the create body's types are checked. */
type Loose = { [field: string]: unknown };

/**
 * What this step touches of a body not yet type-checked: each part is read only when it
 * is an object (the type check after it names a part that is not).
 */
interface MountIn {
  Type?: unknown;
  BindOptions?: { NonRecursive?: boolean; CreateMountpoint?: boolean; ReadOnlyForceRecursive?: unknown };
  VolumeOptions?: { Subpath?: unknown };
  TmpfsOptions?: unknown;
}

const isObject = (v: unknown): v is Loose => !!v && typeof v === "object" && !Array.isArray(v);

/** POST /containers/create's body for the version in the path (mutated in place). */
export function createBodyFor<B extends Loose>(version: string, body: B): B {
  if (!isObject(body)) return body; // create says what is wrong
  const hc: Loose = isObject(body.HostConfig) ? body.HostConfig : {};
  const mounts: MountIn[] = Array.isArray(hc.Mounts) ? hc.Mounts : [];
  if (before(version, "1.25")) hc.AutoRemove = false; // the client removed its container itself
  if (before(version, "1.40")) {
    delete hc.KernelMemoryTCP;
    for (const m of mounts) if (m.BindOptions) m.BindOptions.NonRecursive = false;
  }
  if (before(version, "1.42")) {
    for (const m of mounts) {
      if (m.BindOptions) m.BindOptions.CreateMountpoint = false;
      // Combinations 1.42 refuses were ignored before.
      if (m.VolumeOptions && m.Type !== "volume") delete m.VolumeOptions;
      if (m.TmpfsOptions && m.Type !== "tmpfs") delete m.TmpfsOptions;
    }
    delete hc.ConsoleSize;
  } else delete hc.KernelMemory;
  if (before(version, "1.43")) delete hc.Annotations;
  if (before(version, "1.44")) {
    if (body.Healthcheck) delete (body.Healthcheck as Loose).StartInterval;
    for (const m of mounts) {
      if (m.Type === "bind" && m.BindOptions?.ReadOnlyForceRecursive) {
        throw invalidParameter("BindOptions.ReadOnlyForceRecursive needs API v1.44 or newer");
      }
    }
    const eps = ((body.NetworkingConfig as { EndpointsConfig?: { [name: string]: Loose | null } } | undefined)?.EndpointsConfig ?? {});
    const names = Object.keys(eps);
    if (names.length > 1) throw invalidParameter(`Container cannot be created with multiple network endpoints: ${names.join(", ")}`);
    // The container-wide MacAddress was the only one: it becomes the endpoint's.
    if (!body.MacAddress) for (const n of names) if (eps[n]) eps[n].MacAddress = "";
  }
  if (before(version, "1.45")) {
    for (const m of mounts) {
      if (m.VolumeOptions?.Subpath) throw invalidParameter("VolumeOptions.Subpath needs API v1.45 or newer");
    }
  }
  return body;
}
