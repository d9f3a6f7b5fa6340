// The builder behind POST /build: the context is received and the Dockerfile parsed
// before any answer (a broken Dockerfile is a 400, as Docker's), then the build runs
// while its messages stream.
import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { invalidParameter } from "../errors.ts";
import { BuildCache } from "./cache.ts";
import { BlobStore } from "./blobs.ts";
import { cacheRecords, pruneRecords, type BuildCacheRow, type PruneOptions } from "./cache-records.ts";
import { receiveContext, type BuildContext } from "./context.ts";
import { ignored, parseDockerignore } from "./dockerignore.ts";
import { parseInstructions, type Dockerfile } from "./dockerfile/instructions.ts";
import { DockerfileError } from "./dockerfile/parser.ts";
import { LexError } from "./dockerfile/lex.ts";
import { runBuild, type BuildResult } from "./executor.ts";
import { cleanRel, resolveInRoot } from "./scope.ts";
import { BuildError, type BuildHost, type BuildOptions, type BuildOutput } from "./types.ts";

export interface PreparedBuild {
  run(out: BuildOutput, signal: AbortSignal): Promise<BuildResult | undefined>;
  /** Drops the context (when the build never runs). */
  discard(): void;
}

export class BuildService {
  readonly cache: BuildCache;
  private readonly blobs: BlobStore;

  constructor(
    readonly root: string,
    private readonly host: BuildHost,
  ) {
    mkdirSync(join(root, "tmp"), { recursive: true, mode: 0o700 });
    rmSync(join(root, "tmp"), { recursive: true, force: true });
    mkdirSync(join(root, "tmp"), { recursive: true, mode: 0o700 });
    this.cache = new BuildCache(join(root, "cache.json"));
    this.blobs = new BlobStore(join(root, "blobs"));
  }

  cacheMountDir(id: string): string {
    return join(this.root, "mounts", id);
  }

  async prepare(body: AsyncIterable<Uint8Array>, opts: BuildOptions): Promise<PreparedBuild> {
    const id = randomBytes(8).toString("hex");
    const dir = join(this.root, "tmp", id);
    const discard = () => rmSync(dir, { recursive: true, force: true });
    try {
      const name = opts.dockerfile || "Dockerfile";
      const ctx = await receiveContext(body, dir, cleanRel(name) || "Dockerfile", this.blobs);
      const df = this.readDockerfile(ctx, name);
      applyDockerignore(ctx, name);
      return {
        discard,
        run: async (out, signal) => {
          const containers = new Set<string>();
          try {
            return await runBuild(df, ctx, opts, this.host, this.cache, out, signal, containers);
          } catch (err) {
            if (signal.aborted) return undefined;
            if (err instanceof BuildError) out.error(err.message, err.code);
            else if (err instanceof DockerfileError || err instanceof LexError) out.error(err.message);
            else out.error(err instanceof Error ? err.message : String(err));
            return undefined;
          } finally {
            // A cancelled build leaves nothing behind: its containers are removed.
            if (signal.aborted) for (const c of containers) await this.host.removeContainer(c).catch(() => {});
            this.cache.flush();
            // The context goes after the answer has ended: the client need not wait for it.
            setImmediate(() => void rm(dir, { recursive: true, force: true }).catch(() => {}));
          }
        },
      };
    } catch (err) {
      discard();
      throw err;
    }
  }

  /** POST /build/prune: cache records (see cache-records.ts). */
  async prune(o: PruneOptions): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }> {
    const r = await pruneRecords(this.cache, this.host, join(this.root, "mounts"), o);
    // The store of context files goes with a prune of everything.
    if (o.all && !o.filters.size && !o.keepStorage) r.SpaceReclaimed += this.blobs.clear();
    return r;
  }

  /** The build-cache rows of GET /system/df. */
  usage(): BuildCacheRow[] {
    return cacheRecords(this.cache, this.host, join(this.root, "mounts")).map((r) => r.row);
  }

  private readDockerfile(ctx: BuildContext, name: string): Dockerfile {
    const rel = resolveInRoot(ctx.root, cleanRel(name));
    const path = join(ctx.root, rel);
    if (!rel || !existsSync(path)) {
      throw invalidParameter(`Cannot locate specified Dockerfile: ${name}`);
    }
    try {
      return parseInstructions(readFileSync(path, "utf8"));
    } catch (err) {
      if (err instanceof DockerfileError) throw invalidParameter(err.message);
      throw err;
    }
  }
}

/**
 * The context's .dockerignore (or `<Dockerfile>.dockerignore` beside the Dockerfile)
 * removes what it excludes; the Dockerfile and .dockerignore themselves stay, as Docker keeps them.
 */
export function applyDockerignore(ctx: BuildContext, dockerfile: string): void {
  const df = cleanRel(dockerfile);
  let text: string | undefined;
  for (const cand of [`${df}.dockerignore`, ".dockerignore"]) {
    const rel = resolveInRoot(ctx.root, cand);
    try {
      text = readFileSync(join(ctx.root, rel), "utf8");
      break;
    } catch {}
  }
  if (text === undefined) return;
  const rules = parseDockerignore(text);
  const keep = new Set([df, ".dockerignore", `${df}.dockerignore`]);
  const dirs: string[] = [];
  for (const [rel, f] of ctx.files) {
    if (keep.has(rel) || !ignored(rules, rel)) continue;
    if (f.type === "dir") {
      dirs.push(rel);
      continue;
    }
    rmSync(join(ctx.root, rel), { force: true });
    ctx.files.delete(rel);
  }
  // Excluded directories go when nothing an exception kept is left inside.
  for (const d of dirs.sort((a, b) => b.length - a.length)) {
    const prefix = `${d}/`;
    if ([...ctx.files.keys()].some((p) => p.startsWith(prefix))) continue;
    try {
      rmdirSync(join(ctx.root, d));
    } catch {}
    ctx.files.delete(d);
  }
}

export type { BuildCacheRow };
