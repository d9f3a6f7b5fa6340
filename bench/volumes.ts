// What mounts cost a container's run: create+start+wait+rm through the API with no
// mount, a named volume, a bind, a tmpfs, and an image VOLUME filled by copy-up (a new
// anonymous volume each run, removed with the container); and volume create+remove
// alone. wharf, Docker and Podman in this run, interleaved.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { docker, root, timeIt } from "./lib.ts";
import { interleaved, row, startEngines, type Engine } from "./engines.ts";
import { call, json, startAndWait } from "./api.ts";
import { report } from "./report.ts";

const runs = Number(process.env.RUNS ?? 15);
const bench = "volumes";
const hostDir = mkdtempSync(join(tmpdir(), "wharf-bench-bind-"));

interface Case {
  name: string;
  body: { Image?: string; Entrypoint?: string[]; Cmd?: string[] | null; HostConfig?: Record<string, unknown> };
}
const cases: Case[] = [
  { name: "no mount", body: {} },
  { name: "named volume (-v benchvol:/d)", body: { HostConfig: { Binds: ["benchvol:/d"] } } },
  { name: "bind (-v /host:/d)", body: { HostConfig: { Binds: [`${hostDir}:/d`] } } },
  { name: "tmpfs (--mount type=tmpfs)", body: { HostConfig: { Mounts: [{ Type: "tmpfs", Target: "/t" }] } } },
  { name: "image VOLUME, copied up (rm -v)", body: { Image: "wharf-fixture/multilayer:1.0", Entrypoint: ["true"], Cmd: null } },
];

async function runOnce(e: Engine, c: Case): Promise<void> {
  const { Id } = await json<{ Id: string }>(e, "POST", "/containers/create", {
    Image: "busybox",
    Cmd: ["true"],
    ...c.body,
    HostConfig: { NetworkMode: "none", ...c.body.HostConfig },
  });
  const code = await startAndWait(e, Id);
  if (code !== 0) throw new Error(`${e.label}: true exited ${code} (${c.name})`);
  await call(e, "DELETE", `/containers/${Id}?v=1`);
}

const set = await startEngines();
try {
  for (const e of set.engines) {
    const r = docker(e.host, ["load", "-q", "-i", resolve(root, "test/fixtures/multilayer-docker-save.tar")]);
    if (r.code !== 0) throw new Error(`${e.label}: load of the multilayer fixture failed: ${r.stderr.trim()}`);
  }
  for (const c of cases) {
    const t = await interleaved(set, runs, (e) => timeIt(() => runOnce(e, c)));
    report(row(set, { bench, name: `run --rm true, ${c.name}, API`, unit: "ms", better: "lower" }, t));
  }
  let n = 0;
  const vol = await interleaved(set, runs, (e) =>
    timeIt(async () => {
      const name = `benchv${++n}`;
      await call(e, "POST", "/volumes/create", { Name: name });
      await call(e, "DELETE", `/volumes/${name}`);
    }),
  );
  report(row(set, { bench, name: "volume create + rm, API", unit: "ms", better: "lower" }, vol));
} finally {
  await set.stop();
  rmSync(hostDir, { recursive: true, force: true });
}
