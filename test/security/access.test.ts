// Who may drive the daemon: TCP only with TLS (client certificates verified against
// the CA) unless --tls=false is given, and never a web browser: no text/plain bodies
// where JSON is read, no Origin header, no Host naming someone else; Host required.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { connect as tlsConnect } from "node:tls";
import { join } from "node:path";
import { dockerCli, freePort, removeAllAndCleanup, startDaemon, wharfBin, type TestDaemon } from "../helpers/daemon.ts";
import { makeCerts, type Certs } from "./certs.ts";

let d: TestDaemon;
let certs: Certs;
let port: number;

beforeAll(async () => {
  port = await freePort();
  certs = makeCerts(join("/tmp", `wharf-certs-${process.pid}-${port}`));
  d = await startDaemon(["-H", `tcp://127.0.0.1:${port}`, "--tlsverify", "--tlscacert", certs.ca, "--tlscert", certs.serverCert, "--tlskey", certs.serverKey]);
});
afterAll(async () => {
  await removeAllAndCleanup(d);
  spawnSync("rm", ["-rf", certs.dir]);
});

const dockerTcp = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(dockerCli(), ["-H", `tcp://127.0.0.1:${port}`, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: d.dir, DOCKER_CONFIG: join(d.dir, "docker-config"), ...env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const curlUnix = (args: string[]) => spawnSync("curl", ["-s", "-w", "\n%{http_code}", "--unix-socket", d.sock, ...args], { encoding: "utf8" }).stdout;
const statusOf = (out: string) => Number(out.trim().split("\n").pop());

describe("TCP listeners", () => {
  test("a TCP listener without TLS is refused at start, naming the fix", async () => {
    const p = await freePort();
    const bad = await startDaemon(["-H", `tcp://127.0.0.1:${p}`], { wait: false });
    try {
      const code = await new Promise<number | null>((r) => bad.proc.on("exit", (c) => r(c)));
      expect(code).toBe(1);
      expect(bad.output()).toContain(`API is accessible on http://127.0.0.1:${p} without encryption`);
      expect(bad.output()).toContain("--tls=false");
    } finally {
      await bad.cleanup();
    }
  });

  test("--tls=false starts it anyway, with the warning", async () => {
    const p = await freePort();
    const open = await startDaemon(["-H", `tcp://127.0.0.1:${p}`, "--tls=false"]);
    try {
      expect(open.output()).toContain("Binding to IP address without --tlsverify is insecure");
      const r = spawnSync("curl", ["-s", `http://127.0.0.1:${p}/_ping`], { encoding: "utf8" });
      expect(r.stdout).toBe("OK");
    } finally {
      await open.cleanup();
    }
  });

  test("the real docker CLI with a client certificate signed by the CA gets through", () => {
    const r = dockerTcp(["--tlsverify", "--tlscacert", certs.ca, "--tlscert", join(certs.clientDir, "cert.pem"), "--tlskey", join(certs.clientDir, "key.pem"), "version", "--format", "{{.Server.APIVersion}}"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("1.45");
  });

  test("DOCKER_CERT_PATH and DOCKER_TLS_VERIFY work for docker and wharf", () => {
    const env = { DOCKER_CERT_PATH: certs.clientDir, DOCKER_TLS_VERIFY: "1" };
    expect(dockerTcp(["info", "--format", "{{.Name}}"], env).code).toBe(0);
    const w = spawnSync(wharfBin, ["-H", `tcp://127.0.0.1:${port}`, "version"], { encoding: "utf8", env: { ...process.env, ...env } });
    expect(w.stdout).toMatch(/Server:[\s\S]*API version:\s+1\.45/);
    const flags = spawnSync(wharfBin, ["-H", `tcp://127.0.0.1:${port}`, "--tlsverify", "--tlscacert", certs.ca, "--tlscert", join(certs.clientDir, "cert.pem"), "--tlskey", join(certs.clientDir, "key.pem"), "ps"], { encoding: "utf8", env: { PATH: process.env.PATH, HOME: d.dir } });
    expect(flags.stderr).toBe("");
    expect(flags.stdout).toContain("CONTAINER ID");
  });

  test("a client without a certificate, or with one from another CA, is refused", () => {
    const none = dockerTcp(["--tlsverify", "--tlscacert", certs.ca, "version"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/certificate required|bad certificate|handshake|connection reset|EOF/i);
    const stranger = dockerTcp(["--tlsverify", "--tlscacert", certs.ca, "--tlscert", join(certs.strangerDir, "cert.pem"), "--tlskey", join(certs.strangerDir, "key.pem"), "version"]);
    expect(stranger.code).not.toBe(0);
    const plain = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", `http://127.0.0.1:${port}/_ping`], { encoding: "utf8" });
    expect(plain.stdout).not.toBe("200");
  });

  test("a foreign Host header is refused on TCP (DNS rebinding); an IP or localhost passes", () => {
    const curlTls = (host: string) =>
      spawnSync("curl", ["-s", "-w", "\n%{http_code}", "--cacert", certs.ca, "--cert", join(certs.clientDir, "cert.pem"), "--key", join(certs.clientDir, "key.pem"), "-H", `Host: ${host}`, `https://127.0.0.1:${port}/_ping`], { encoding: "utf8" }).stdout;
    const evil = curlTls("evil.example:2375");
    expect(statusOf(evil)).toBe(403);
    expect(evil).toContain("evil.example");
    expect(statusOf(curlTls(`127.0.0.1:${port}`))).toBe(200);
    expect(statusOf(curlTls("localhost"))).toBe(200);
  });
});

describe("browser-style requests", () => {
  test("a text/plain create is 400 with dockerd's message and creates nothing", () => {
    const before = curlUnix(["http://x/containers/json?all=1"]);
    const out = curlUnix(["-H", "Content-Type: text/plain", "-d", JSON.stringify({ Image: "busybox", HostConfig: { Binds: ["/:/host"] } }), "http://x/containers/create"]);
    expect(statusOf(out)).toBe(400);
    expect(out).toContain(`{"message":"unsupported Content-Type header (text/plain): must be 'application/json'"}`);
    expect(curlUnix(["http://x/containers/json?all=1"])).toBe(before);
  });

  test("an Origin header is refused before anything runs", () => {
    const out = curlUnix(["-H", "Origin: http://evil.example", "-H", "Content-Type: application/json", "-d", JSON.stringify({ Image: "busybox" }), "http://x/containers/create"]);
    expect(statusOf(out)).toBe(403);
    expect(out).toContain("Origin");
    expect(statusOf(curlUnix(["-H", "Origin: http://evil.example", "http://x/_ping"]))).toBe(403);
  });

  test("HTTP/1.1 without a Host header is 400 on TCP", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: "127.0.0.1", port, ca: readFileSync(certs.ca), cert: readFileSync(join(certs.clientDir, "cert.pem")), key: readFileSync(join(certs.clientDir, "key.pem")) });
      let got = "";
      s.on("data", (c) => (got += c));
      s.on("end", () => resolve(got));
      s.on("error", reject);
      s.write("GET /_ping HTTP/1.1\r\nConnection: close\r\n\r\n");
      setTimeout(() => (s.destroy(), resolve(got)), 3000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain("missing required Host header");
  });

  test("the unix socket is 0660, group docker when it exists, or --group's", async () => {
    expect(statSync(d.sock).mode & 0o777).toBe(0o660);
    const gid = (name: string) => readFileSync("/etc/group", "utf8").split("\n").map((l) => l.split(":")).find((f) => f[0] === name)?.[2];
    const docker = gid("docker");
    if (docker !== undefined) expect(statSync(d.sock).gid).toBe(Number(docker));
    const other = await startDaemon(["--group", "daemon"]);
    try {
      expect(statSync(other.sock).gid).toBe(Number(gid("daemon")));
    } finally {
      await other.cleanup();
    }
  });
});
