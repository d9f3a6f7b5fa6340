// Instruction flags (`--from=x`, `--link`), parsed as Docker's BFlags does: each
// instruction declares what it takes; anything else is an error naming the flag.

export class FlagError extends Error {}

type Kind = "string" | "bool" | "list";

export class Flags {
  private readonly decl = new Map<string, Kind>();
  private readonly values = new Map<string, string[]>();

  constructor(private readonly raw: string[]) {}

  string(name: string): this {
    this.decl.set(name, "string");
    return this;
  }
  bool(name: string): this {
    this.decl.set(name, "bool");
    return this;
  }
  list(name: string): this {
    this.decl.set(name, "list");
    return this;
  }

  parse(): this {
    for (const f of this.raw) {
      const body = f.slice(2);
      const eq = body.indexOf("=");
      const name = eq < 0 ? body : body.slice(0, eq);
      const value = eq < 0 ? undefined : body.slice(eq + 1);
      const kind = this.decl.get(name);
      if (!kind) throw new FlagError(`Unknown flag: ${name}`);
      if (kind === "bool") {
        if (value !== undefined && value !== "true" && value !== "false") {
          throw new FlagError(`Expecting boolean value for flag ${name}, not: ${value}`);
        }
        this.values.set(name, [value ?? "true"]);
        continue;
      }
      if (value === undefined) throw new FlagError(`Missing a value on flag: ${name}`);
      if (kind === "string" && this.values.has(name)) throw new FlagError(`Duplicate flag specified: ${name}`);
      this.values.set(name, [...(this.values.get(name) ?? []), value]);
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }
  is(name: string): boolean {
    return this.values.get(name)?.[0] === "true";
  }
  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }
  used(): string[] {
    return [...this.values.keys()];
  }
}
