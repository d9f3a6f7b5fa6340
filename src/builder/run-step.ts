// RUN: a container of the step's image runs the command (with the build args in
// effect in its environment, the build's network and resource settings and the
// step's --mounts); its changes are committed as the step's layer.
import { chownSync, existsSync, mkdirSync, chmodSync, lstatSync } from "node:fs";
import { createHash } from "node:crypto";
import type { Instruction } from "./dockerfile/instructions.ts";
import type { RunMount } from "./dockerfile/mounts.ts";
import { defaultShell, predefinedArgs } from "./config-steps.ts";
import { matchSources, sourcesDigest } from "./copy.ts";
import { resolveInRoot, cleanRel } from "./scope.ts";
import type { StageDeps, StepRunner } from "./stage-types.ts";
import { unshare } from "./blobs.ts";
import { BuildError, type BuildImage, type RunSpec } from "./types.ts";

type Run = Extract<Instruction, { kind: "RUN" }>;

const short = (id: string) => id.slice(0, 12);

/** The argv of a RUN: shell form through the stage's SHELL; a lone heredoc is the script. */
export function runArgv(ins: Run, shell: string[]): string[] {
  if (!ins.shellForm) return ins.cmd;
  const line = ins.cmd[0] ?? "";
  if (ins.heredocs.length === 1 && /^<<-?\s*["']?[A-Za-z_][A-Za-z0-9_.-]*["']?$/.test(line.trim())) {
    const h = ins.heredocs[0]!;
    return [...shell, h.content];
  }
  let script = line;
  for (const h of ins.heredocs) script += `\n${h.content}${h.name}`;
  return [...shell, script];
}

export async function runStep(runner: StepRunner, ins: Run, d: StageDeps): Promise<void> {
  const s = runner.current;
  const cmd = runArgv(ins, s.config.Shell ?? defaultShell);
  const args = runner.argsInEffect();
  const createdBy = (args.length ? `|${args.length} ${args.join(" ")} ` : "") + cmd.join(" ");
  const network = ins.network ?? d.opts.networkMode;
  const mountKeys: string[] = [];
  const fromImages: (BuildImage | null)[] = [];
  for (const m of ins.mounts) {
    let src = "";
    if (m.type === "bind") {
      if (m.from) {
        const st = d.stageResult(m.from, -1);
        const img = st ? await st : await runner.image(m.from, d.opts.platform);
        fromImages.push(img);
        src = `image:${img?.id ?? "scratch"}`;
      } else {
        src = sourcesDigest(d.ctx.root, matchSources(d.ctx.root, [m.source ?? "."], "RUN --mount", d.ctx.files));
      }
    }
    mountKeys.push(JSON.stringify({ ...m, src }));
  }
  const config = s.config;
  const inputs = [network, ...mountKeys];
  // Proxy variables given as build args reach RUN without an ARG, as Docker passes them.
  const declared = new Set(args.map((a) => a.split("=")[0]));
  const proxies = [...d.opts.buildArgs].filter(([k, v]) => predefinedArgs.has(k) && v !== null && !declared.has(k)).map(([k, v]) => `${k}=${v}`);
  const runConfig = { ...config, Cmd: cmd, Entrypoint: null, Env: [...config.Env, ...args, ...proxies], Image: s.image?.id ?? "" };
  let containerId = "";
  await runner.step(
    createdBy,
    config,
    inputs,
    async () => {
      const roots: string[] = [];
      const withRoots = async (i: number): Promise<string> => {
        if (i >= fromImages.length) return execute(roots);
        return d.host.withImageRoot(fromImages[i]!, async (root) => {
          roots.push(root);
          return withRoots(i + 1);
        });
      };
      const execute = async (fromRoots: string[]): Promise<string> => {
        const spec = runSpec(d, runConfig, s.image, network, ins.mounts, fromRoots);
        const r = await d.host.run(spec, {
          started: (id) => {
            containerId = id;
            d.containers.add(id);
            d.write(` ---> Running in ${short(id)}\n`);
          },
          out: (text) => d.write(text),
          signal: d.signal,
        });
        if (r.exitCode !== 0) {
          // Killed because the build was stopped (another stage failed, or the client left).
          if (d.signal.aborted) {
            await d.host.removeContainer(r.id).catch(() => {});
            d.containers.delete(r.id);
            throw new BuildError("build cancelled");
          }
          if (r.startError !== undefined) {
            // Nothing ran in it: it is no intermediate to keep for debugging.
            await d.host.removeContainer(r.id).catch(() => {});
            d.containers.delete(r.id);
            throw new BuildError(r.startError, r.exitCode);
          }
          if (d.opts.forceRm) await runner.removeIntermediate(r.id);
          throw new BuildError(`The command '${cmd.join(" ")}' returned a non-zero code: ${r.exitCode}`, r.exitCode);
        }
        return r.id;
      };
      const id = await withRoots(0);
      return d.host.commitContainer(id, s.image);
    },
    {
      containerConfig: { ...runConfig, Cmd: args.length ? [`|${args.length}`, ...args, ...cmd] : cmd, Env: config.Env, Entrypoint: config.Entrypoint },
      get container() {
        return containerId;
      },
      after: async () => {
        if (d.opts.rm || d.opts.forceRm) await runner.removeIntermediate(containerId);
      },
    },
  );
}

function runSpec(d: StageDeps, config: RunSpec["config"], image: BuildImage | null, network: string, mounts: RunMount[], fromRoots: string[]): RunSpec {
  const binds: string[] = [];
  const tmpfs: Record<string, string> = {};
  let fi = 0;
  for (const m of mounts) {
    if (m.type === "tmpfs") {
      tmpfs[m.target] = m.size ? `size=${m.size}` : "";
    } else if (m.type === "cache") {
      const id = m.id ?? m.target;
      const dir = d.host.cacheMountDir(createHash("sha256").update(id).digest("hex").slice(0, 32));
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        chmodSync(dir, m.mode ?? 0o755);
        chownSync(dir, m.uid ?? 0, m.gid ?? 0);
      }
      binds.push(`${dir}:${m.target}${m.readonly ? ":ro" : ""}`);
    } else {
      const root = m.from ? fromRoots[fi++]! : d.ctx.root;
      const rel = resolveInRoot(root, cleanRel(m.source ?? "."));
      const path = rel ? `${root}/${rel}` : root;
      if (!lstatSync(path, { throwIfNoEntry: false })) throw new BuildError(`failed to compute cache key: "/${rel}" not found`);
      // A bind is read only unless rw is asked for; the context is private to this build,
      // but its files may share inodes with the store of context files: those get copies.
      if (!m.readonly && !m.from) unshare(path);
      binds.push(`${path}:${m.target}${m.readonly ? ":ro" : ""}`);
    }
  }
  const o = d.opts;
  return {
    image,
    config,
    networkMode: network === "default" ? o.networkMode : network,
    binds,
    tmpfs,
    extraHosts: o.extraHosts,
    shmSize: o.shmSize,
    memory: o.memory,
    memorySwap: o.memorySwap,
    cpuShares: o.cpuShares,
    cpusetCpus: o.cpusetCpus,
    ulimits: o.ulimits,
  };
}
