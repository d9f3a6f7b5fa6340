// Typed instructions from the parser's nodes, and the stages they make. Values are kept
// as written (quotes and `$VAR` intact): expansion happens when a step runs, with the
// stage's ENV and ARGs of that moment.
import { parseGoDuration } from "../../time.ts";
import { Flags, FlagError } from "./flags.ts";
import { parseMount, type RunMount } from "./mounts.ts";
import { DockerfileError, heredocName, jsonArgs, parseDockerfile, splitWords, type Heredoc, type Node } from "./parser.ts";

interface Base {
  line: number;
  original: string;
}

export interface ArgDef {
  name: string;
  /** Unexpanded default, if any. */
  value?: string;
}

export interface HeredocSource {
  name: string;
  data: string;
  expand: boolean;
}

export interface HealthSpec {
  /** ["NONE"], ["CMD", …] or ["CMD-SHELL", cmd]. */
  test: string[];
  intervalNs?: number;
  timeoutNs?: number;
  startPeriodNs?: number;
  startIntervalNs?: number;
  retries?: number;
}

export type Instruction =
  | (Base & { kind: "RUN"; cmd: string[]; shellForm: boolean; heredocs: Heredoc[]; mounts: RunMount[]; network?: string })
  | (Base & { kind: "CMD" | "ENTRYPOINT"; cmd: string[]; shellForm: boolean; heredocs: Heredoc[] })
  | (Base & { kind: "ENV" | "LABEL"; pairs: [string, string][] })
  | (Base & { kind: "ARG"; args: ArgDef[] })
  | (Base & { kind: "EXPOSE"; ports: string[] })
  | (Base & { kind: "VOLUME"; paths: string[] })
  | (Base & { kind: "USER" | "WORKDIR" | "STOPSIGNAL" | "MAINTAINER"; value: string })
  | (Base & { kind: "SHELL"; shell: string[] })
  | (Base & { kind: "HEALTHCHECK"; health: HealthSpec })
  | (Base & { kind: "ONBUILD"; expression: string })
  | (Base & {
      kind: "COPY" | "ADD";
      srcs: string[];
      contents: HeredocSource[];
      dest: string;
      from?: string;
      chown?: string;
      chmod?: string;
      link: boolean;
      exclude: string[];
      parents: boolean;
      checksum?: string;
      keepGitDir: boolean;
    });

export interface Stage {
  index: number;
  /** Lower-case `AS` name. */
  name?: string;
  base: string;
  platform?: string;
  line: number;
  original: string;
  commands: Instruction[];
}

export interface Dockerfile {
  metaArgs: ArgDef[];
  stages: Stage[];
  escape: string;
  syntax?: string;
  warnings: string[];
}

const validStageName = /^[a-z][a-z0-9-_.]*$/;

/** Parses a whole Dockerfile; errors are DockerfileError naming the line as Docker does. */
export function parseInstructions(text: string): Dockerfile {
  const file = parseDockerfile(text);
  const stages: Stage[] = [];
  const metaArgs: ArgDef[] = [];
  for (const n of file.nodes) {
    if (n.keyword === "FROM") {
      stages.push(parseFrom(n, stages.length, file.escape));
      continue;
    }
    const ins = parseNode(n, file.escape);
    if (!stages.length) {
      if (ins.kind === "ARG") {
        metaArgs.push(...ins.args);
        continue;
      }
      throw new DockerfileError(n.startLine, "no build stage in current context");
    }
    stages[stages.length - 1]!.commands.push(ins);
  }
  if (!file.nodes.length) throw new DockerfileError(1, "file with no instructions");
  return { metaArgs, stages, escape: file.escape, syntax: file.syntax, warnings: file.warnings };
}

