// A whole build: the stages the target needs (and only those), each started as soon as
// the stages it reads from are done, so independent stages run at the same time. Each
// stage's lines are written in stage order (a later stage's output waits in a buffer
// until the earlier ones finish), so the stream reads as the classic builder's.
import type { BuildCache } from "./cache.ts";
import type { BuildContext } from "./context.ts";
import { parseNode, type Dockerfile, type Instruction, type Stage } from "./dockerfile/instructions.ts";
import { parseDockerfile } from "./dockerfile/parser.ts";
import { processWord } from "./dockerfile/lex.ts";
import { StageRunner } from "./stage.ts";
import { predefinedArgs } from "./config-steps.ts";
import { BuildError, type BuildHost, type BuildImage, type BuildOptions, type BuildOutput, type PullProgress } from "./types.ts";

const platformArgs = (arch: string): [string, string][] => [
  ["TARGETPLATFORM", `linux/${arch}`], ["TARGETOS", "linux"], ["TARGETARCH", arch], ["TARGETVARIANT", ""],
  ["BUILDPLATFORM", `linux/${arch}`], ["BUILDOS", "linux"], ["BUILDARCH", arch], ["BUILDVARIANT", ""],
];


export interface BuildResult {
  imageId: string;
  tags: string[];
}

/** The stages a build of `target` reads, by index. */
export function neededStages(df: Dockerfile, target?: string): number[] {
  let last = df.stages.length - 1;
  if (target) {
    last = df.stages.findIndex((s) => s.name === target.toLowerCase());
    if (last < 0) throw new BuildError(`failed to reach build target ${target} in Dockerfile`);
  }
  const need = new Set<number>();
  const visit = (i: number) => {
    if (need.has(i)) return;
    need.add(i);
    for (const dep of stageDeps(df, i)) visit(dep);
  };
  visit(last);
  return [...need].sort((a, b) => a - b);
}

function stageIndex(df: Dockerfile, ref: string, before: number): number | undefined {
  const lower = ref.toLowerCase();
  const byName = df.stages.findIndex((s) => s.name === lower);
  if (byName >= 0 && (before < 0 || byName < before)) return byName;
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    if (n < df.stages.length && (before < 0 || n < before)) return n;
  }
  return undefined;
}

function stageDeps(df: Dockerfile, i: number): number[] {
  const st = df.stages[i]!;
  const meta = new Map(df.metaArgs.filter((a) => a.value !== undefined).map((a) => [a.name, a.value!]));
  const refs = [processWord(st.base, meta, df.escape).word];
  for (const c of st.commands) {
    if ((c.kind === "COPY" || c.kind === "ADD") && c.from) refs.push(c.from);
    if (c.kind === "RUN") for (const m of c.mounts) if (m.from) refs.push(m.from);
  }
  const out: number[] = [];
  for (const r of refs) {
    const n = stageIndex(df, r, i);
    if (n !== undefined) out.push(n);
  }
  return out;
}

