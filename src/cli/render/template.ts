// The subset of Go's text/template that `--format` users write against docker:
// fields and chains (`.State.ExitCode`), variables (`$`, `$k`), pipelines (`| json`),
// parenthesised expressions, if/else if/else, range (with `$k, $v :=`), with, and
// the functions docker's CLI adds (json, join, split, lower, upper, title, pad,
// truncate, println) next to Go's builtins (index, len, printf, print, eq, ne, lt,
// le, gt, ge, and, or, not).

type Node =
  | { t: "text"; s: string }
  | { t: "action"; p: Pipeline }
  | { t: "if"; branches: { cond: Pipeline; body: Node[] }[]; els: Node[] }
  | { t: "range"; vars: string[]; p: Pipeline; body: Node[]; els: Node[] }
  | { t: "with"; p: Pipeline; body: Node[]; els: Node[] };

type Pipeline = { decl: string[]; cmds: Cmd[] };
type Cmd = Arg[];
type Arg =
  | { t: "field"; base: Arg | null; chain: string[] }
  | { t: "var"; name: string; chain: string[] }
  | { t: "ident"; name: string }
  | { t: "lit"; v: unknown }
  | { t: "paren"; p: Pipeline; chain: string[] };

export class TemplateError extends Error {
  constructor(msg: string) {
    super(`template: ${msg}`);
    this.name = "TemplateError";
  }
}

// ---- lexing: split text and {{actions}}, honouring {{- and -}} trimming ----

function splitActions(src: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src.startsWith("- ", start) || src.startsWith("-\t", start) || src.startsWith("-\n", start)) {
      text = text.replace(/\s+$/, "");
      start += 1;
    }
    if (text) out.push({ text });
    const close = findClose(src, start);
    let end = close;
    let trimAfter = false;
    if (/\s-$/.test(src.slice(start, close))) {
      end = close - 1;
      trimAfter = true;
    }
    out.push({ action: src.slice(start, end).trim() });
    i = close + 2;
    if (trimAfter) while (i < src.length && /\s/.test(src[i]!)) i++;
  }
  return out;
}

function findClose(src: string, from: number): number {
  let inStr: string | null = null;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (inStr) {
      if (c === "\\" && inStr === '"') i++;
      else if (c === inStr) inStr = null;
    } else if (c === '"' || c === "`") inStr = c;
    else if (c === "}" && src[i + 1] === "}") return i;
  }
  throw new TemplateError("unclosed action");
}

function tokenize(s: string): string[] {
  const toks: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)*'|:=|\(|\)|\||,|[^\s()|,]+)/y;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s))) {
    toks.push(m[1]!);
    end = re.lastIndex;
  }
  if (s.slice(end).trim()) throw new TemplateError(`cannot parse ${JSON.stringify(s.slice(end).trim())}`);
  return toks;
}

// ---- parsing ----

function parsePipeline(toks: string[], pos = { i: 0 }, stop?: string): Pipeline {
  const decl: string[] = [];
  // `$v := ...` or `$k, $v := ...`
  let j = pos.i;
  const vars: string[] = [];
  while (toks[j]?.startsWith("$")) {
    vars.push(toks[j]!);
    if (toks[j + 1] === ",") j += 2;
    else break;
  }
  if (vars.length && toks[j + 1] === ":=") {
    decl.push(...vars);
    pos.i = j + 2;
  }
  const cmds: Cmd[] = [[]];
  while (pos.i < toks.length && toks[pos.i] !== stop) {
    const tok = toks[pos.i]!;
    if (tok === "|") {
      cmds.push([]);
      pos.i++;
      continue;
    }
    cmds[cmds.length - 1]!.push(parseArg(toks, pos));
  }
  if (cmds.some((c) => c.length === 0)) throw new TemplateError("missing value in pipeline");
  return { decl, cmds };
}

