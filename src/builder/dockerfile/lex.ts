// Docker's shell-like word processing for Dockerfile arguments: quote removal, the
// escape character, and variable substitution ($V, ${V}, ${V:-d}, ${V-d}, ${V:+a},
// ${V+a}, ${V:?e}, ${V?e}). RUN/CMD/ENTRYPOINT are not expanded here: their shell does it.

export type Env = ReadonlyMap<string, string>;

export class LexError extends Error {}

interface Result {
  words: string[];
  /** Variable names read, for the cache key of build args in use. */
  used: Set<string>;
}

class Lexer {
  private i = 0;
  readonly used = new Set<string>();
  constructor(
    private readonly s: string,
    private readonly env: Env,
    private readonly esc: string,
  ) {}

  private peek(): string {
    return this.s[this.i] ?? "";
  }

  /** Processes the whole input; `split` makes unquoted whitespace separate words. */
  run(split: boolean, stopAt = ""): string[] {
    const words: string[] = [];
    let cur = "";
    let inWord = false;
    while (this.i < this.s.length) {
      const ch = this.peek();
      if (stopAt && ch === stopAt) break;
      if (split && /\s/.test(ch)) {
        if (inWord) words.push(cur);
        cur = "";
        inWord = false;
        this.i++;
        continue;
      }
      inWord = true;
      if (ch === this.esc) {
        this.i++;
        if (this.i >= this.s.length) cur += ch;
        else cur += this.s[this.i++];
      } else if (ch === "'") cur += this.single();
      else if (ch === '"') cur += this.double();
      else if (ch === "$") {
        const v = this.dollar();
        if (!split) cur += v;
        else {
          // An unquoted expansion is split into words too, as Docker's ProcessWords does.
          const parts = v.split(/\s+/);
          cur += parts[0];
          for (let k = 1; k < parts.length; k++) {
            if (cur) words.push(cur);
            cur = parts[k]!;
          }
          inWord = cur !== "";
        }
      } else {
        cur += ch;
        this.i++;
      }
    }
    if (inWord || !split) words.push(cur);
    return words;
  }

  private single(): string {
    this.i++;
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new LexError("unexpected end of statement while looking for matching single-quote");
    const out = this.s.slice(this.i, end);
    this.i = end + 1;
    return out;
  }

  private double(): string {
    this.i++;
    let out = "";
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (ch === '"') {
        this.i++;
        return out;
      }
      if (ch === "$") out += this.dollar();
      else if (ch === this.esc) {
        const next = this.s[this.i + 1];
        if (next === '"' || next === "$" || next === this.esc) {
          out += next;
          this.i += 2;
        } else {
          out += ch;
          this.i++;
        }
      } else {
        out += ch;
        this.i++;
      }
    }
    throw new LexError("unexpected end of statement while looking for matching double-quote");
  }

  private dollar(): string {
    this.i++;
    const ch = this.peek();
    if (ch === "{") return this.braced();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) return "$";
    this.i += m[0].length;
    return this.lookup(m[0]) ?? "";
  }

  private lookup(name: string): string | undefined {
    this.used.add(name);
    return this.env.get(name);
  }

  private close(): void {
    if (this.peek() !== "}") throw new LexError(`syntax error: missing '}'`);
    this.i++;
  }

  /** `${V#p}` `${V##p}` `${V%p}` `${V%%p}` `${V/p/r}` `${V//p/r}`: the newer frontend's forms. */
  private trim(name: string, op: string): string {
    this.i++;
    let longest = false;
    if (this.peek() === op) {
      longest = true;
      this.i++;
    }
    const value = this.lookup(name) ?? "";
    if (op === "/") {
      const pat = this.run(false, "/")[0] ?? "";
      let repl = "";
      if (this.peek() === "/") {
        this.i++;
        repl = this.run(false, "}")[0] ?? "";
      }
      this.close();
      return pat ? value.replace(new RegExp(globBody(pat), longest ? "g" : ""), () => repl) : value;
    }
    const pat = this.run(false, "}")[0] ?? "";
    this.close();
    const whole = new RegExp(`^${globBody(pat)}$`, "s");
    const n = value.length;
    if (op === "#") {
      for (let k = 0; k <= n; k++) {
        const j = longest ? n - k : k;
        if (whole.test(value.slice(0, j))) return value.slice(j);
      }
    } else {
      for (let k = 0; k <= n; k++) {
        const j = longest ? k : n - k;
        if (whole.test(value.slice(j))) return value.slice(0, j);
      }
    }
    return value;
  }

  private braced(): string {
    this.i++;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) throw new LexError(`bad substitution: ${this.s}`);
    const name = m[0];
    this.i += name.length;
    const ch = this.peek();
    if (ch === "}") {
      this.i++;
      return this.lookup(name) ?? "";
    }
    if (ch === "#" || ch === "%" || ch === "/") return this.trim(name, ch);
    let colon = false;
    if (ch === ":") {
      colon = true;
      this.i++;
    }
    const op = this.peek();
    if (!"-+?".includes(op) || op === "") throw new LexError(`unsupported modifier (${op}) in substitution`);
    this.i++;
    const word = this.run(false, "}")[0] ?? "";
    if (this.peek() !== "}") throw new LexError(`syntax error: missing '}'`);
    this.i++;
    const value = this.lookup(name);
    const set = colon ? value !== undefined && value !== "" : value !== undefined;
    switch (op) {
      case "-":
        return set ? value! : word;
      case "+":
        return set ? word : "";
      default:
        if (!set) throw new LexError(`${name}: ${word || "is not allowed to be unset"}`);
        return value!;
    }
  }
}

/** A shell glob (`*`, `?`) as a regexp body. */
function globBody(p: string): string {
  return p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
}

export function processWords(s: string, env: Env, esc = "\\"): Result {
  const l = new Lexer(s, env, esc);
  return { words: l.run(true), used: l.used };
}

export function processWord(s: string, env: Env, esc = "\\"): { word: string; used: Set<string> } {
  const l = new Lexer(s, env, esc);
  return { word: l.run(false)[0] ?? "", used: l.used };
}
