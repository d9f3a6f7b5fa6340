// What mounts cost a container's run: create+start+wait+rm through the API without
// mounts and with a named volume, a bind, a tmpfs, an image VOLUME filled by copy-up
// (created fresh each run), and volume create+remove alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { docker, median, root, startWharf, timeIt } from "./lib.ts";
import { Client } from "../src/client/client.ts";

const runs = Number(process.env.RUNS ?? 15);
const d = await startWharf();
const hostDir = mkdtempSync(join(tmpdir(), "wharf-bench-bind-"));
try {
  for (const f of ["busybox-docker-save.tar", "multilayer-docker-save.tar"]) {
    const load = docker(d.host, ["load", "-i", resolve(root, "test/fixtures", f)]);
    if (load.code !== 0) throw new Error(`load failed: ${load.stderr}`);
  }
  const client = new Client(d.host);
  const runOnce = async (body: Record<string, unknown>) => {
    const { Id } = await client.json("POST", "/containers/create", { body: { Image: "busybox", Cmd: ["true"], ...body, HostConfig: { NetworkMode: "none", ...(body.HostConfig as object) } } });
    const waited = client.json("POST", `/containers/${Id}/wait`, { query: { condition: "next-exit" } });
    await client.json("POST", `/containers/${Id}/start`);
    await waited;
    await client.json("DELETE", `/containers/${Id}`, { query: { v: "1" } });
  };
  const cases: [string, Record<string, unknown>][] = [
    ["no mounts", {}],
    ["named volume (-v data:/d)", { HostConfig: { Binds: ["benchvol:/d"] } }],
    ["bind (-v /host:/d)", { HostConfig: { Binds: [`${hostDir}:/d`] } }],
    ["tmpfs (--mount type=tmpfs)", { HostConfig: { Mounts: [{ Type: "tmpfs", Target: "/t" }] } }],
    ["image VOLUME + copy-up (multilayer, rm -v)", { Image: "wharf-fixture/multilayer:1.0", Entrypoint: ["true"], Cmd: null }],
  ];
  console.log(`create+start+wait+rm through the API, ${runs} runs each (cases interleaved, so load hits all alike), medians`);
  for (const [, body] of cases) await runOnce(body); // warm-up
  const times = cases.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, [, body]] of cases.entries()) times[k]!.push(await timeIt(() => runOnce(body)));
  }
  const base = median(times[0]!);
  for (const [k, [name]] of cases.entries()) {
    const m = median(times[k]!);
    console.log(`  ${name.padEnd(44)} ${m.toFixed(1)} ms  (x${(m / base).toFixed(2)})`);
  }
  const vol: number[] = [];
  for (let i = 0; i < runs; i++) {
    vol.push(
      await timeIt(async () => {
        await client.json("POST", "/volumes/create", { body: { Name: `v${i}` } });
        await client.json("DELETE", `/volumes/v${i}`);
      }),
    );
  }
  console.log(`  volume create+rm                             ${median(vol).toFixed(1)} ms`);
} finally {
  await d.stop();
  rmSync(hostDir, { recursive: true, force: true });
}