function parseArg(toks: string[], pos: { i: number }): Arg {
  const tok = toks[pos.i++]!;
  if (tok === "(") {
    const p = parsePipeline(toks, pos, ")");
    if (toks[pos.i++] !== ")") throw new TemplateError("unclosed (");
    return { t: "paren", p, chain: takeChain(toks, pos) };
  }
  if (tok.startsWith('"')) return { t: "lit", v: JSON.parse(tok) };
  if (tok.startsWith("`")) return { t: "lit", v: tok.slice(1, -1) };
  if (tok.startsWith("'")) return { t: "lit", v: tok.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(tok)) return { t: "lit", v: Number(tok) };
  if (tok === "true" || tok === "false") return { t: "lit", v: tok === "true" };
  if (tok === "nil") return { t: "lit", v: null };
  if (tok === ".") return { t: "field", base: null, chain: [] };
  if (tok.startsWith(".")) return { t: "field", base: null, chain: tok.slice(1).split(".") };
  if (tok.startsWith("$")) {
    const [name, ...chain] = tok.split(".");
    return { t: "var", name: name!, chain };
  }
  if (/^[A-Za-z_]\w*$/.test(tok)) return { t: "ident", name: tok };
  throw new TemplateError(`unexpected ${JSON.stringify(tok)}`);
}

function takeChain(toks: string[], pos: { i: number }): string[] {
  const t = toks[pos.i];
  if (t && t.startsWith(".") && t.length > 1) {
    pos.i++;
    return t.slice(1).split(".");
  }
  return [];
}

function parse(src: string): Node[] {
  const parts = splitActions(src);
  let k = 0;
  const block = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (k < parts.length) {
      const part = parts[k++]!;
      if ("text" in part) {
        nodes.push({ t: "text", s: part.text });
        continue;
      }
      const a = part.action;
      if (a.startsWith("/*")) continue;
      const word = a.split(/\s+/)[0]!;
      if (terminators.includes(word) || (word === "else" && terminators.includes("else"))) return { nodes, end: a };
      if (word === "if") {
        const branches = [{ cond: parsePipeline(tokenize(a.slice(2))), body: [] as Node[] }];
        let els: Node[] = [];
        for (;;) {
          const r = block(["else", "end"]);
          branches[branches.length - 1]!.body = r.nodes;
          if (r.end === "end") break;
          const rest = r.end.slice(4).trim();
          if (rest.startsWith("if ")) {
            branches.push({ cond: parsePipeline(tokenize(rest.slice(3))), body: [] });
            continue;
          }
          els = block(["end"]).nodes;
          break;
        }
        nodes.push({ t: "if", branches, els });
      } else if (word === "range" || word === "with") {
        const p = parsePipeline(tokenize(a.slice(word.length)));
        const r = block(["else", "end"]);
        const els = r.end === "end" ? [] : block(["end"]).nodes;
        if (word === "range") nodes.push({ t: "range", vars: p.decl, p: { decl: [], cmds: p.cmds }, body: r.nodes, els });
        else nodes.push({ t: "with", p, body: r.nodes, els });
      } else if (word === "end" || word === "else") {
        throw new TemplateError(`unexpected {{${word}}}`);
      } else {
        nodes.push({ t: "action", p: parsePipeline(tokenize(a)) });
      }
    }
    if (terminators.length) throw new TemplateError(`unexpected EOF, want {{end}}`);
    return { nodes, end: "" };
  };
  return block([]).nodes;
}

// ---- evaluation ----

type Scope = { dot: unknown; vars: Map<string, unknown> };

/** `missingkey=error`: what docker's inspect gets on its decoded maps. */
let strictMaps = false;
let currentSrc = "";
/** The Go type docker decodes into, when it is a struct rather than a map (volume.Volume). */
let structName: string | undefined;

class MissingKey extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

const isPlainObject = (o: object) => {
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
};

function field(v: unknown, name: string): unknown {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Map) return v.get(name);
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (strictMaps && (structName ? !(name in o) : isPlainObject(o) && !Object.prototype.hasOwnProperty.call(o, name))) throw new MissingKey(name);
    const direct = Object.prototype.hasOwnProperty.call(o, name) ? o[name] : Reflect.get(o, name);
    // A method without arguments is called, as Go's templates do (`.Names` on a ps row).
    if (typeof direct === "function") return (direct as () => unknown).call(o);
    if (direct !== undefined) return direct;
    // Go field names are capitalised where some JSON keys are not.
    const alt = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
    return alt === undefined ? undefined : o[alt];
  }
  throw new TemplateError(`can't evaluate field ${name} in type ${typeof v}`);
}

