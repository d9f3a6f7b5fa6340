// The daemon's container backend: the verbs behind the containers router, the list and
// inspect views, logs, and the restore step of daemon start.
import { dirSize } from "../../volume/service.ts";
import type { ContainerBackend } from "../../api/routers/containers/backend.ts";
import type { AttachBackend, LogsBackend } from "../../api/routers/containers/io.ts";
import { containerAttach, type AttachOptions } from "./attach.ts";
import type { ContainerCreateBody, ContainerInspect, HostConfig } from "../../api/types/index.ts";
import type { Filters } from "../../filters.ts";
import type { WaitCondition } from "../../container/state.ts";
import { filterContainers } from "../../container/filter.ts";
import { containerMounts, containerSummary, encodedSummary, type MountSummary } from "../../container/summary.ts";
import { RawJson } from "../../api/rawjson.ts";
import type { Container } from "../../container/container.ts";
import { inspectLinks } from "./links.ts";
import { cachedInspect } from "./inspectcache.ts";
import { readLog, readLogBatches } from "../../logs/jsonfile.ts";
import type { ContainerContext } from "./context.ts";
import { containerCreate } from "./create.ts";
import { cleanOrphans } from "./orphans.ts";
import { containerStart, runProcess, superviseExit } from "./start.ts";
import { containerKill, containerStop } from "./stop.ts";
import { containerRestart } from "./restart.ts";
import { containerRemove } from "./remove.ts";
import { containerPause, containerRename, containersPrune, containerUpdate, containerWait } from "./misc.ts";
import { logger } from "../../log.ts";
import { notImplemented } from "../../errors.ts";

const log = logger("containers");

export class ContainerService implements ContainerBackend, LogsBackend, AttachBackend {
  constructor(private readonly ctx: ContainerContext) {}

  containerCreate(input: { name?: string; body: ContainerCreateBody }) {
    return containerCreate(this.ctx, input);
  }
  containerStart(ref: string) {
    return containerStart(this.ctx, ref);
  }
  containerStop(ref: string, opts: { timeout?: number; signal?: string }) {
    return containerStop(this.ctx, ref, opts);
  }
  containerKill(ref: string, signal?: string) {
    return containerKill(this.ctx, ref, signal);
  }
  containerRestart(ref: string, opts: { timeout?: number; signal?: string }) {
    return containerRestart(this.ctx, ref, opts);
  }
  containerWait(ref: string, cond: WaitCondition) {
    return containerWait(this.ctx, ref, cond);
  }
  containerRemove(ref: string, opts: { force: boolean; volumes: boolean; link: boolean }) {
    return containerRemove(this.ctx, ref, opts);
  }
  containerPause(ref: string) {
    return containerPause(this.ctx, ref, true);
  }
  containerUnpause(ref: string) {
    return containerPause(this.ctx, ref, false);
  }
  containerRename(ref: string, name: string) {
    return containerRename(this.ctx, ref, name);
  }
  containerUpdate(ref: string, body: HostConfig) {
    return containerUpdate(this.ctx, ref, body);
  }
  containersPrune(filters: Filters) {
    return containersPrune(this.ctx, filters);
  }
  containerAttach(ref: string, opts: AttachOptions) {
    return containerAttach(this.ctx, ref, opts);
  }

  async containerList(opts: { all: boolean; limit?: number; size: boolean; filters: Filters }): Promise<RawJson> {
    const store = this.ctx.store;
    const list = filterContainers(store.all(), opts.filters, opts, {
      find: (ref) => store.find(ref),
      ancestorIds: (ref) => {
        try {
          // The image and every image committed from it, as dockerd walks its children.
          const id = this.ctx.images.resolve(ref).id;
          return [id, ...(this.ctx.images.descendants?.(id) ?? [])];
        } catch {
          return [];
        }
      },
      names: (c) => store.namesOf(c.id),
      mounts: this.ctx.volumes ? (c) => this.ctx.volumes!.shapes(c.rec) as MountSummary[] : undefined,
    });
    // The name a container was created from, unless it now means another image (dockerd's refreshImage).
    const shown = new Map<string, boolean>();
    const entries = list.map((c) => {
      const ref = c.rec.Config.Image as string;
      const imgKey = `${c.rec.Image} ${ref}`;
      let same = shown.get(imgKey);
      if (same === undefined) shown.set(imgKey, (same = ref === c.rec.Image || this.ctx.images.matches(c.rec.Image, ref)));
      const image = same ? ref : c.rec.Image;
      const sizes = opts.size ? this.sizes(c) : undefined;
      const s = c.state.s;
      // Everything an entry shows but its Status text: a change to any of it re-encodes.
      const health = s.Health?.Status;
      const key = `${store.version(c)}|${store.namesVersion}|${image}|${s.Status}|${s.Running}|${s.Paused}|${s.Pid}|${s.StartedAt}|${s.FinishedAt}|${s.ExitCode}|${health}|${sizes?.SizeRw}|${sizes?.SizeRootFs}`;
      return encodedSummary(c, key, () => {
        const row = containerSummary(c, store.namesOf(c.id), image, sizes);
        if (this.ctx.volumes) row.Mounts = this.ctx.volumes.shapes(c.rec) as MountSummary[];
        return row;
      });
    });
    return new RawJson(`[${entries.join(",")}]`);
  }

