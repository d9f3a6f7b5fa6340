// One build stage, step by step as the classic builder does it: each instruction
// makes an image (config-only steps share their parent's layers), a step is looked up
// in the cache by content first, RUN runs a container and commits its changes.
import { createHash } from "node:crypto";
import { lstatSync, writeFileSync } from "node:fs";
import { posix } from "node:path";
import { stepKey } from "./cache.ts";
import type { Instruction, Stage } from "./dockerfile/instructions.ts";
import { parseNode } from "./dockerfile/instructions.ts";
import { parseDockerfile } from "./dockerfile/parser.ts";
import { processWord, type Env } from "./dockerfile/lex.ts";
import { applyConfigStep, defaultPath, defaultShell, emptyConfig, envMap, normalizeConfig } from "./config-steps.ts";
import { copyInto, matchSources, mkdirs, resolveOwner, sourcesDigest, writeContent, type CopyPlan } from "./copy.ts";
import { runStep } from "./run-step.ts";
import { cleanRel, resolveInRoot } from "./scope.ts";
import type { StageDeps, StageState, StepExtra, StepRunner } from "./stage-types.ts";
import { BuildError, type BuildImage, type BuildImageConfig, type NewLayer, type RunConfig } from "./types.ts";

/** The image spec's ChainID of a list of diff ids. */
function chainOf(diffIds: string[]): string {
  let chain = "";
  for (const d of diffIds) chain = chain ? `sha256:${createHash("sha256").update(`${chain} ${d}`).digest("hex")}` : d;
  return chain;
}

const short = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);

