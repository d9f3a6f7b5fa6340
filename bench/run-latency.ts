// Issue 4's target: `run --rm busybox true` through the daemon with network none,
// median under 30 ms (Docker 20.10: about 290 ms here), and the memory each idle
// running container costs outside its own processes.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { docker, median, root, startWharf, timeIt } from "./lib.ts";
import { Client } from "../src/client/client.ts";

const runs = Number(process.env.RUNS ?? 20);
const d = await startWharf();
try {
  const load = docker(d.host, ["load", "-i", resolve(root, "test/fixtures/busybox-docker-save.tar")]);
  if (load.code !== 0) throw new Error(`load failed: ${load.stderr}`);
  const client = new Client(d.host);

  // API path: create, start, wait, delete — what `run --rm` costs the daemon.
  const api: number[] = [];
  for (let i = 0; i < runs; i++) {
    api.push(
      await timeIt(async () => {
        const { Id } = await client.json("POST", "/containers/create", {
          body: { Image: "busybox", Cmd: ["true"], HostConfig: { NetworkMode: "none" } },
        });
        const waited = client.json("POST", `/containers/${Id}/wait`, { query: { condition: "next-exit" } });
        await client.json("POST", `/containers/${Id}/start`);
        await waited;
        await client.json("DELETE", `/containers/${Id}`);
      }),
    );
  }
  // CLI path: the real docker CLI end to end (includes the CLI's own start-up).
  const cli: number[] = [];
  for (let i = 0; i < runs; i++) {
    cli.push(await timeIt(() => docker(d.host, ["run", "--rm", "--network", "none", "busybox", "true"])));
  }
  console.log(`run --rm busybox true, network none, ${runs} runs`);
  console.log(`  API (create+start+wait+rm): median ${median(api).toFixed(1)} ms  (target < 30 ms; Docker 20.10 ~290 ms)`);
  console.log(`  docker CLI end to end:      median ${median(cli).toFixed(1)} ms`);

  // Idle memory per running container outside its own processes: one host-wide monitor
  // holds every container's stdio and exit code, so the cost is its growth per container.
  const monitorPid = Number(Bun.spawnSync(["pgrep", "-f", `wharf-monitor ${d.execRoot}/rt`]).stdout.toString().trim().split("\n")[0]);
  const pssKb = (pid: number) => Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
  const n = 10;
  const before = pssKb(monitorPid);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(docker(d.host, ["run", "-d", "--network", "none", "busybox", "sleep", "300"]).stdout.trim());
  await Bun.sleep(500);
  const after = pssKb(monitorPid);
  console.log(`  monitor (shared by all containers): ${(before / 1024).toFixed(1)} MB PSS`);
  console.log(`  idle cost per container outside its processes: ${((after - before) / n / 1024).toFixed(3)} MB PSS over ${n} containers (target < 3.5 MB)`);
  docker(d.host, ["rm", "-f", ...ids]);
} finally {
  await d.stop();
}