export async function runBuild(
  df: Dockerfile,
  ctx: BuildContext,
  opts: BuildOptions,
  host: BuildHost,
  cache: BuildCache,
  out: BuildOutput,
  signal: AbortSignal,
  containers: Set<string>,
): Promise<BuildResult> {
  const order = neededStages(df, opts.target);
  const lastIdx = order[order.length - 1]!;
  const extra: Instruction[] = [];
  const labels = Object.entries(opts.labels);
  if (labels.length) {
    // Docker's classic builder appends --label as one more LABEL step of the last stage.
    const line = "LABEL " + labels.map(([k, v]) => `${JSON.stringify(k)}='${v.replaceAll("'", "")}'`).join(" ");
    extra.push(parseNode(parseDockerfile(line).nodes[0]!, df.escape));
  }
  // Step numbers across every stage built, FROM included.
  const labelsOf = new Map<object, string>();
  const total = order.reduce((n, i) => n + 1 + df.stages[i]!.commands.length, 0) + extra.length;
  let n = 0;
  for (const i of order) {
    const st = df.stages[i]!;
    labelsOf.set(st, `Step ${++n}/${total}`);
    for (const c of st.commands) labelsOf.set(c, `Step ${++n}/${total}`);
  }
  for (const c of extra) labelsOf.set(c, `Step ${++n}/${total}`);

  const metaArgs = new Map<string, string>(platformArgs(host.arch()));
  const usedBuildArgs = new Set<string>();
  for (const a of df.metaArgs) {
    if (opts.buildArgs.has(a.name) && opts.buildArgs.get(a.name) !== null) {
      metaArgs.set(a.name, opts.buildArgs.get(a.name)!);
      usedBuildArgs.add(a.name);
    } else if (a.value !== undefined) metaArgs.set(a.name, processWord(a.value, metaArgs, df.escape).word);
  }

  // Output in stage order: the first unfinished stage writes through, the rest buffer
  // (text, and the progress lines of their pulls, in the order they came).
  const buffers = new Map<number, (string | PullProgress)[]>(order.map((i) => [i, []]));
  const finished = new Set<number>();
  let head = 0;
  const emit = (items: (string | PullProgress)[]) => {
    let text = "";
    for (const it of items) {
      if (typeof it === "string") text += it;
      else {
        if (text) out.stream(text);
        text = "";
        out.progress(it);
      }
    }
    if (text) out.stream(text);
  };
  const flush = () => {
    while (head < order.length) {
      const idx = order[head]!;
      const buf = buffers.get(idx)!;
      if (buf.length) emit(buf.splice(0));
      if (!finished.has(idx)) return;
      head++;
    }
  };
  const writer = (idx: number) => (item: string | PullProgress) => {
    if (opts.quiet) return;
    buffers.get(idx)!.push(item);
    if (order[head] === idx) flush();
  };
  const cacheFrom = opts.cacheFrom.map((r) => host.findImage(r)).filter((i): i is BuildImage => !!i);
  const results = new Map<number, Promise<BuildImage | null>>();
  let firstError: unknown;
  const inner = new AbortController();
  const onAbort = () => inner.abort();
  signal.addEventListener("abort", onAbort);
  const start = (i: number): Promise<BuildImage | null> => {
    let p = results.get(i);
    if (p) return p;
    const st: Stage = df.stages[i]!;
    const runner = new StageRunner(st, {
      host, cache, opts, ctx, escape: df.escape, signal: inner.signal, metaArgs, usedBuildArgs, containers, cacheFrom,
      stageResult: (ref, before) => {
        const k = stageIndex(df, ref, before < 0 ? i : before);
        return k === undefined ? undefined : start(k);
      },
      stepLabel: (ins) => labelsOf.get(ins) ?? "",
      write: writer(i),
      progress: writer(i),
    });
    p = runner.run(i === lastIdx ? extra : []).finally(() => {
      finished.add(i);
      flush();
    });
    p.catch((err) => {
      // The failure that came first is the build's; the stages it stopped only follow.
      firstError ??= err;
      inner.abort();
    });
    results.set(i, p);
    return p;
  };
  try {
    // Every needed stage starts now; a stage that reads another waits on it inside.
    for (const i of order) void start(i).catch(() => {});
    await Promise.allSettled(order.map((i) => start(i)));
    if (firstError !== undefined) throw firstError;
    const final = await start(lastIdx);
    if (!final) throw new BuildError("No image was generated. Is your Dockerfile empty?");
    const unused = [...opts.buildArgs.keys()].filter((k) => !usedBuildArgs.has(k) && !predefinedArgs.has(k) && !metaArgs.has(k)).sort();
    if (unused.length) out.stream(`[Warning] One or more build-args [${unused.join(" ")}] were not consumed\n`);
    out.aux({ ID: final.id });
    if (opts.quiet) out.stream(`${final.id}\n`);
    else out.stream(`Successfully built ${final.id.replace(/^sha256:/, "").slice(0, 12)}\n`);
    const tags: string[] = [];
    for (const t of opts.tags) {
      const name = await host.tag(t, final.id);
      tags.push(name);
      if (!opts.quiet) out.stream(`Successfully tagged ${name}\n`);
    }
    return { imageId: final.id, tags };
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
