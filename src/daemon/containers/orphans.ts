// Daemon start: the graph db is the truth about which containers exist. A crash during
// create (rw layer or directory made, record not yet committed) or remove (record gone,
// files not yet) leaves files no record owns; they are removed here, before restore.
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ContainerStore } from "../../container/store.ts";
import type { LayerStore } from "../../storage/types.ts";
import { logger } from "../../log.ts";

const log = logger("containers");

export async function cleanOrphans(store: ContainerStore, layers: LayerStore, containersDir: string): Promise<string[]> {
  const known = store.ids();
  const removed = new Set<string>();
  for (const name of readdirSync(containersDir)) {
    if (known.has(name)) continue;
    rmSync(join(containersDir, name), { recursive: true, force: true });
    removed.add(name);
  }
  for (const id of layers.listRW?.() ?? []) {
    if (known.has(id)) continue;
    try {
      await layers.unmountRW(id).catch(() => {});
      await layers.removeRW(id);
      removed.add(id);
    } catch (err) {
      log.warn(`removing orphaned rw layer ${id}:`, err);
    }
  }
  if (removed.size) log.info(`removed what ${removed.size} unfinished create(s) or remove(s) left behind`);
  return [...removed];
}
