// The storage factory: picks the graph driver and opens the layer store under the
// data root. Layout of `<dataRoot>/<driver>/`:
//   layers/<chain id hex>/{meta.json, tar-split.gz, diff/}   one per stored layer
//   l/<short id> -> ../layers/<hex>/diff                     overlay2's short lower names
//   rw/<container id>/{meta.json, diff/, work/, merged/}     container rw layers
//   staging/                                                 work in progress, emptied at open
import { existsSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, invalidParameter } from "../errors.ts";
import { logger } from "../log.ts";
import type { GraphDriver } from "./drivers/driver.ts";
import { Overlay2Driver } from "./drivers/overlay2.ts";
import { VfsDriver } from "./drivers/vfs.ts";
import { FsLayerStore } from "./layerstore.ts";

export type { Digest, Layer, LayerStore } from "./types.ts";
export { FsLayerStore } from "./layerstore.ts";

const log = logger("storage");

export type DriverName = "overlay2" | "vfs";

export interface OpenOptions {
  dataRoot: string;
  /** Default: the driver this data root already uses, else overlay2 when the kernel can, else vfs. */
  driver?: DriverName | string;
}

export async function openLayerStore(opts: OpenOptions): Promise<FsLayerStore> {
  return FsLayerStore.open(await pickDriver(opts));
}

async function pickDriver({ dataRoot, driver }: OpenOptions): Promise<GraphDriver> {
  const home = (name: DriverName) => join(dataRoot, name);
  if (driver === "vfs") return new VfsDriver(home("vfs"));
  if (driver === "overlay2" || driver === "overlay") return Overlay2Driver.probe(home("overlay2"));
  if (driver) throw invalidParameter(`unknown storage driver "${driver}" (wharf has overlay2 and vfs)`);
  if (existsSync(join(home("vfs"), "layers")) && !existsSync(join(home("overlay2"), "layers"))) return new VfsDriver(home("vfs"));
  try {
    return await Overlay2Driver.probe(home("overlay2"));
  } catch (e) {
    log.warn(`falling back to vfs: ${errorMessage(e)}`);
    return new VfsDriver(home("vfs"));
  }
}