function chainOf(v: unknown, chain: string[]): unknown {
  return chain.reduce((acc, name) => field(acc, name), v);
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

/** How Go's fmt prints a value with %v. */
export function goString(v: unknown): string {
  if (v === null || v === undefined) return "<no value>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === null ? "<nil>" : goString(x))).join(" ")}]`;
  if (typeof v === "object") {
    const keys = Object.keys(v as object).sort();
    return `map[${keys.map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`).join(" ")}]`;
  }
  return String(v);
}

function sprintf(fmt: string, args: unknown[]): string {
  let i = 0;
  return fmt.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([vsdqtfx%])/g, (_m, flags: string, width: string, prec: string, verb: string) => {
    if (verb === "%") return "%";
    const a = args[i++];
    let s: string;
    switch (verb) {
      case "q":
        s = JSON.stringify(goString(a));
        break;
      case "f":
        s = Number(a).toFixed(prec ? Number(prec) : 6);
        break;
      case "x":
        s = typeof a === "number" ? a.toString(16) : Buffer.from(goString(a)).toString("hex");
        break;
      default:
        s = goString(a);
        if (prec && verb === "s") s = s.slice(0, Number(prec));
    }
    if (width) s = flags.includes("-") ? s.padEnd(Number(width)) : s.padStart(Number(width), flags.includes("0") ? "0" : " ");
    return s;
  });
}

// Go's lt/gt compare numbers with numbers and strings with strings; JS's < does both.
const cmp = (a: unknown, b: unknown) => ((a as number | string) < (b as number | string) ? -1 : (a as number | string) > (b as number | string) ? 1 : 0);

/**
 * encoding/json as Go's CLI applies it: map keys sorted (what docker decodes to maps),
 * an object with toJSON kept in its own (struct) order, `<`, `>`, `&` escaped, and
 * bigints as exact numbers.
 */
let sortMapKeys = true;

export function goJson(v: unknown, sortKeys = sortMapKeys): string {
  const esc = (s: string) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const enc = (x: unknown, sorted: boolean): string => {
    if (x === undefined || x === null) return "null";
    if (typeof x === "bigint") return x.toString();
    if (typeof x === "string") return esc(x);
    if (typeof x === "number") return Number.isFinite(x) ? JSON.stringify(x) : "null";
    if (typeof x === "boolean") return String(x);
    if (Array.isArray(x)) return `[${x.map((i) => enc(i, true)).join(",")}]`;
    if (typeof x === "object") {
      const own = typeof (x as { toJSON?: unknown }).toJSON === "function";
      const o = (own ? (x as { toJSON: () => unknown }).toJSON() : x) as Record<string, unknown>;
      if (typeof o !== "object" || o === null) return enc(o, true);
      let keys = Object.keys(o).filter((k) => o[k] !== undefined);
      if (sorted && sortKeys && !own) keys = keys.sort();
      return `{${keys.map((k) => `${esc(k)}:${enc(o[k], true)}`).join(",")}}`;
    }
    return "null";
  };
  return enc(v, true);
}

const funcs: Record<string, (...a: unknown[]) => unknown> = {
  json: (v) => goJson(v),
  join: (list, sep) => ((list as unknown[]) ?? []).map(goString).join(String(sep)),
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => String(s).toLowerCase(),
  upper: (s) => String(s).toUpperCase(),
  title: (s) => String(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  pad: (s, l, r) => " ".repeat(Number(l)) + goString(s) + " ".repeat(Number(r)),
  truncate: (s, n) => [...String(s)].slice(0, Number(n)).join(""),
  println: (...a) => a.map(goString).join(" ") + "\n",
  print: (...a) => a.map(goString).join(""),
  printf: (fmt, ...a) => sprintf(String(fmt), a),
  len: (v) => (typeof v === "string" || Array.isArray(v) ? v.length : Object.keys(v ?? {}).length),
  index: (v, ...keys) =>
    keys.reduce((acc: unknown, k) => {
      if (acc === null || acc === undefined) return undefined;
      if (Array.isArray(acc)) {
        if (Number(k) >= acc.length) throw new TemplateError(`error calling index: index out of range: ${k}`);
        return acc[Number(k)];
      }
      return (acc as Record<string, unknown>)[String(k)];
    }, v),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
};

function evalArg(a: Arg, s: Scope): unknown {
  switch (a.t) {
    case "lit":
      return a.v;
    case "field":
      try {
        return chainOf(s.dot, a.chain);
      } catch (err) {
        if (!(err instanceof MissingKey)) throw err;
        // Go's words, with the field's place in the template (line:byte).
        const text = `.${a.chain.join(".")}`;
        const i = a.chain.indexOf(err.key);
        const at = Math.max(0, currentSrc.indexOf(text)) + (i > 0 ? a.chain.slice(0, i).join(".").length + 1 : 0);
        const line = currentSrc.slice(0, at).split("\n").length;
        const col = at - (currentSrc.lastIndexOf("\n", at - 1) + 1);
        const why = structName ? `can't evaluate field ${err.key} in type ${structName}` : `map has no entry for key "${err.key}"`;
        throw new TemplateError(`:${line}:${col}: executing "" at <${text}>: ${why}`);
      }
    case "var": {
      if (!s.vars.has(a.name)) throw new TemplateError(`undefined variable: ${a.name}`);
      return chainOf(s.vars.get(a.name), a.chain);
    }
    case "paren":
      return chainOf(evalPipeline(a.p, s), a.chain);
    case "ident": {
      const f = funcs[a.name];
      if (!f) throw new TemplateError(`function "${a.name}" not defined`);
      return f();
    }
  }
}

