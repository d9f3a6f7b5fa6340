// `npm run build`: compile bin/wharf.ts into one binary, dist/wharf, stamped with the
// version and git commit. `--target=bun-linux-arm64 --outfile=dist/x` cross-compiles
// (scripts/release.ts uses it).
import pkg from "./package.json" with { type: "json" };

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const outfile = arg("outfile") ?? "./dist/wharf";
const target = arg("target");

const commit = (() => {
  const r = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { stderr: "ignore" });
  const sha = r.exitCode === 0 ? r.stdout.toString().trim() : "unknown";
  const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { stderr: "ignore" });
  return sha + (dirty.exitCode === 0 && dirty.stdout.toString().trim() ? "-dirty" : "");
})();

const result = await Bun.build({
  entrypoints: ["./bin/wharf.ts"],
  compile: target ? { outfile, target: target as Bun.Build.CompileTarget } : { outfile },
  // Bytecode and lazy chunks: every role (dockerinit, the monitor, the client) boots in
  // about a third of the time, since it no longer parses the whole bundle at start.
  bytecode: true,
  splitting: true,
  format: "esm",
  minify: { syntax: true, whitespace: true },
  sourcemap: "none",
  define: {
    WHARF_VERSION: JSON.stringify(pkg.version),
    WHARF_COMMIT: JSON.stringify(commit),
    WHARF_BUILD_TIME: JSON.stringify(new Date().toISOString()),
  },
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${outfile.replace(/^\.\//, "")} ${pkg.version} (${commit})${target ? ` for ${target}` : ""}`);