function parseFrom(n: Node, index: number, escape: string): Stage {
  const f = wrap(n, () => new Flags(n.flags).string("platform").parse());
  const args = splitWords(n.rest, escape);
  let name: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === "as") {
    name = args[2]!.toLowerCase();
    if (!validStageName.test(name)) {
      throw new DockerfileError(n.startLine, `invalid name for build stage: "${args[2]}", name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) throw new DockerfileError(n.startLine, "FROM requires either one or three arguments");
  return { index, name, base: args[0]!, platform: f.get("platform"), line: n.startLine, original: n.original, commands: [] };
}

/** One instruction (also the trigger of an ONBUILD, parsed when it fires). */
export function parseNode(n: Node, escape: string): Instruction {
  return wrap(n, () => parseKnown(n, escape));
}

function wrap<T>(n: Node, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FlagError) throw new DockerfileError(n.startLine, err.message);
    throw err;
  }
}

function parseKnown(n: Node, escape: string): Instruction {
  const base = { line: n.startLine, original: n.original };
  const fail = (msg: string): never => {
    throw new DockerfileError(n.startLine, msg);
  };
  const noFlags = () => new Flags(n.flags).parse();
  const kw = n.keyword;
  switch (kw) {
    case "RUN": {
      const f = new Flags(n.flags).list("mount").string("network").string("security").parse();
      const net = f.get("network");
      if (net !== undefined && !["default", "none", "host"].includes(net)) fail(`unsupported network mode "${net}"`);
      const mounts = f.all("mount").map(parseMount);
      const cmd = commandLine(n);
      if (!cmd.cmd.length && !n.heredocs.length) fail("RUN requires at least one argument");
      return { kind: "RUN", ...base, ...cmd, heredocs: n.heredocs, mounts, network: net };
    }
    case "CMD":
    case "ENTRYPOINT":
      noFlags();
      return { kind: kw, ...base, ...commandLine(n), heredocs: n.heredocs };
    case "ENV":
    case "LABEL":
      noFlags();
      return { kind: kw, ...base, pairs: nameValues(n.rest, kw, escape, fail) };
    case "ARG": {
      noFlags();
      const words = splitWords(n.rest, escape);
      if (!words.length) fail("ARG requires at least one argument");
      return {
        kind: "ARG",
        ...base,
        args: words.map((w) => {
          const eq = w.indexOf("=");
          const name = eq < 0 ? w : w.slice(0, eq);
          if (!name) fail("ARG names can not be blank");
          return eq < 0 ? { name } : { name, value: w.slice(eq + 1) };
        }),
      };
    }
    case "EXPOSE": {
      noFlags();
      const ports = splitWords(n.rest, escape);
      if (!ports.length) fail("EXPOSE requires at least one argument");
      return { kind: "EXPOSE", ...base, ports };
    }
    case "VOLUME": {
      noFlags();
      const paths = jsonArgs(n.rest) ?? splitWords(n.rest, escape);
      if (!paths.length) fail("VOLUME requires at least one argument");
      if (paths.some((p) => p.trim() === "")) fail("VOLUME specified can not be an empty string");
      return { kind: "VOLUME", ...base, paths };
    }
    case "USER":
    case "WORKDIR":
    case "STOPSIGNAL":
    case "MAINTAINER": {
      noFlags();
      const value = n.rest.trim();
      if (!value) fail(`${kw} requires exactly one argument`);
      return { kind: kw, ...base, value };
    }
    case "SHELL": {
      noFlags();
      const shell = jsonArgs(n.rest);
      if (!shell) fail("SHELL requires the arguments to be in JSON form");
      if (!shell!.length) fail("SHELL requires at least one argument");
      return { kind: "SHELL", ...base, shell: shell! };
    }
    case "HEALTHCHECK":
      return { kind: "HEALTHCHECK", ...base, health: healthcheck(n, fail) };
    case "ONBUILD": {
      const expr = n.rest.trim();
      if (!expr) fail("ONBUILD requires at least one argument");
      const trigger = expr.split(/\s+/)[0]!.toUpperCase();
      if (trigger === "ONBUILD") fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === "MAINTAINER" || trigger === "FROM") fail(`${trigger} isn't allowed as an ONBUILD trigger`);
      if (!knownKeywords.has(trigger)) fail(`unknown instruction: ${trigger}`);
      return { kind: "ONBUILD", ...base, expression: expr };
    }
    case "COPY":
    case "ADD":
      return copyLike(n, kw, escape, base, fail);
    default:
      return fail(`unknown instruction: ${kw}`);
  }
}

const knownKeywords = new Set([
  "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
  "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
]);

function commandLine(n: Node): { cmd: string[]; shellForm: boolean } {
  const j = jsonArgs(n.rest);
  if (j) return { cmd: j, shellForm: false };
  const rest = n.rest.trim();
  return { cmd: rest ? [rest] : [], shellForm: true };
}

