// The client's start-up loads only what the command needs: checked on the bundle's
// metafile, following static imports from the client's entry chunk.
import { describe, expect, it } from "vitest";
import { resolve } from "node:path";

interface Meta {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown>; imports: { path: string; kind: string }[] }>;
}

const root = resolve(import.meta.dirname, "../..");

async function metafile(): Promise<Meta> {
  const r = await Bun.build({
    entrypoints: [resolve(root, "bin/wharf.ts")],
    outdir: resolve(root, "dist/.bundle-check"),
    splitting: true,
    format: "esm",
    target: "bun",
    metafile: true,
  } as Parameters<typeof Bun.build>[0] & { metafile: boolean });
  if (!r.success) throw new Error(r.logs.join("\n"));
  return (r as unknown as { metafile: Meta }).metafile;
}

/** Every source file loaded, statically, once the chunk holding `source` runs. */
function staticClosure(meta: Meta, source: string): Set<string> {
  const byName = new Map(Object.entries(meta.outputs).map(([k, v]) => [k.replace(/^\.\//, ""), v]));
  const start = [...byName.entries()].find(([, o]) => o.entryPoint?.endsWith(source) || Object.keys(o.inputs).some((i) => i.endsWith(source)));
  if (!start) throw new Error(`no chunk holds ${source}`);
  const seen = new Set<string>();
  const files = new Set<string>();
  const walk = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const o = byName.get(name.replace(/^\.\//, ""));
    if (!o) return;
    for (const i of Object.keys(o.inputs)) files.add(i);
    for (const imp of o.imports) if (imp.kind === "import-statement") walk(imp.path.replace(/^\.\//, ""));
  };
  walk(start[0]);
  return files;
}

describe("client bundle", () => {
  it("the client and its commands load no daemon, API server, runtime or storage code", async () => {
    const meta = await metafile();
    // The walk does see such code where it is: the daemon's own chunk holds the API server.
    expect([...staticClosure(meta, "src/daemon/main.ts")].some((f) => f.includes("src/api/"))).toBe(true);
    for (const cmd of ["src/cli/main.ts", "src/cli/commands/ps.ts", "src/cli/commands/version.ts", "src/cli/commands/run.ts", "src/cli/commands/exec.ts"]) {
      const files = [...staticClosure(meta, cmd)];
      const daemonSide = files.filter((f) => /src\/(daemon|api|runtime|storage|engine|init|network|volume)\//.test(f));
      expect(daemonSide, `${cmd} pulls in ${daemonSide.join(", ")}`).toEqual([]);
      expect(files.filter((f) => /node_modules/.test(f)), cmd).toEqual([]);
    }
  }, 60_000);

  it("each command is its own lazy chunk: ps loads neither run nor the help renderer's commands", async () => {
    const meta = await metafile();
    const ps = [...staticClosure(meta, "src/cli/commands/ps.ts")];
    for (const other of ["run.ts", "exec.ts", "cp.ts", "system.ts", "events.ts", "completion.ts", "image-io.ts"]) {
      expect(ps.some((f) => f.endsWith(`src/cli/commands/${other}`)), other).toBe(false);
    }
    const main = [...staticClosure(meta, "src/cli/main.ts")];
    expect(main.some((f) => f.includes("src/cli/commands/"))).toBe(false);
  }, 60_000);
});