export function pullDenied(name: string): BuildError {
  return new BuildError(`pull access denied for ${name.split(":")[0]}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
}

export class StageRunner implements StepRunner {
  private state!: StageState;

  constructor(
    private readonly stage: Stage,
    private readonly d: StageDeps,
  ) {}

  async run(extra: Instruction[]): Promise<BuildImage | null> {
    const d = this.d;
    const st = this.stage;
    d.write(`${d.stepLabel(st)} : ${st.original}`);
    d.write("\n");
    const base = processWord(st.base, d.metaArgs, d.escape).word;
    let image: BuildImage | null;
    if (base.toLowerCase() === "scratch") image = null;
    else {
      const fromStage = d.stageResult(base, st.index);
      if (fromStage) image = await fromStage;
      else {
        const platform = st.platform ?? d.opts.platform;
        if (platform) this.checkPlatform(processWord(platform, d.metaArgs, d.escape).word);
        image = await this.image(base, platform ? processWord(platform, d.metaArgs, d.escape).word : undefined);
      }
    }
    const cfg = image ? normalizeConfig(image.config.config) : emptyConfig();
    if (!cfg.Env.some((e) => e.startsWith("PATH="))) cfg.Env = [...cfg.Env, defaultPath];
    this.state = { image, config: cfg, args: new Map(), cmdSet: false };
    if (image) d.write(` ---> ${short(image.id)}\n`);
    const triggers = cfg.OnBuild ?? [];
    if (triggers.length) {
      d.write(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? "s" : ""}\n`);
      this.state.config = { ...this.state.config, OnBuild: null };
      for (const t of triggers) {
        const node = parseDockerfile(t).nodes[0];
        if (node) await this.dispatch(parseNode(node, d.escape), true);
      }
    }
    for (const ins of [...st.commands, ...extra]) {
      if (d.signal.aborted) throw new BuildError("build cancelled");
      d.write(`${d.stepLabel(ins)} : ${ins.original}`);
      d.write("\n");
      await this.dispatch(ins, false);
    }
    return this.state.image;
  }

  /**
   * An image a FROM or --from names, as the classic builder gets it: the local one unless
   * --pull, otherwise (or when there is none) pulled from its registry.
   */
  async image(ref: string, platform?: string): Promise<BuildImage> {
    const d = this.d;
    if (!d.opts.pull) {
      const local = d.host.findImage(ref);
      if (local) return local;
    }
    // Ids and digests of images that are not here cannot be pulled by a name.
    if (/^(sha256:)?[0-9a-f]{12,64}$/.test(ref)) throw pullDenied(ref);
    return d.host.pull(ref, { platform, registryConfig: d.opts.registryConfig }, d.progress, d.signal);
  }

  private checkPlatform(p: string): void {
    const want = `linux/${this.d.host.arch()}`;
    if (p && p !== want && !p.startsWith(`${want}/`)) throw new BuildError(`no match for platform in manifest: not found (wanted ${p}, this daemon builds ${want})`);
  }

  /** Variables for substitution: the stage's ARGs with values, overridden by ENV. */
  private env(): Map<string, string> {
    const args = new Map<string, string>();
    for (const [k, v] of this.state.args) if (v !== undefined) args.set(k, v);
    return envMap(this.state.config.Env, args);
  }

  private async dispatch(ins: Instruction, trigger: boolean): Promise<void> {
    const d = this.d;
    const s = this.state;
    const used = new Set<string>();
    switch (ins.kind) {
      case "ARG":
        return this.arg(ins.args);
      case "RUN":
        return runStep(this, ins, d);
      case "WORKDIR": {
        const wd = posix.resolve(s.config.WorkingDir || "/", processWord(ins.value, this.env(), d.escape).word);
        const config = { ...s.config, WorkingDir: wd };
        await this.nopStep([`#(nop) WORKDIR ${wd}`], config, async (root) => void mkdirs(root, wd, { uid: 0, gid: 0 }));
        return;
      }
      case "COPY":
      case "ADD":
        return this.copy(ins);
      default: {
        const r = applyConfigStep(ins, s.config, this.env(), d.escape, used, s.cmdSet);
        if (!r) throw new BuildError(`unsupported instruction ${ins.kind}`);
        if (ins.kind === "CMD") s.cmdSet = true;
        if (ins.kind === "MAINTAINER") s.author = ins.value;
        await this.nopStep(r.separate ? ["#(nop) ", r.comment] : [`#(nop) ${r.comment}`], r.config);
        void trigger;
      }
    }
  }

  private async arg(defs: { name: string; value?: string }[]): Promise<void> {
    const d = this.d;
    let comment = "ARG";
    for (const a of defs) {
      let value: string | undefined;
      const given = d.opts.buildArgs.get(a.name);
      if (d.opts.buildArgs.has(a.name) && given !== null) {
        value = given;
        d.usedBuildArgs.add(a.name);
      } else if (a.value !== undefined) value = processWord(a.value, this.env(), d.escape).word;
      else if (d.metaArgs.has(a.name)) value = d.metaArgs.get(a.name);
      this.state.args.set(a.name, value);
      comment += ` ${a.name}${a.value !== undefined ? `=${a.value}` : ""}`;
    }
    await this.nopStep(["#(nop) ", comment], this.state.config);
  }

  /** Build args in effect for RUN: declared, with a value, not shadowed by ENV; sorted as Docker prints them. */
  argsInEffect(): string[] {
    const envKeys = new Set(this.state.config.Env.map((e) => e.split("=")[0]));
    const out: string[] = [];
    for (const [k, v] of this.state.args) if (v !== undefined && !envKeys.has(k)) out.push(`${k}=${v}`);
    return out.sort();
  }

  get current(): StageState {
    return this.state;
  }

  substitution(): Env {
    return this.env();
  }

  /**
   * A step that only changes the config (or, for WORKDIR, makes a directory), as the
   * classic builder runs it: a container of the parent image with the `#(nop)` comment
   * as its command is created (never started) and committed, then removed.
   */
  private async nopStep(comment: string[], config: RunConfig, edit?: (root: string) => Promise<void>): Promise<void> {
    const d = this.d;
    const s = this.state;
    const cmd = [...(config.Shell ?? defaultShell), ...comment];
    const containerConfig: RunConfig = { ...config, Cmd: cmd };
    let id = "";
    await this.step(
      cmd.join(" "),
      config,
      [],
      async () => {
        if (!s.image) return edit ? d.host.editLayer(null, edit) : null;
        id = await d.host.createContainer(s.image, { ...containerConfig, Image: s.image.id });
        d.containers.add(id);
        d.write(` ---> Running in ${short(id)}\n`);
        return edit ? d.host.editContainer(id, s.image, edit) : null;
      },
      {
        containerConfig,
        get container() {
          return id;
        },
        after: async () => {
          if (id && (d.opts.rm || d.opts.forceRm)) await this.removeIntermediate(id);
        },
      },
    );
  }

  async removeIntermediate(id: string): Promise<void> {
    await this.d.host.removeContainer(id);
    this.d.containers.delete(id);
    this.d.write(`Removing intermediate container ${short(id)}\n`);
  }

  /**
   * A step: the cache is asked by content first; otherwise `make` produces the layer
   * (or none) and an image is stored for it.
   */
  async step(
    createdBy: string,
    config: RunConfig,
    inputs: string[],
    make: () => Promise<NewLayer | null>,
    extra?: StepExtra,
  ): Promise<void> {
    const d = this.d;
    const s = this.state;
    const parentId = s.image?.id ?? "scratch";
    const key = stepKey([parentId, createdBy, JSON.stringify(config), ...inputs]);
    if (!d.opts.noCache) {
      const hit = d.cache.get(key, (id) => !!d.host.findImage(id));
      if (hit) {
        d.write(" ---> Using cache\n");
        s.image = d.host.findImage(hit)!;
        s.config = normalizeConfig(s.image.config.config);
        d.write(` ---> ${short(hit)}\n`);
        return;
      }
      const from = this.fromCacheSources(createdBy);
      if (from !== undefined) {
        d.write(" ---> Using cache\n");
        s.image = await this.commit(config, createdBy, from, extra?.containerConfig);
        s.config = normalizeConfig(s.image.config.config);
        d.cache.put(key, s.image.id, parentId, createdBy);
        d.write(` ---> ${short(s.image.id)}\n`);
        return;
      }
    }
    const layer = await make();
    s.image = await this.commit(config, createdBy, layer, extra?.containerConfig, extra?.container);
    s.config = normalizeConfig(s.image.config.config);
    d.cache.put(key, s.image.id, parentId, createdBy);
    await extra?.after?.();
    d.write(` ---> ${short(s.image.id)}\n`);
  }

  /**
   * --cache-from: an image whose history and layers start as the current image's and whose
   * next history line is this step gives the step's layer (or none), as dockerd's
   * classic image cache restores it. Its layer is retained for the new image.
   */
  private fromCacheSources(createdBy: string): NewLayer | null | undefined {
    const p = this.state.image;
    const ph = p?.config.history ?? [];
    const pd = p?.config.rootfs?.diff_ids ?? [];
    for (const c of this.d.cacheFrom) {
      const ch = c.config.history ?? [];
      const cd = c.config.rootfs?.diff_ids ?? [];
      if (ch.length <= ph.length || cd.length < pd.length) continue;
      if (!ph.every((h, i) => h.created_by === ch[i]!.created_by && !!h.empty_layer === !!ch[i]!.empty_layer)) continue;
      if (!pd.every((x, i) => x === cd[i])) continue;
      const next = ch[ph.length]!;
      if (next.created_by !== createdBy) continue;
      if (next.empty_layer) return null;
      const diffId = cd[pd.length];
      if (!diffId) continue;
      const chainId = chainOf([...pd, diffId]);
      if (this.d.host.retainLayer(chainId)) return { diffId, chainId };
    }
    return undefined;
  }

  private async commit(cfg: RunConfig, createdBy: string, layer: NewLayer | null, containerConfig?: RunConfig, container?: string): Promise<BuildImage> {
    const parent = this.state.image;
    const pc = parent?.config;
    const created = new Date().toISOString();
    const image = parent?.id ?? "";
    const cc = containerConfig ?? { ...cfg, Cmd: [...(cfg.Shell ?? defaultShell), createdBy.replace(/^\/bin\/sh -c /, "")] };
    const config: BuildImageConfig = {
      architecture: pc?.architecture ?? this.d.host.arch(),
      ...(pc?.variant ? { variant: pc.variant } : {}),
      ...((this.state.author ?? pc?.author) ? { author: this.state.author ?? pc?.author } : {}),
      config: { ...cfg, Image: image },
      ...(container ? { container } : {}),
      container_config: { ...cc, Image: image },
      created,
      docker_version: this.d.host.version(),
      history: [...(pc?.history ?? []), { created, created_by: createdBy, ...(layer ? {} : { empty_layer: true }) }],
      os: "linux",
      rootfs: { type: "layers", diff_ids: [...(pc?.rootfs?.diff_ids ?? []), ...(layer ? [layer.diffId] : [])] },
    };
    return this.d.host.createImage(parent, config, layer);
  }

  private async copy(ins: Extract<Instruction, { kind: "COPY" | "ADD" }>): Promise<void> {
    const d = this.d;
    const s = this.state;
    const env = this.env();
    const x = (w: string) => processWord(w, env, d.escape).word;
    const srcs = ins.srcs.map(x);
    let dest = x(ins.dest);
    if (!dest.startsWith("/")) dest = (s.config.WorkingDir || "/").replace(/\/?$/, "/") + dest;
    const chown = ins.chown ? x(ins.chown) : undefined;
    const chmod = ins.chmod ? parseInt(ins.chmod, 8) : undefined;
    const base = { chmod, exclude: ins.exclude.map(x), parents: ins.parents, unpack: ins.kind === "ADD" };
    const urls = srcs.filter((u) => /^https?:\/\//.test(u));
    if (urls.length && ins.kind === "COPY") throw new BuildError("source can't be a URL for COPY");
    if (ins.checksum && urls.length !== srcs.length) throw new BuildError("checksum can't be specified for non-HTTP(S) sources");
    let fromImage: BuildImage | null | undefined;
    if (ins.from) {
      const from = x(ins.from);
      const st = d.stageResult(from, this.stage.index);
      fromImage = st ? await st : await this.image(from, d.opts.platform);
    }
    const doCopy = async (srcRoot: string, files?: CopyPlan["files"]) => {
      const local = srcs.filter((u) => !urls.includes(u));
      const plan = local.length ? matchSources(srcRoot, local, ins.kind, files) : { matched: [] };
      const digest = fromImage !== undefined ? `from:${fromImage?.id ?? "scratch"}:${sourcesDigest(srcRoot, plan)}` : sourcesDigest(srcRoot, plan);
      const contents = ins.contents.map((c) => ({ ...c, data: c.expand ? expandHeredoc(c.data, env) : c.data }));
      const downloads: Download[] = [];
      for (const u of urls) downloads.push(await download(u, ins.checksum));
      const inputs = [digest, chown ?? "", String(chmod ?? ""), base.exclude.join(","), String(base.parents), ...urls, ...downloads.map((x) => x.sum), ...contents.map((c) => c.name + "\0" + c.data)];
      const hash = digest.split(":").slice(-2).join(":");
      const what = contents.length && !plan.matched.length ? `file:${contents.length}` : hash;
      const createdBy = [...(s.config.Shell ?? defaultShell), `#(nop) ${ins.kind} ${what} in ${dest} `].join(" ");
      await this.step(createdBy, s.config, inputs, async () =>
        d.host.editLayer(s.image, async (root) => {
          const owner = resolveOwner(root, chown);
          const o = { ...base, owner };
          if (plan.matched.length) await copyInto(srcRoot, plan, root, dest, o);
          for (const c of contents) writeContent(root, dest, c.name, c.data, o);
          for (const dl of downloads) writeDownload(root, dest, dl, o.owner);
        }),
      );
    };
    if (fromImage !== undefined) await d.host.withImageRoot(fromImage, (root) => doCopy(root));
    else await doCopy(d.ctx.root, d.ctx.files);
  }
}

