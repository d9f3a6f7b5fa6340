// The storage factory: picks the graph driver and opens the layer store under the
// data root. Layout of `<dataRoot>/<driver>/`:
//   layers/<chain id hex>/{meta.json, tar-split.gz, diff/}   one per stored layer
//   l/<short id> -> ../layers/<hex>/diff                     overlay2's short lower names
//   rw/<container id>/{meta.json, diff/, work/, merged/}     container rw layers
//   staging/                                                 work in progress, emptied at open
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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

/** Where the data root records the driver its first start chose. */
const recordFile = (dataRoot: string) => join(dataRoot, "storage-driver.json");

function recorded(dataRoot: string): DriverName | undefined {
  try {
    const v = (JSON.parse(readFileSync(recordFile(dataRoot), "utf8")) as { driver?: string }).driver;
    return v === "overlay2" || v === "vfs" ? v : undefined;
  } catch {
    return undefined;
  }
}

function record(dataRoot: string, driver: DriverName): void {
  mkdirSync(dataRoot, { recursive: true });
  const tmp = `${recordFile(dataRoot)}.tmp`;
  writeFileSync(tmp, JSON.stringify({ driver }) + "\n");
  renameSync(tmp, recordFile(dataRoot));
}

async function pickDriver(opts: OpenOptions): Promise<GraphDriver> {
  const d = await chooseDriver(opts);
  if (!recorded(opts.dataRoot)) record(opts.dataRoot, d.name as DriverName);
  return d;
}

async function chooseDriver({ dataRoot, driver }: OpenOptions): Promise<GraphDriver> {
  const home = (name: DriverName) => join(dataRoot, name);
  if (driver === "vfs") return new VfsDriver(home("vfs"));
  if (driver === "overlay2" || driver === "overlay") return Overlay2Driver.probe(home("overlay2"));
  if (driver) throw invalidParameter(`unknown storage driver "${driver}" (wharf has overlay2 and vfs)`);
  // What this data root used before (recorded, or seen on disk) is what it uses now: a
  // silent switch would hide every image and container until a later restart.
  const before = recorded(dataRoot) ?? (existsSync(join(home("overlay2"), "layers")) ? "overlay2" : existsSync(join(home("vfs"), "layers")) ? "vfs" : undefined);
  if (before === "vfs") return new VfsDriver(home("vfs"));
  try {
    return await Overlay2Driver.probe(home("overlay2"));
  } catch (e) {
    if (before === "overlay2") {
      throw invalidParameter(
        `the storage driver of ${dataRoot} is overlay2 (${recordFile(dataRoot)}), and it cannot be used now: ${errorMessage(e)}. ` +
          "Its images and containers are kept there: fix the cause and start again, or pass --storage-driver vfs to run on vfs without them",
      );
    }
    log.warn(`overlay2 cannot be used on a new data root, using vfs: ${errorMessage(e)}`);
    return new VfsDriver(home("vfs"));
  }
}
