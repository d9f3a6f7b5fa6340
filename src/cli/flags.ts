// Docker-style flags for commands whose own arguments follow the image (run, create,
// exec): flags stop at the first positional, flags repeat (`-e A -e B`), short booleans
// combine (`-it`, `-dit`), and values come as `--x=v`, `--x v`, `-xv` or `-x v`.
export type FlagType = "bool" | "string" | "list";

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  aliases?: string[];
  /** docker's name for the value in help (`string`, `list`, `int`); none for a boolean. */
  kind?: string;
  desc?: string;
  /** The default as help shows it (`"bridge"`, `-1`, `true`). */
  def?: string;
  /** Accepted but not listed in help (deprecated spellings). */
  hidden?: boolean;
}

const repeated = new Set(["list", "filter", "map", "strings", "stringArray", "ulimit", "mount", "pref", "external-ca", "gpu-request", "uint16Slice", "stringSlice"]);

/** A tree entry's `short|long|type|description|default|aliases` strings as specs. */
export function compileFlags(lines: readonly string[]): FlagSpec[] {
  return lines.map((line) => {
    const parts = line.split("|");
    const [short, name, kind] = parts as [string, string, string];
    const aliases = parts[parts.length - 1]!;
    const def = parts[parts.length - 2]!;
    const desc = parts.slice(3, -2).join("|");
    return {
      name,
      ...(short ? { short } : {}),
      type: kind === "" ? "bool" : repeated.has(kind) ? "list" : "string",
      kind,
      desc,
      ...(def ? { def } : {}),
      ...(aliases ? { aliases: aliases.split(",") } : {}),
      ...(desc ? {} : { hidden: true }),
    } satisfies FlagSpec;
  });
}

export interface Parsed {
  flags: Map<string, string | boolean | string[]>;
  positionals: string[];
}

export class FlagError extends Error {}

export function parseFlags(argv: string[], specs: FlagSpec[], opts: { stopAtPositional: boolean }): Parsed {
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const s of specs) {
    byLong.set(s.name, s);
    for (const a of s.aliases ?? []) byLong.set(a, s);
    if (s.short) byShort.set(s.short, s);
  }
  const flags = new Map<string, string | boolean | string[]>();
  const set = (s: FlagSpec, v: string | boolean) => {
    if (s.type === "list") flags.set(s.name, [...((flags.get(s.name) as string[]) ?? []), String(v)]);
    else flags.set(s.name, v);
  };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const s = byLong.get(name);
      if (!s) throw new FlagError(`unknown flag: --${name}`);
      if (s.type === "bool") {
        set(s, eq < 0 ? true : !["false", "0"].includes(a.slice(eq + 1)));
      } else {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new FlagError(`flag needs an argument: --${name}`);
        set(s, v);
      }
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const s = byShort.get(a[j]!);
        if (!s) throw new FlagError(`unknown shorthand flag: '${a[j]}' in ${a}`);
        if (s.type === "bool") {
          set(s, true);
          continue;
        }
        let v = a.slice(j + 1).replace(/^=/, "");
        if (!v) {
          const next = argv[++i];
          if (next === undefined) throw new FlagError(`flag needs an argument: '${a[j]}' in -${a[j]}`);
          v = next;
        }
        set(s, v);
        break;
      }
      continue;
    }
    positionals.push(a);
    if (opts.stopAtPositional) {
      positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return { flags, positionals };
}

export const str = (p: Parsed, name: string): string | undefined => p.flags.get(name) as string | undefined;
export const bool = (p: Parsed, name: string): boolean => p.flags.get(name) === true;
export const list = (p: Parsed, name: string): string[] => (p.flags.get(name) as string[] | undefined) ?? [];