function expandHeredoc(text: string, env: Env): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, b: string | undefined) => env.get((a ?? b)!) ?? "");
}

/** ADD <url>: fetched by the daemon (mode 0600, as Docker's), checked against --checksum when given. */
interface Download {
  name: string;
  data: Uint8Array;
  sum: string;
}

/** ADD <url>: fetched by the daemon on every build (its content is the cache key), checked against --checksum when given. */
async function download(url: string, checksum?: string): Promise<Download> {
  const res = await fetch(url);
  if (!res.ok) throw new BuildError(`failed to GET ${url} with status ${res.status} ${res.statusText}`);
  const data = new Uint8Array(await res.arrayBuffer());
  const sum = `sha256:${createHash("sha256").update(data).digest("hex")}`;
  if (checksum && sum !== checksum) throw new BuildError(`digest mismatch ${sum}: ${checksum}`);
  return { name: decodeURIComponent(new URL(url).pathname.split("/").pop() || "index.html"), data, sum };
}

/** A downloaded file lands with mode 0600, as Docker's ADD writes it. */
function writeDownload(root: string, dest: string, dl: Download, owner: { uid: number; gid: number }): void {
  writeContent(root, dest, dl.name, "", { owner, exclude: [], parents: false, unpack: false, chmod: 0o600 });
  const target = dest.endsWith("/") || isDirIn(root, dest) ? `${dest.replace(/\/?$/, "/")}${dl.name}` : dest;
  writeFileSync(`${root}/${resolveInRoot(root, cleanRel(target))}`, dl.data);
}

function isDirIn(root: string, dest: string): boolean {
  const real = resolveInRoot(root, cleanRel(dest));
  return !!lstatSync(real ? `${root}/${real}` : root, { throwIfNoEntry: false })?.isDirectory();
}
