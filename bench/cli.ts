// Start-up cost of the client: `wharf ps` (100 containers) and `wharf version` beside
// the real docker CLI, both against the same wharf daemon, interleaved run by run;
// median wall time, and peak RSS (GNU time) in runs of their own. Podman's CLI is no docker
// client, so its cells say so. Target: wharf ≤ 0.8× the docker CLI's time.
import { existsSync } from "node:fs";
import { docker, startWharf, wharfBin } from "./lib.ts";
import { busyboxArchive } from "./engines.ts";
import { measured, report, type Row } from "./report.ts";

const runs = Number(process.env.RUNS ?? 40);
const dockerBin = ["/usr/local/bin/docker", "/usr/bin/docker"].find((p) => existsSync(p));
const daemon = await startWharf();

try {
  if (!dockerBin) throw new Error("the docker CLI is missing");
  const env = { ...process.env, DOCKER_HOST: daemon.host };
  const load = docker(daemon.host, ["load", "-i", busyboxArchive]);
  if (load.code !== 0) throw new Error(`load failed: ${load.stderr}`);
  for (let i = 0; i < 100; i++) {
    const r = docker(daemon.host, ["create", "--network", "none", "busybox", "true"]);
    if (r.code !== 0) throw new Error(`create failed: ${r.stderr}`);
  }

  const once = (argv: string[]) => {
    const t0 = performance.now();
    const r = Bun.spawnSync(argv, { env, stdout: "pipe", stderr: "pipe" });
    const ms = performance.now() - t0;
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${r.exitCode}: ${r.stderr.toString()}`);
    return { ms, out: r.stdout.toString() };
  };
  // Peak RSS of that one process, from GNU time (wait4's ru_maxrss), in runs of their own.
  const peak = (argv: string[]) => {
    const r = Bun.spawnSync(["/usr/bin/time", "-f", "%M", ...argv], { env, stdout: "ignore", stderr: "pipe" });
    const kb = Number(r.stderr.toString().trim().split("\n").pop());
    if (r.exitCode !== 0 || !kb) throw new Error(`${argv.join(" ")}: no peak RSS: ${r.stderr.toString()}`);
    return kb / 1000;
  };

  for (const cmd of [["ps", "-a"], ["version"]]) {
    const mine = { ms: [] as number[], rss: [] as number[] };
    const theirs = { ms: [] as number[], rss: [] as number[] };
    // Warm the page cache for both binaries before timing.
    for (let i = 0; i < 3; i++) {
      once([wharfBin, ...cmd]);
      once([dockerBin, ...cmd]);
    }
    const lines = once([wharfBin, ...cmd]).out.split("\n").length;
    if (cmd[0] === "ps" && lines < 102) throw new Error(`wharf ps -a listed ${lines - 2} containers, not 100`);
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      const order = i % 2 ? [["w", wharfBin], ["d", dockerBin]] : [["d", dockerBin], ["w", wharfBin]];
      for (const [who, bin] of order) {
        (who === "w" ? mine : theirs).ms.push(once([bin!, ...cmd]).ms);
      }
    }
    for (let i = 0; i < 10; i++) {
      mine.rss.push(peak([wharfBin, ...cmd]));
      theirs.rss.push(peak([dockerBin, ...cmd]));
    }
    const name = `${cmd.join(" ")}${cmd[0] === "ps" ? " (100 containers)" : ""}`;
    const podman = { skipped: "podman's CLI is not a docker CLI client" };
    const time: Row = {
      bench: "cli",
      name: `CLI start-up: ${name}, wall (wharf CLI vs docker CLI, same wharf daemon)`,
      unit: "ms",
      better: "lower",
      cells: { wharf: measured(mine.ms), docker: measured(theirs.ms), podman },
      target: "≤ 0.8× the docker CLI",
    };
    report(time);
    report({
      bench: "cli",
      name: `CLI start-up: ${name}, peak RSS`,
      unit: "MB",
      better: "lower",
      cells: { wharf: measured(mine.rss), docker: measured(theirs.rss), podman },
    });
    const ratio = measured(mine.ms).median / measured(theirs.ms).median;
    console.log(`  ${name}: wharf/docker = ${ratio.toFixed(2)}×`);
  }
} finally {
  const ids = docker(daemon.host, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
  if (ids.length) docker(daemon.host, ["rm", "-f", ...ids]);
  await daemon.stop();
}
