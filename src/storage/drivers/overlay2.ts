// overlay2: each layer dir holds only its own diff; a container's root is an overlay
// of its upper dir over every lower diff. Lower dirs are named by short symlinks
// (`<home>/l/ID` -> `../layers/HEX/diff`) so long chains fit the mount options.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { GraphDriver, LayerDir } from "./driver.ts";
import { isMounted, mountOverlay, unmount } from "../mount.ts";
import { errorMessage, systemError } from "../../errors.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function linkId(): string {
  const b = randomBytes(26);
  let s = "";
  for (const x of b) s += ALPHABET[x & 31];
  return s;
}

export class Overlay2Driver implements GraphDriver {
  readonly name = "overlay2" as const;
  readonly whiteouts = "overlay" as const;
  readonly emptyDiffs = true;

  private constructor(
    readonly home: string,
    private readonly options: string[],
  ) {}

  /** Mounts a tiny overlay under `home` to learn whether (and with which options) overlay works here. */
  static async probe(home: string): Promise<Overlay2Driver> {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const dir = mkdtempSync(join(home, "probe-"));
    let lastError: unknown;
    try {
      for (const d of ["lower", "upper", "work", "merged"]) mkdirSync(join(dir, d));
      writeFileSync(join(dir, "lower", "f"), "x");
      const merged = join(dir, "merged");
      // index=off lets one lower be shared by many uppers across remounts (as Docker does).
      for (const options of [["index=off"], []]) {
        try {
          await mountOverlay({ cwd: dir, lower: ["lower"], upper: join(dir, "upper"), work: join(dir, "work"), options }, merged);
          await unmount(merged);
          return new Overlay2Driver(home, options);
        } catch (e) {
          lastError = e;
        }
      }
    } finally {
      if (isMounted(join(dir, "merged"))) await unmount(join(dir, "merged")).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
    throw systemError(`overlay2 is not supported here: ${errorMessage(lastError)}`, lastError);
  }

  async prepareLayer(diff: string): Promise<string> {
    mkdirSync(diff, 0o755);
    return linkId();
  }

  layerCommitted(layer: LayerDir): void {
    const l = join(this.home, "l", layer.link);
    mkdirSync(join(this.home, "l"), { recursive: true });
    rmSync(l, { force: true });
    symlinkSync(join("..", relative(this.home, layer.dir), "diff"), l);
  }

  layerRemoving(layer: LayerDir): void {
    try {
      unlinkSync(join(this.home, "l", layer.link));
    } catch {}
  }

  async createRW(dir: string, chain: LayerDir[]): Promise<void> {
    for (const d of ["diff", "work", "merged"]) mkdirSync(join(dir, d), 0o755);
    if (chain.length === 0) mkdirSync(join(dir, "empty"), 0o755);
  }

  async mountRW(dir: string, chain: LayerDir[]): Promise<string> {
    const merged = join(dir, "merged");
    if (isMounted(merged)) return merged;
    const lower = chain.length ? chain.map((l) => `l/${l.link}`) : [relative(this.home, join(dir, "empty"))];
    // Everything relative to home: a page of options then holds about 130 lowers.
    const rel = relative(this.home, dir);
    await mountOverlay({ cwd: this.home, lower, upper: join(rel, "diff"), work: join(rel, "work"), options: this.options }, merged);
    return merged;
  }

  async unmountRW(dir: string): Promise<void> {
    await unmount(join(dir, "merged"));
  }

  rwDiff(dir: string): string {
    return join(dir, "diff");
  }

  rwData(dir: string, chain: LayerDir[]): Record<string, string> {
    const lower = chain.length ? chain.map((l) => join(l.dir, "diff")) : [join(dir, "empty")];
    return { LowerDir: lower.join(":"), MergedDir: join(dir, "merged"), UpperDir: join(dir, "diff"), WorkDir: join(dir, "work") };
  }
}