  /** Synchronous: a cached answer is served without waiting on anything. */
  containerInspect(ref: string, opts: { size: boolean }): ContainerInspect | RawJson {
    const c = this.ctx.store.lookup(ref);
    if (opts.size) return this.inspectOf(c, opts);
    const versions = { record: this.ctx.store.version(c), names: this.ctx.store.namesVersion };
    return cachedInspect(c, versions, () => this.inspectOf(c, opts));
  }

  private inspectOf(c: Container, opts: { size: boolean }): ContainerInspect {
    const sizes = opts.size ? this.sizes(c) : undefined;
    const out = c.inspect({
      graphDriverData: this.ctx.layers.rwDriverData?.(c.id) ?? { UpperDir: this.ctx.layers.rwDiffPath(c.id) },
      mounts: this.ctx.volumes?.shapes(c.rec) ?? containerMounts(c),
      ...(sizes ? { sizeRw: sizes.SizeRw, sizeRootFs: sizes.SizeRootFs } : {}),
    });
    out.HostConfig = { ...out.HostConfig, Links: inspectLinks(this.ctx.store, c) };
    return out;
  }

  private sizes(c: Container): { SizeRw: number; SizeRootFs: number } {
    const rw = this.sizeRw(c.id);
    return { SizeRw: rw, SizeRootFs: rw + (this.ctx.images.size?.(c.rec.Image) ?? 0) };
  }

  async containerLogs(ref: string, opts: { follow: boolean; tail?: number; sinceNano?: bigint; untilNano?: bigint; closed: Promise<void> }) {
    const c = this.ctx.store.lookup(ref);
    if (c.rec.HostConfig.LogConfig?.Type === "none") {
      throw notImplemented("configured logging driver does not support reading");
    }
    // Following a stopped container returns what is there and ends (COMPAT).
    const stop = c.state.s.Running ? Promise.race([c.state.wait("not-running"), opts.closed]) : Promise.resolve();
    const follow = opts.follow && c.state.s.Running;
    const ro = { follow, tail: opts.tail, sinceNano: opts.sinceNano, untilNano: opts.untilNano, stop };
    return { tty: !!c.rec.Config.Tty, entries: readLog(c.paths.logPath, ro), batches: readLogBatches(c.paths.logPath, ro) };
  }

  counts() {
    const all = this.ctx.store.all();
    const running = all.filter((c) => c.state.s.Running && !c.state.s.Paused).length;
    const paused = all.filter((c) => c.state.s.Paused).length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  /**
   * Daemon start: reattach to containers whose process survived, settle the ones that
   * ended while the daemon was away (their real exit code comes from the exec driver),
   * and start those whose restart policy says so.
   */
  async restore(loaded: Container[]): Promise<void> {
    await cleanOrphans(this.ctx.store, this.ctx.layers, this.ctx.store.containersDir);
    for (const c of loaded) {
      try {
        if (c.state.s.Running && this.ctx.exec.alive(c)) {
          await this.settleFreezer(c);
          superviseExit(this.ctx, c);
          continue;
        }
        if (c.state.s.Running) superviseExit(this.ctx, c); // the driver reports the recorded exit
        const p = c.rec.HostConfig.RestartPolicy?.Name;
        if (!c.state.s.Running && (p === "always" || (p === "unless-stopped" && !c.rec.ManuallyStopped)) && c.rec.HasBeenStarted) {
          await this.ctx.lock.run(c.id, () => runProcess(this.ctx, c));
        }
      } catch (err) {
        log.error(`restoring container ${c.id}:`, err);
      }
    }
  }

  /**
   * A commit (or pause) the daemon died in may have left the cgroup frozen while the
   * record says otherwise: a frozen container not recorded paused is thawed; one
   * recorded paused whose cgroup is not frozen is recorded unpaused.
   */
  private async settleFreezer(c: Container): Promise<void> {
    const frozen = this.ctx.exec.frozen(c);
    if (frozen && !c.state.s.Paused) {
      log.warn(`container ${c.id} was left frozen (an unfinished commit or pause): thawing it`);
      await this.ctx.exec.resume(c);
    } else if (!frozen && c.state.s.Paused) {
      log.warn(`container ${c.id} was recorded paused but is not frozen: recording it running`);
      c.state.setPaused(false);
      this.ctx.store.save(c);
    }
  }

  private sizeRw(id: string): number {
    return dirSize(this.ctx.layers.rwDiffPath(id));
  }
}
