// vfs: every layer dir is a complete root (its parent's copy plus its own diff), and a
// container's rw layer is one more copy. Slow and big, but works on any filesystem.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { GraphDriver, LayerDir } from "./driver.ts";
import { copyTree } from "./copy.ts";

export class VfsDriver implements GraphDriver {
  readonly name = "vfs" as const;
  readonly whiteouts = "delete" as const;
  readonly emptyDiffs = false;

  constructor(readonly home: string) {}

  async prepareLayer(diff: string, parent: LayerDir | null): Promise<string> {
    if (parent) await copyTree(join(parent.dir, "diff"), diff);
    else mkdirSync(diff, 0o755);
    return "";
  }

  layerCommitted(): void {}
  layerRemoving(): void {}

  async createRW(dir: string, chain: LayerDir[]): Promise<void> {
    const parent = chain[0];
    if (parent) await copyTree(join(parent.dir, "diff"), this.rwDiff(dir));
    else mkdirSync(this.rwDiff(dir), 0o755);
  }

  async mountRW(dir: string): Promise<string> {
    return this.rwDiff(dir);
  }

  async unmountRW(): Promise<void> {}

  rwDiff(dir: string): string {
    return join(dir, "diff");
  }
}