/** ENV/LABEL: `k=v k2="v 2"` or the old `k v with spaces` form. */
function nameValues(rest: string, kw: string, escape: string, fail: (m: string) => never): [string, string][] {
  const words = splitWords(rest, escape);
  if (!words.length) fail(`${kw} requires at least one argument`);
  if (!words[0]!.includes("=")) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(rest.trim());
    if (!m || !m[2]!.trim()) fail(`${kw} must have two arguments`);
    return [[m![1]!, m![2]!.trim()]];
  }
  return words.map((w) => {
    const eq = w.indexOf("=");
    if (eq < 0) fail(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    if (eq === 0) fail(`${kw} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)] as [string, string];
  });
}

function healthcheck(n: Node, fail: (m: string) => never): HealthSpec {
  const rest = n.rest.trim();
  if (!rest) fail("HEALTHCHECK requires at least one argument");
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest)!;
  const typ = m[1]!.toUpperCase();
  if (typ === "NONE") {
    if (m[2]!.trim()) fail("HEALTHCHECK NONE takes no arguments");
    noExtraFlags(n);
    return { test: ["NONE"] };
  }
  const f = new Flags(n.flags).string("interval").string("timeout").string("start-period").string("start-interval").string("retries").parse();
  if (typ !== "CMD") fail(`Unknown type "${typ}" in HEALTHCHECK (try CMD)`);
  const j = jsonArgs(m[2]!);
  const cmd = j ?? (m[2]!.trim() ? [m[2]!.trim()] : []);
  if (!cmd.length) fail("Missing command after HEALTHCHECK CMD");
  const dur = (name: string): number | undefined => {
    const v = f.get(name);
    if (v === undefined || v === "") return undefined;
    const ns = parseGoDuration(v);
    if (ns === undefined) fail(`time: invalid duration "${v}"`);
    if (ns !== 0 && ns! < 1e6) fail(`Interval "${name}" cannot be less than 1ms`);
    return ns;
  };
  let retries: number | undefined;
  const r = f.get("retries");
  if (r !== undefined) {
    retries = Number(r);
    if (!Number.isInteger(retries)) fail(`strconv.ParseInt: parsing "${r}": invalid syntax`);
    if (retries < 0) fail(`--retries cannot be negative (${retries})`);
  }
  return {
    test: [j ? "CMD" : "CMD-SHELL", ...cmd],
    intervalNs: dur("interval"),
    timeoutNs: dur("timeout"),
    startPeriodNs: dur("start-period"),
    startIntervalNs: dur("start-interval"),
    retries,
  };
}

function noExtraFlags(n: Node): void {
  new Flags(n.flags).parse();
}

function copyLike(n: Node, kw: "COPY" | "ADD", escape: string, base: Base, fail: (m: string) => never): Instruction {
  const f = new Flags(n.flags).string("chown").string("chmod").bool("link").list("exclude");
  if (kw === "COPY") f.string("from").bool("parents");
  else f.string("checksum").bool("keep-git-dir");
  f.parse();
  const args = jsonArgs(n.rest) ?? splitWords(n.rest, escape);
  if (args.length < 2) fail(`${kw} requires at least two arguments, but only one was provided. Destination could not be determined.`);
  const dest = args[args.length - 1]!;
  if (heredocName(dest)) fail(`${kw} cannot accept a heredoc as a destination`);
  const byName = new Map(n.heredocs.map((h) => [h.name, h]));
  const srcs: string[] = [];
  const contents: HeredocSource[] = [];
  for (const s of args.slice(0, -1)) {
    const hd = heredocName(s);
    const h = hd ? byName.get(hd) : undefined;
    if (h) contents.push({ name: h.name, data: h.content, expand: h.expand });
    else srcs.push(s);
  }
  const chmod = f.get("chmod");
  if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod)) fail(`invalid chmod parameter: ${chmod}`);
  return {
    kind: kw,
    ...base,
    srcs,
    contents,
    dest,
    from: f.get("from"),
    chown: f.get("chown"),
    chmod,
    link: f.is("link"),
    exclude: f.all("exclude"),
    parents: f.is("parents"),
    checksum: f.get("checksum"),
    keepGitDir: f.is("keep-git-dir"),
  };
}
