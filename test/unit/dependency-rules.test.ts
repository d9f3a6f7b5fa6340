// The repository's dependency rules (.dependency-cruiser.cjs) hold for src/ and bin/, and they
// catch a wrong arrow: a tree with a domain file importing the API, a CLI file importing the
// daemon, a storage file importing the domain and a two-file loop fails, naming each rule.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const config = join(repo, ".dependency-cruiser.cjs");
const depcruise = join(repo, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

function cruise(cwd: string, paths: string[]): { status: number | null; out: string } {
  const r = spawnSync("node", [depcruise, "--config", config, "--output-type", "err", ...paths], {
    cwd,
    encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "wharf-deprules-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

const tsconfig = JSON.stringify({
  compilerOptions: { module: "ESNext", moduleResolution: "bundler", allowImportingTsExtensions: true, noEmit: true },
});

describe("dependency rules", () => {
  test("a clean layered tree passes", () => {
    const root = tree({
      "tsconfig.json": tsconfig,
      "src/errors.ts": "export class E extends Error {}\n",
      "src/storage/a.ts": 'import { E } from "../errors.ts";\nexport const a = new E();\n',
      // The generated wire types are type declarations only: the domain may use them.
      "src/api/types/index.ts": "export interface Wire { Id: string }\n",
      "src/image/b.ts": 'import { a } from "../storage/a.ts";\nimport type { Wire } from "../api/types/index.ts";\nexport const b: Wire | typeof a = a;\n',
      "src/api/c.ts": 'import { b } from "../image/b.ts";\nexport const c = b;\n',
      "src/daemon/d.ts": 'import { c } from "../api/c.ts";\nexport const d = c;\n',
    });
    made.push(root);
    const r = cruise(root, ["src"]);
    expect(r.out).not.toMatch(/error /);
    expect(r.status).toBe(0);
  });

  test("a wrong arrow or a loop fails, naming the rule", () => {
    const root = tree({
      "tsconfig.json": tsconfig,
      "src/api/filters.ts": "export const filters = 1;\n",
      "src/image/list.ts": 'import { filters } from "../api/filters.ts";\nexport const list = filters;\n',
      "src/daemon/x.ts": "export const x = 1;\n",
      "src/cli/y.ts": 'import { x } from "../daemon/x.ts";\nexport const y = x;\n',
      "src/volume/lock.ts": "export const lock = 1;\n",
      "src/storage/store.ts": 'import { lock } from "../volume/lock.ts";\nexport const store = lock;\n',
      "src/network/p.ts": 'import { q } from "./q.ts";\nexport const p = () => q;\n',
      "src/network/q.ts": 'import { p } from "./p.ts";\nexport const q = () => p;\n',
      // A new top-level module must be given a layer before it imports anything.
      "src/errors.ts": "export const e = 1;\n",
      "src/gadgets/g.ts": 'import { e } from "../errors.ts";\nexport const g = e;\n',
      // The wire types are types: a value import of them below the API is refused.
      "src/api/types/index.ts": "export const wireDefaults = { Id: '' };\n",
      "src/volume/v.ts": 'import { wireDefaults } from "../api/types/index.ts";\nexport const v = wireDefaults;\n',
    });
    made.push(root);
    const r = cruise(root, ["src"]);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/error domain-not-api: src\/image\/list\.ts → src\/api\/filters\.ts/);
    expect(r.out).toMatch(/error layer-domain-imports-up: src\/image\/list\.ts → src\/api\/filters\.ts/);
    expect(r.out).toMatch(/error cli-not-daemon: src\/cli\/y\.ts → src\/daemon\/x\.ts/);
    expect(r.out).toMatch(/error layer-store-imports-up: src\/storage\/store\.ts → src\/volume\/lock\.ts/);
    expect(r.out).toMatch(/error no-circular: src\/network\/[pq]\.ts/);
    expect(r.out).toMatch(/error not-in-a-layer: src\/gadgets\/g\.ts → src\/errors\.ts/);
    expect(r.out).toMatch(/error wire-types-type-only: src\/volume\/v\.ts → src\/api\/types\/index\.ts/);
    expect(r.out).not.toMatch(/domain-not-api: src\/volume\/v\.ts/);
  });

  test("wharf's own src/ and bin/ hold to the rules", () => {
    const r = cruise(repo, ["src", "bin"]);
    expect(r.out).not.toMatch(/error /);
    expect(r.status).toBe(0);
  });
});
