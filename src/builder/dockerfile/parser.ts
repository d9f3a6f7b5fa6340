// The Dockerfile's first pass, as Docker's parser does it: parser directives
// (`# escape=`, `# syntax=`), comments, line continuations, heredocs, and each
// instruction split into its keyword, `--flags` and the rest of the line.

export class DockerfileError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`dockerfile parse error line ${line}: ${detail}`);
  }
}

export interface Heredoc {
  name: string;
  content: string;
  /** Unquoted delimiter: the content is expanded. */
  expand: boolean;
  /** `<<-`: leading tabs removed. */
  chomp: boolean;
}

export interface Node {
  /** Upper-case keyword. */
  keyword: string;
  flags: string[];
  /** The rest of the line after keyword and flags (continuations joined). */
  rest: string;
  /** The instruction as written, continuations joined (the `Step` line). */
  original: string;
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
}

export interface ParsedFile {
  nodes: Node[];
  escape: string;
  syntax?: string;
  warnings: string[];
}

const directiveRe = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const heredocKeywords = new Set(["RUN", "COPY", "ADD"]);
const heredocRe = /<<(-?)\s*(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2/g;

export function parseDockerfile(text: string): ParsedFile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  let syntax: string | undefined;
  const warnings: string[] = [];
  let i = 0;
  const seen = new Set<string>();
  for (; i < lines.length; i++) {
    const m = directiveRe.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (key !== "escape" && key !== "syntax" && key !== "check") break;
    if (seen.has(key)) throw new DockerfileError(i + 1, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === "escape") {
      if (m[2] !== "\\" && m[2] !== "`") throw new DockerfileError(i + 1, `invalid escape token '${m[2]}' does not match ` + "` or \\");
      escape = m[2]!;
    } else if (key === "syntax") syntax = m[2];
  }
  const contRe = new RegExp(`${escape === "\\" ? "\\\\" : "`"}[ \\t]*$`);
  const nodes: Node[] = [];
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.replace(/^\s+/, "");
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const startLine = i + 1;
    let line = trimmed;
    let emptyInside = false;
    while (contRe.test(line)) {
      line = line.replace(contRe, "");
      i++;
      // Comments and blank lines inside a continuation are dropped, as Docker does.
      while (i < lines.length && (/^\s*#/.test(lines[i]!) || lines[i]!.trim() === "")) {
        if (lines[i]!.trim() === "") emptyInside = true;
        i++;
      }
      if (i >= lines.length) break;
      line += lines[i]!;
    }
    if (emptyInside) warnings.push(`Empty continuation line found in: ${line}`);
    const node = splitNode(line.trimEnd(), startLine);
    if (heredocKeywords.has(node.keyword)) i = readHeredocs(node, lines, i, warnings);
    node.endLine = i + 1;
    nodes.push(node);
  }
  return { nodes, escape, syntax, warnings };
}

function splitNode(line: string, startLine: number): Node {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
  const keyword = m[1]!.toUpperCase();
  let rest = m[2]!;
  const flags: string[] = [];
  // Flags come first: `--name=value` or `--bool`, each a whitespace-free word.
  for (;;) {
    const f = /^(--\S*)\s*/.exec(rest);
    if (!f || keyword === "ONBUILD") break;
    flags.push(f[1]!);
    rest = rest.slice(f[0].length);
  }
  return { keyword, flags, rest, original: line, heredocs: [], startLine, endLine: startLine };
}

function readHeredocs(node: Node, lines: string[], i: number, _warnings: string[]): number {
  // Heredoc markers in a JSON (exec) form are literal text.
  if (node.rest.trimStart().startsWith("[")) return i;
  const markers = [...node.rest.matchAll(heredocRe)];
  for (const mk of markers) {
    const chomp = mk[1] === "-";
    const name = mk[3]!;
    let content = "";
    let found = false;
    while (++i < lines.length) {
      const l = lines[i]!;
      const cmp = chomp ? l.replace(/^\t+/, "") : l;
      if (cmp === name) {
        found = true;
        break;
      }
      content += (chomp ? l.replace(/^\t+/, "") : l) + "\n";
    }
    if (!found) throw new DockerfileError(node.startLine, `unterminated heredoc: ${name}`);
    node.heredocs.push({ name, content, expand: mk[2] === "", chomp });
  }
  return i;
}

/** `<<EOF`-style word (as a COPY source or RUN argument) → its heredoc name. */
export function heredocName(word: string): string | undefined {
  const m = /^<<-?\s*(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\1$/.exec(word);
  return m?.[2];
}

/**
 * Docker's JSON (exec) form: the rest is a JSON array of strings. Anything else is the
 * shell form; `[` that is not valid JSON is the shell form too.
 */
export function jsonArgs(rest: string): string[] | undefined {
  const t = rest.trim();
  if (!t.startsWith("[")) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  } catch {}
  return undefined;
}

/** Whitespace-separated words that keep their quotes (expanded later), as Docker's parser splits them. */
export function splitWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quote = "";
  let inWord = false;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i]!;
    if (!quote && /\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
      continue;
    }
    inWord = true;
    cur += ch;
    if (ch === escape && i + 1 < rest.length) {
      cur += rest[++i];
      continue;
    }
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
  }
  if (inWord) words.push(cur);
  return words;
}
