// `npm run bench`: runs every benchmark in bench/ (or those named on the command line)
// one after another, each in its own Bun process.
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = import.meta.dir;
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("lib"))
  .filter((f) => !wanted.length || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b}`);
  const r = Bun.spawnSync([process.execPath, join(dir, b)], { stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) {
    failed++;
    console.log(`${b} failed with exit code ${r.exitCode}`);
  }
}
process.exit(failed ? 1 : 0);
