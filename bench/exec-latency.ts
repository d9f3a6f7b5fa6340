// Issue 5's exec benchmark: `exec CONTAINER true` latency, through the API (create,
// attached start until the stream ends, inspect for the exit code) and through the
// real docker CLI end to end. Side by side with Docker only where a dockerd answers.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { docker, median, root, startWharf, timeIt } from "./lib.ts";
import { Client } from "../src/client/client.ts";
import { hijack } from "../src/client/hijack.ts";

const runs = Number(process.env.RUNS ?? 20);

async function execApi(client: Client, container: string): Promise<number> {
  const { Id } = await client.json("POST", `/containers/${container}/exec`, {
    body: { Cmd: ["true"], AttachStdout: true, AttachStderr: true },
  });
  const socket = await hijack(client, "POST", `/exec/${Id}/start`, {}, { Detach: false, Tty: false });
  await new Promise<void>((r) => {
    socket.on("close", () => r());
    socket.on("end", () => r());
    socket.resume();
  });
  return (await client.json("GET", `/exec/${Id}/json`)).ExitCode;
}

async function measure(host: string, label: string): Promise<void> {
  const client = new Client(host);
  const id = docker(host, ["run", "-d", "--network", "none", "busybox", "sleep", "600"]).stdout.trim();
  if (!id) throw new Error(`${label}: could not start a container`);
  try {
    await execApi(client, id); // warm-up
    const api: number[] = [];
    for (let i = 0; i < runs; i++) {
      api.push(
        await timeIt(async () => {
          const code = await execApi(client, id);
          if (code !== 0) throw new Error(`exec true exited ${code}`);
        }),
      );
    }
    const cli: number[] = [];
    for (let i = 0; i < runs; i++) {
      cli.push(
        await timeIt(() => {
          const r = docker(host, ["exec", id, "true"]);
          if (r.code !== 0) throw new Error(`docker exec failed: ${r.stderr}`);
        }),
      );
    }
    console.log(`${label}: exec CONTAINER true, ${runs} runs`);
    console.log(`  API (create+start attached+inspect): median ${median(api).toFixed(1)} ms`);
    console.log(`  docker CLI end to end:               median ${median(cli).toFixed(1)} ms`);
  } finally {
    docker(host, ["rm", "-f", id]);
  }
}

const d = await startWharf();
try {
  const load = docker(d.host, ["load", "-i", resolve(root, "test/fixtures/busybox-docker-save.tar")]);
  if (load.code !== 0) throw new Error(`load failed: ${load.stderr}`);
  await measure(d.host, "wharf");
} finally {
  await d.stop();
}

const dockerd = "unix:///var/run/docker.sock";
if (existsSync("/var/run/docker.sock") && docker(dockerd, ["version", "--format", "{{.Server.Version}}"]).code === 0) {
  const has = docker(dockerd, ["image", "inspect", "busybox"]).code === 0;
  if (has) await measure(dockerd, "Docker");
  else console.log("Docker: a dockerd answers but has no busybox image; not measured (no pulls from here)");
} else {
  console.log("Docker: no dockerd runs on this machine; no side-by-side numbers");
}
