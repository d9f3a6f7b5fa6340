// .dockerignore as Docker reads it: one pattern a line, `#` comments, `!` exceptions,
// a leading `/` meaning the context root, `**` any number of directories; a pattern
// that matches a directory excludes what is under it; the last matching line wins.

export interface IgnoreRule {
  re: RegExp;
  exclusion: boolean;
  /** The pattern's directory depth, to match parents (`a/b` matches `a/b/c`). */
  depth: number;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (let line of text.split(/\r?\n/)) {
    if (line.startsWith("#")) continue;
    line = line.trim();
    if (!line) continue;
    let exclusion = false;
    if (line.startsWith("!")) {
      exclusion = true;
      line = line.slice(1).trim();
    }
    const clean = cleanPattern(line);
    if (!clean) continue;
    rules.push({ re: patternRegex(clean), exclusion, depth: clean.split("/").length });
  }
  return rules;
}

function cleanPattern(p: string): string {
  const out: string[] = [];
  for (const c of p.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") out.pop();
    else out.push(c);
  }
  return out.join("/");
}

function patternRegex(p: string): RegExp {
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === "*") {
      if (p[i + 1] === "*") {
        i++;
        if (p[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = p.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        let cls = p.slice(i + 1, end);
        if (cls.startsWith("^") || cls.startsWith("!")) cls = "^" + cls.slice(1);
        re += `[${cls.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (ch === "\\" && i + 1 < p.length) re += escapeRe(p[++i]!);
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`);
}

const escapeRe = (c: string) => c.replace(/[.+^${}()|[\]\\/]/g, "\\$&");

/** Is this clean relative path excluded? A match on any parent directory counts. */
export function ignored(rules: IgnoreRule[], rel: string): boolean {
  if (!rules.length) return false;
  const parts = rel.split("/");
  let out = false;
  for (const r of rules) {
    let hit = r.re.test(rel);
    if (!hit && r.depth < parts.length) {
      for (let n = 1; n < parts.length && !hit; n++) hit = r.re.test(parts.slice(0, n).join("/"));
    }
    if (hit) out = !r.exclusion;
  }
  return out;
}
