// Podman for side-by-side figures: `podman system service` on its own socket, with its
// storage, run state, network config and containers.conf under a temporary directory,
// stopped and cleaned by stop(). Its Docker-compatible API is what the docker CLI and
// the bench's own client talk to, exactly as they talk to wharf and dockerd.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstAnswer, type BenchDaemon } from "./lib.ts";

const cgroupParents = () =>
  readdirSync("/sys/fs/cgroup").flatMap((c) => [join("/sys/fs/cgroup", c, "libpod_parent")]).filter((d) => existsSync(d));

export async function startPodman(): Promise<(BenchDaemon & { version: string }) | undefined> {
  if (Bun.spawnSync(["sh", "-c", "command -v podman"]).exitCode !== 0) {
    console.log("Podman: not installed (npm run bench -- --install-peers installs it); no side-by-side figures");
    return undefined;
  }
  const hadParents = cgroupParents().length > 0;
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-podman-"));
  const sock = join(dir, "podman.sock");
  // Podman asks runc for nofile/nproc limits above what this sandbox grants a process.
  const conf = join(dir, "containers.conf");
  writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n');
  const argv = [
    "podman", "--root", join(dir, "root"), "--runroot", join(dir, "run"), "--tmpdir", join(dir, "tmp"),
    "--network-config-dir", join(dir, "net"), "--cgroup-manager", "cgroupfs", "--events-backend", "file",
    "system", "service", "--time", "0", `unix://${sock}`,
  ];
  const spawn = () => Bun.spawn(argv, { env: { ...process.env, CONTAINERS_CONF: conf }, stdout: "ignore", stderr: Bun.file(join(dir, "podman.log")) });
  let proc = spawn();
  const host = `unix://${sock}`;
  let version = "";
  for (let i = 0; i < 200 && !version; i++) {
    await Bun.sleep(50);
    if (!existsSync(sock)) continue;
    const r = Bun.spawnSync(["docker", "version", "--format", "{{.Server.Version}}"], { env: { ...process.env, DOCKER_HOST: host } });
    if (r.exitCode === 0) version = r.stdout.toString().trim();
  }
  const halt = async () => {
    proc.kill("SIGTERM");
    await Promise.race([proc.exited, Bun.sleep(10_000)]);
    if (proc.exitCode === null) proc.kill("SIGKILL");
    await proc.exited;
  };
  const restart = async () => {
    await halt();
    const t0 = performance.now();
    proc = spawn();
    d.pid = proc.pid;
    return firstAnswer(sock, t0);
  };
  const stop = async () => {
    const ids = listAll(host);
    if (ids.length) Bun.spawnSync(["docker", "rm", "-f", "-v", ...ids], { env: { ...process.env, DOCKER_HOST: host } });
    await halt();
    // conmon processes daemonize away from the service; they carry the directory in argv.
    Bun.spawnSync(["pkill", "-KILL", "-f", dir]);
    const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4] ?? "");
    for (const m of mounts.filter((m) => m.startsWith(dir + "/")).sort((a, b) => b.length - a.length)) Bun.spawnSync(["umount", "-l", m]);
    rmSync(dir, { recursive: true, force: true });
    // Its containers' cgroups live under /libpod_parent; remove what this run made.
    if (!hadParents) for (const p of cgroupParents()) Bun.spawnSync(["sh", "-c", `find '${p}' -depth -type d -exec rmdir {} + 2>/dev/null; true`]);
  };
  if (!version) {
    console.log(`Podman: the service did not answer (${readFileSync(join(dir, "podman.log"), "utf8").trim().split("\n").pop()}); no side-by-side figures`);
    await stop();
    return undefined;
  }
  const d = { pid: proc.pid, dir, sock, host, dataRoot: join(dir, "root"), execRoot: join(dir, "run"), version, stop, restart };
  return d;
}

function listAll(host: string): string[] {
  const r = Bun.spawnSync(["docker", "ps", "-aq"], { env: { ...process.env, DOCKER_HOST: host } });
  return r.stdout.toString().split("\n").filter(Boolean);
}
