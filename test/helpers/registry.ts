// Debian's Distribution registry (`/usr/bin/docker-registry`) on a free loopback port,
// with a config, storage and (optionally) htpasswd file or token settings of its own in a
// temp folder, stopped and removed again by `stop()`. Seeding goes through skopeo, which
// speaks the registry protocol independently of wharf.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort } from "./daemon.ts";

export const registryBin = "/usr/bin/docker-registry";
export const fixtureDir = resolve(import.meta.dirname, "../fixtures");

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the certificate whose key signs the tokens. */
  rootCertBundle: string;
}

export interface RegistryOptions {
  /** user → password, stored bcrypt-hashed with `htpasswd -B`. */
  htpasswd?: Record<string, string>;
  token?: TokenAuth;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  dir: string;
  storage: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  if (!existsSync(registryBin)) throw new Error(`${registryBin} is missing: .ci/run installs docker-registry`);
  const dir = mkdtempSync(join(tmpdir(), "wharf-registry-"));
  const storage = join(dir, "storage");
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = "";
  if (opts.htpasswd) {
    const file = join(dir, "htpasswd");
    writeFileSync(file, "");
    for (const [user, pass] of Object.entries(opts.htpasswd)) {
      const r = spawnSync("htpasswd", ["-B", "-b", file, user, pass], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
    }
    auth = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${file}\n`;
  } else if (opts.token) {
    const cert = join(dir, "token.crt");
    writeFileSync(cert, opts.token.rootCertBundle);
    const t = opts.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${cert}\n`;
  }
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: ${host}
  secret: wharf-test-${port}
${auth}`,
  );
  const proc = spawn(registryBin, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  const reg: TestRegistry = {
    host,
    url: `http://${host}`,
    dir,
    storage,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited with ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${reg.url}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {}
    if (Date.now() > deadline) {
      await reg.stop();
      throw new Error(`docker-registry did not answer on ${host}:\n${out}`);
    }
    await Bun.sleep(30);
  }
  return reg;
}

/** Copies an image archive into the registry with skopeo (e.g. `docker-archive:…` to `busybox:1`). */
export function seed(reg: TestRegistry, source: string, target: string, extra: string[] = []): void {
  const r = spawnSync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", ...extra, source, `docker://${reg.host}/${target}`], {
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`skopeo copy ${source} → ${target} failed: ${r.stderr}`);
}

export const busyboxArchive = `docker-archive:${join(fixtureDir, "busybox-docker-save.tar")}`;
export const multilayerArchive = `docker-archive:${join(fixtureDir, "multilayer-docker-save.tar")}`;
