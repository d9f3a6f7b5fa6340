// `npm run bench`: runs every benchmark in bench/ (or those named on the command line),
// each in its own Bun process, gathers their rows and prints one table with wharf,
// Docker and Podman measured in this run and wharf's ratio to each. The table is also
// written to bench/results/latest.json and latest.md. `--install-peers` first installs
// docker.io, podman and isal (igzip, the native inflate wharf's pulls use) from Debian
// (with package scripts kept from starting a daemon).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { cpus, totalmem, release, tmpdir } from "node:os";
import { join } from "node:path";
import { engineNames, formatCell, judge, ratio, type EngineName, type Row } from "./report.ts";

const dir = import.meta.dir;
const args = process.argv.slice(2);
const installPeers = args.includes("--install-peers");
const wanted = args.filter((a) => !a.startsWith("--"));

if (installPeers) {
  console.log("installing docker.io, podman and isal from Debian");
  const r = Bun.spawnSync([
    "sh",
    "-c",
    "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; " +
      "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io podman isal >/dev/null; rc=$?; rm -f /usr/sbin/policy-rc.d; exit $rc",
  ], { stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) {
    console.log("apt-get install of docker.io, podman and isal failed");
    process.exit(1);
  }
}

/**
 * What the host holds that a bench could leave behind: mounts under its folders, links
 * and firewall rules of its bridges (wb*, wbd*: the bench names every bridge so), its
 * temporary folders and processes. Scoped to the bench's own names, so tests running
 * beside it do not count.
 */
function hostState(): Map<string, Set<string>> {
  const out = (argv: string[]) => Bun.spawnSync(argv, { stderr: "ignore" }).stdout.toString();
  const lines = (t: string) => new Set(t.split("\n").map((l) => l.trim()).filter(Boolean));
  const procs = new Set<string>();
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      if (cmd.includes("wharf-bench")) procs.add(cmd);
    } catch {}
  }
  const ours = (xs: Set<string>, re: RegExp) => new Set([...xs].filter((x) => re.test(x)));
  const bridges = /\bwbd?[0-9a-f]{6,}/;
  return new Map([
    ["mounts", ours(new Set(readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4] ?? "")), /wharf-bench/)],
    ["links", ours(lines(out(["sh", "-c", "ip -o link show | cut -d: -f2 | cut -d@ -f1"])), bridges)],
    ["iptables rules", ours(lines(out(["sh", "-c", "iptables-save | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]//'"])), bridges)],
    ["ip6tables rules", ours(lines(out(["sh", "-c", "ip6tables-save 2>/dev/null | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]//'"])), bridges)],
    ["temporary folders", new Set(readdirSync(tmpdir()).filter((f) => f.startsWith("wharf-bench")))],
    ["processes", procs],
  ]);
}
const before = hostState();

const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "lib.ts", "report.ts", "engines.ts", "api.ts", "podman.ts", "soak.ts"].includes(f))
  .filter((f) => !wanted.length || wanted.some((w) => f.includes(w)))
  .sort();
const out = join(dir, "results", `.rows-${process.pid}.jsonl`);
mkdirSync(join(dir, "results"), { recursive: true });
rmSync(out, { force: true });
const failed: string[] = [];
const started = new Date();
for (const b of benches) {
  console.log(`\n=== ${b}`);
  const r = Bun.spawnSync([process.execPath, join(dir, b)], { stdout: "inherit", stderr: "inherit", env: { ...process.env, WHARF_BENCH_OUT: out } });
  if (r.exitCode !== 0) {
    failed.push(b);
    console.log(`${b} failed with exit code ${r.exitCode}`);
  }
}
// Whatever a bench made and did not remove is a failure of the run, named here.
const after = hostState();
const leftovers: string[] = [];
for (const [what, now] of after) {
  const extra = [...now].filter((x) => !before.get(what)!.has(x));
  if (extra.length) leftovers.push(`${what}: ${extra.slice(0, 10).join(", ")}${extra.length > 10 ? ` and ${extra.length - 10} more` : ""}`);
}
if (leftovers.length) {
  console.log(`\nleft behind by this run:\n  ${leftovers.join("\n  ")}`);
  failed.push("cleanup");
} else console.log("\nleft behind by this run: nothing (mounts, links, iptables and ip6tables rules, temporary folders, processes compared before and after)");

const rows: Row[] = existsSync(out) ? readFileSync(out, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row) : [];
rmSync(out, { force: true });

const peerLabel: Record<EngineName, string> = { wharf: "wharf", docker: "Docker", podman: "Podman" };
const ratioText = (r: Row, p: EngineName) => {
  const x = ratio(r, p);
  return x === undefined ? "—" : `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;
};
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`;
const command = `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`;
const header = ["bench", "row", ...engineNames.map((e) => peerLabel[e]), "wharf/Docker", "wharf/Podman", "target", "verdict"];
const lines = [
  `Measured ${started.toISOString()} on ${machine}, with \`${command}\`.`,
  "Each cell: median [min–max] over its runs; engines interleaved in one run. Ratios are wharf's median over the peer's (for times and memory, below 1× is better; for rates, above).",
  "",
  `| ${header.join(" | ")} |`,
  `|${header.map(() => "---").join("|")}|`,
  ...rows.map((r) =>
    `| ${[r.bench, `${r.name} (${r.unit})`, ...engineNames.map((e) => formatCell(r.cells[e], r.unit)), ratioText(r, "docker"), ratioText(r, "podman"), r.target ?? "", judge(r)?.text ?? ""].join(" | ")} |`,
  ),
];
if (failed.length) lines.push("", `Benchmarks that failed in this run: ${failed.join(", ")}.`);
lines.push("", leftovers.length ? `Left behind: ${leftovers.join("; ")}.` : "Left behind: nothing (mounts, links, iptables rules, temporary folders and processes compared before and after the run).");
console.log(`\n${lines.join("\n")}`);
if (!wanted.length) {
  writeFileSync(join(dir, "results", "latest.json"), JSON.stringify({ measured: started.toISOString(), machine, command, rows, failed }, null, 2) + "\n");
  writeFileSync(join(dir, "results", "latest.md"), lines.join("\n") + "\n");
  // The README shows the latest full run between its markers.
  const readme = join(dir, "..", "README.md");
  const text = readFileSync(readme, "utf8");
  const start = "<!-- bench:start -->\n";
  const end = "<!-- bench:end -->";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) writeFileSync(readme, text.slice(0, a + start.length) + lines.join("\n") + "\n" + text.slice(b));
  console.log("\nwritten: bench/results/latest.json, bench/results/latest.md, README.md's performance table");
}
process.exit(failed.length ? 1 : 0);
