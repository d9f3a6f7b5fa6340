// Daemon start to its first answered `/_ping`, with no container and with 100 exited
// containers in its data root to restore, for wharf, Docker and Podman in this run
// (each restarted on its own data root, interleaved). After each restart the bench
// checks that every container is still listed, so a fast start cannot be a lossy one.
import { interleaved, row, startEngines, type Engine } from "./engines.ts";
import { json } from "./api.ts";
import { report } from "./report.ts";

const runs = Number(process.env.RUNS ?? 5);
const count = Number(process.env.CONTAINERS ?? 100);
const bench = "daemon start";

async function listed(e: Engine): Promise<number> {
  return (await json<unknown[]>(e, "GET", "/containers/json?all=1")).length;
}

async function restart(e: Engine, expect: number): Promise<number> {
  const ms = await e.daemon.restart();
  const n = await listed(e);
  if (n !== expect) throw new Error(`${e.label}: ${n} containers listed after restart, expected ${expect}`);
  return ms;
}

const set = await startEngines();
try {
  const empty = await interleaved(set, runs, (e) => restart(e, 0));
  report(row(set, { bench, name: "start to first answer, no container", unit: "ms", better: "lower" }, empty));
  for (const e of set.engines) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { Id } = await json<{ Id: string }>(e, "POST", "/containers/create", { Image: "busybox", Cmd: ["true"], HostConfig: { NetworkMode: "none" } });
      await json(e, "POST", `/containers/${Id}/start`);
      ids.push(Id);
    }
    for (const id of ids) await json(e, "POST", `/containers/${id}/wait`);
  }
  const full = await interleaved(set, runs, (e) => restart(e, count));
  report(row(set, { bench, name: `start to first answer, ${count} exited containers to restore`, unit: "ms", better: "lower" }, full));
} finally {
  await set.stop();
}