function evalPipeline(p: Pipeline, s: Scope): unknown {
  let last: unknown = undefined;
  p.cmds.forEach((cmd, n) => {
    const head = cmd[0]!;
    if (head.t === "ident") {
      const f = funcs[head.name];
      if (!f) throw new TemplateError(`function "${head.name}" not defined`);
      const args = cmd.slice(1).map((a) => evalArg(a, s));
      if (n > 0) args.push(last);
      last = f(...args);
    } else if (head.t === "field" && head.chain.length && cmd.length > 1) {
      // A method with arguments: `.Label "com.example"`.
      const recv = chainOf(s.dot, head.chain.slice(0, -1)) as Record<string, unknown> | null | undefined;
      const m = recv?.[head.chain[head.chain.length - 1]!];
      if (typeof m !== "function") throw new TemplateError("can't give argument to non-function");
      const args = cmd.slice(1).map((a) => evalArg(a, s));
      if (n > 0) args.push(last);
      last = (m as (...a: unknown[]) => unknown).apply(recv, args);
    } else {
      if (cmd.length > 1) throw new TemplateError("can't give argument to non-function");
      if (n > 0) throw new TemplateError("non-function in pipeline");
      last = evalArg(head, s);
    }
  });
  for (const d of p.decl) s.vars.set(d, last);
  return last;
}

function exec(nodes: Node[], s: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case "text":
        out.push(n.s);
        break;
      case "action": {
        const v = evalPipeline(n.p, s);
        if (!n.p.decl.length) out.push(goString(v));
        break;
      }
      case "if": {
        const b = n.branches.find((br) => truthy(evalPipeline(br.cond, s)));
        exec(b ? b.body : n.els, s, out);
        break;
      }
      case "with": {
        const v = evalPipeline(n.p, s);
        if (truthy(v)) exec(n.body, { dot: v, vars: s.vars }, out);
        else exec(n.els, s, out);
        break;
      }
      case "range": {
        const v = evalPipeline(n.p, s);
        const entries: [unknown, unknown][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v && typeof v === "object"
            ? Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])
            : [];
        if (!entries.length) exec(n.els, s, out);
        for (const [k, x] of entries) {
          const vars = new Map(s.vars);
          if (n.vars.length === 1) vars.set(n.vars[0]!, x);
          if (n.vars.length === 2) {
            vars.set(n.vars[0]!, k);
            vars.set(n.vars[1]!, x);
          }
          exec(n.body, { dot: x, vars }, out);
        }
        break;
      }
    }
  }
}

export interface Template {
  execute(data: unknown): string;
}

/**
 * `structOrder`: the data stands for Go structs (info, version), whose JSON keeps its
 * field order; otherwise objects are Go maps (inspect), whose JSON sorts its keys.
 */
export function compileTemplate(src: string, opts: { structOrder?: boolean; missingKeyError?: boolean; structName?: string } = {}): Template {
  let nodes: Node[];
  try {
    nodes = parse(src);
  } catch (err) {
    // Go names the line of a parse error: `template: :1: unclosed action`.
    if (err instanceof TemplateError) throw new TemplateError(`:1: ${err.message.replace(/^template: /, "")}`);
    throw err;
  }
  return {
    execute(data) {
      sortMapKeys = !opts.structOrder;
      strictMaps = opts.missingKeyError === true;
      structName = opts.structName;
      currentSrc = src;
      const out: string[] = [];
      exec(nodes, { dot: data, vars: new Map([["$", data]]) }, out);
      return out.join("");
    },
  };
}
