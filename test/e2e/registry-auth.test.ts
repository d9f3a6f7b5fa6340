// Registry authentication through wharf: htpasswd (Basic) and token auth (a token issuer
// the test runs, JWTs the registry verifies with the test's certificate); docker login
// against wharf, and pull/push with the credentials the docker CLI then sends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { docker, loadBusybox, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { busyboxArchive, startRegistry, type TestRegistry } from "../helpers/registry.ts";
import { startTokenIssuer, type TokenIssuer } from "../helpers/token-issuer.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function postAuth(d: TestDaemon, body: object): { status: number; json: Record<string, string> } {
  const r = spawnSync("curl", ["-s", "-w", "\n%{http_code}", "--unix-socket", d.sock, "-XPOST", "-H", "Content-Type: application/json", "-d", JSON.stringify(body), "http://x/v1.45/auth"], {
    encoding: "utf8",
  });
  const [json, code] = r.stdout.trim().split("\n").filter(Boolean);
  return { status: Number(code), json: JSON.parse(json!) };
}

/** skopeo seeds a registry that wants credentials. */
function seedWithCreds(reg: TestRegistry, user: string, pass: string): void {
  const r = spawnSync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "--dest-creds", `${user}:${pass}`, busyboxArchive, `docker://${reg.host}/bb:1`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`skopeo: ${r.stderr}`);
}

describe("htpasswd (Basic) registry", () => {
  let reg: TestRegistry;
  let d: TestDaemon;
  beforeAll(async () => {
    reg = await startRegistry({ htpasswd: { ref: "s3cret" } });
    seedWithCreds(reg, "ref", "s3cret");
    d = await startDaemon();
  });
  afterAll(async () => {
    await d?.cleanup();
    await reg?.stop();
  });

  it("POST /auth: Login Succeeded with the right password, dockerd's 401 message with a wrong one", () => {
    expect(postAuth(d, { username: "ref", password: "s3cret", serveraddress: reg.host })).toEqual({ status: 200, json: { IdentityToken: "", Status: "Login Succeeded" } });
    const bad = postAuth(d, { username: "ref", password: "nope", serveraddress: reg.host });
    expect(bad.status).toBe(500);
    expect(bad.json.message).toBe(`login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`);
  });

  it("pull without credentials fails as dockerd's does, before any stream", () => {
    const r = docker(d, ["pull", `${reg.host}/bb:1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error response from daemon: Head "http://${reg.host}/v2/bb/manifests/1": no basic auth credentials`);
  });

  it("docker login: wrong password refused, right one stored; pull and push then work", () => {
    const wrong = docker(d, ["login", "-u", "ref", "--password-stdin", reg.host], "nope\n");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Error response from daemon: login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`);
    const right = docker(d, ["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n");
    expect(right.code).toBe(0);
    expect(right.stdout).toContain("Login Succeeded");
    expect(ok(docker(d, ["pull", `${reg.host}/bb:1`]))).toContain(`Status: Downloaded newer image for ${reg.host}/bb:1`);
    ok(docker(d, ["tag", `${reg.host}/bb:1`, `${reg.host}/bb:2`]));
    const push = ok(docker(d, ["push", `${reg.host}/bb:2`]));
    expect(push).toContain("Layer already exists");
    expect(push).toMatch(/2: digest: sha256:[0-9a-f]{64} size: \d+/);
    ok(docker(d, ["logout", reg.host]));
    const after = docker(d, ["push", `${reg.host}/bb:2`]);
    expect(after.code).toBe(1);
    expect(after.stderr + after.stdout).toContain("no basic auth credentials");
  });
});

describe("token auth registry", () => {
  let issuer: TokenIssuer;
  let reg: TestRegistry;
  let d: TestDaemon;
  beforeAll(async () => {
    issuer = await startTokenIssuer({ alice: "wonder" });
    reg = await startRegistry({ token: issuer.auth });
    seedWithCreds(reg, "alice", "wonder");
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    await d?.cleanup();
    await reg?.stop();
    issuer?.stop();
  });

  it("anonymous pull is denied in Docker's words", () => {
    const r = docker(d, ["pull", `${reg.host}/bb:1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error response from daemon: pull access denied for ${reg.host}/bb, repository does not exist or may require 'docker login'`);
  });

  it("POST /auth checks the password through the token server", () => {
    const good = postAuth(d, { username: "alice", password: "wonder", serveraddress: reg.host });
    expect(good.status).toBe(200);
    expect(good.json.Status).toBe("Login Succeeded");
    expect(good.json.IdentityToken).toMatch(/^[0-9a-f]{32}$/);
    const bad = postAuth(d, { username: "alice", password: "x", serveraddress: reg.host });
    expect(bad.status).toBe(500);
    expect(bad.json.message).toBe(`login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`);
  });

  it("docker login then pull and push with bearer tokens, one token per scope while it lives", () => {
    expect(docker(d, ["login", "-u", "alice", "--password-stdin", reg.host], "bad\n").code).toBe(1);
    ok(docker(d, ["login", "-u", "alice", "--password-stdin", reg.host], "wonder\n"));
    expect(ok(docker(d, ["pull", `${reg.host}/bb:1`]))).toContain(`Status: Downloaded newer image for ${reg.host}/bb:1`);
    ok(docker(d, ["tag", "busybox:latest", `${reg.host}/mine:1`]));
    expect(ok(docker(d, ["push", `${reg.host}/mine:1`]))).toMatch(/1: digest: sha256:[0-9a-f]{64}/);
    const n = issuer.issued();
    ok(docker(d, ["push", `${reg.host}/mine:1`]));
    // The token of the first push is still valid (expires_in 300 s): none fetched again.
    expect(issuer.issued()).toBe(n);
    const skopeo = spawnSync("skopeo", ["inspect", "--tls-verify=false", "--creds", "alice:wonder", `docker://${reg.host}/mine:1`], { encoding: "utf8" });
    expect(skopeo.status).toBe(0);
    expect(JSON.parse(skopeo.stdout).Layers).toHaveLength(1);
  });

  it("an IdentityToken from login is accepted as X-Registry-Auth", () => {
    const login = postAuth(d, { username: "alice", password: "wonder", serveraddress: reg.host });
    const auth = Buffer.from(JSON.stringify({ identitytoken: login.json.IdentityToken, serveraddress: reg.host })).toString("base64url");
    const r = spawnSync("curl", ["-s", "--unix-socket", d.sock, "-XPOST", "-H", `X-Registry-Auth: ${auth}`, `http://x/v1.45/images/create?fromImage=${reg.host}/bb&tag=1`], { encoding: "utf8" });
    expect(r.stdout).toContain(`Image is up to date for ${reg.host}/bb:1`);
  });
});
