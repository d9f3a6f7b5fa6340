// wharf and the docker CLI share registry logins through config.json ($DOCKER_CONFIG):
// plain `auths` entries, a `credsStore` and per-registry `credHelpers`, the latter two
// through a docker-credential-* helper this test writes onto PATH (it keeps secrets in a
// JSON file and logs every call), against an htpasswd registry on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { dockerCli, loadBusybox, startDaemon, wharfBin, type TestDaemon } from "../helpers/daemon.ts";
import { busyboxArchive, startRegistry, type TestRegistry } from "../helpers/registry.ts";
import { startTokenIssuer, type TokenIssuer } from "../helpers/token-issuer.ts";

const helperScript = `#!/usr/bin/env python3
# docker credential helper protocol: get/store/erase/list, secrets in $WTEST_STORE.
import json, os, sys
path = os.environ["WTEST_STORE"]
try:
    db = json.load(open(path))
except FileNotFoundError:
    db = {}
action = sys.argv[1]
data = sys.stdin.read()
with open(path + ".log", "a") as log:
    log.write(action + " " + (json.loads(data)["ServerURL"] if action == "store" else data.strip()) + "\\n")
if os.environ.get("WTEST_FAIL") == action:
    sys.stdout.write("the keychain is locked\\n")
    sys.exit(3)
if action == "store":
    c = json.loads(data)
    db[c["ServerURL"]] = {"Username": c["Username"], "Secret": c["Secret"]}
elif action in ("get", "erase"):
    url = data.strip()
    if url not in db:
        sys.stdout.write("credentials not found in native keychain\\n")
        sys.exit(1)
    if action == "get":
        sys.stdout.write(json.dumps({"ServerURL": url, **db[url]}))
        sys.exit(0)
    del db[url]
elif action == "list":
    sys.stdout.write(json.dumps({k: v["Username"] for k, v in db.items()}))
    sys.exit(0)
json.dump(db, open(path, "w"))
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("credentials shared with the docker CLI", () => {
  let reg: TestRegistry;
  let d: TestDaemon;
  let dir: string;
  let env: Record<string, string>;
  const store = () => join(dir, "store.json");
  const config = () => join(dir, "config", "config.json");
  const helperLog = () => (existsSync(`${store()}.log`) ? readFileSync(`${store()}.log`, "utf8").trim().split("\n") : []);
  const secrets = (): Record<string, { Username: string; Secret: string }> => (existsSync(store()) ? JSON.parse(readFileSync(store(), "utf8")) : {});
  const cfg = () => JSON.parse(readFileSync(config(), "utf8"));
  const setConfig = (c: object) => {
    mkdirSync(join(dir, "config"), { recursive: true });
    writeFileSync(config(), JSON.stringify(c));
    rmSync(store(), { force: true });
    rmSync(`${store()}.log`, { force: true });
  };
  const run = (bin: string, args: string[], input?: string, extra: Record<string, string> = {}): Run => {
    const r = spawnSync(bin, args, { encoding: "utf8", input, env: { ...env, ...extra }, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const wharf = (args: string[], input?: string, extra?: Record<string, string>) => run(wharfBin, args, input, extra);
  const docker = (args: string[], input?: string, extra?: Record<string, string>) => run(dockerCli(), args, input, extra);
  const ok = (r: Run) => {
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const image = () => `${reg.host}/bb:1`;
  const rmiPulled = () => void wharf(["rmi", image()]);

  beforeAll(async () => {
    reg = await startRegistry({ htpasswd: { ref: "s3cret" } });
    const home = mkdtempSync(join(reg.dir, "skopeo-"));
    const s = spawnSync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "--dest-creds", "ref:s3cret", busyboxArchive, `docker://${image()}`], {
      encoding: "utf8",
      env: { ...process.env, HOME: home },
    });
    if (s.status !== 0) throw new Error(`skopeo: ${s.stderr}`);
    d = await startDaemon();
    dir = mkdtempSync(join(tmpdir(), "wharf-creds-"));
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "docker-credential-wtest"), helperScript);
    chmodSync(join(dir, "bin", "docker-credential-wtest"), 0o755);
    env = {
      ...(process.env as Record<string, string>),
      PATH: `${join(dir, "bin")}:${process.env.PATH}`,
      DOCKER_HOST: d.host,
      DOCKER_CONFIG: join(dir, "config"),
      WTEST_STORE: store(),
    };
  });
  afterAll(async () => {
    await d?.cleanup();
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("auths: wharf login writes what docker reads, docker login what wharf reads; logout removes it", () => {
    setConfig({ auths: {} });
    const wrong = wharf(["login", "-u", "ref", "--password-stdin", reg.host], "nope\n");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Error response from daemon: login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`);
    expect(cfg().auths[reg.host]).toBeUndefined();

    const right = wharf(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n");
    expect(right.code).toBe(0);
    expect(right.stdout).toBe("Login Succeeded\n");
    // docker 28's warning, word for word, for a secret kept in the file.
    expect(right.stderr).toBe(
      `\nWARNING! Your credentials are stored unencrypted in '${config()}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
    );
    expect(cfg().auths[reg.host]).toEqual({ auth: Buffer.from("ref:s3cret").toString("base64") });
    // The docker CLI pulls with what wharf stored.
    expect(ok(docker(["pull", image()]))).toContain(`Status: Downloaded newer image for ${image()}`);
    // The same login again changes nothing and warns of nothing, as docker 28.
    const again = wharf(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n");
    expect([again.code, again.stderr]).toEqual([0, ""]);
    // No -u: the stored credentials are tried first, as docker 28 does.
    const stored = wharf(["login", reg.host]);
    expect(stored.code).toBe(0);
    expect(stored.stderr).toBe(docker(["login", reg.host]).stderr);
    expect(stored.stderr).toContain("Authenticating with existing credentials... [Username: ref]");

    expect(ok(wharf(["logout", reg.host]))).toBe(`Removing login credentials for ${reg.host}\n`);
    expect(cfg().auths[reg.host]).toBeUndefined();
    rmiPulled();
    const denied = docker(["pull", image()]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("no basic auth credentials");

    ok(docker(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n"));
    expect(ok(wharf(["pull", image()]))).toContain(`Status: Downloaded newer image for ${image()}`);
    ok(docker(["logout", reg.host]));
    rmiPulled();
    const after = wharf(["pull", image()]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("no basic auth credentials");
  });

  it("credsStore: the secret goes to the helper, config.json keeps an empty entry, both CLIs use it", () => {
    setConfig({ credsStore: "wtest" });
    const login = wharf(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n");
    expect(login.code).toBe(0);
    // Nothing stored unencrypted: no warning.
    expect(login.stderr).toBe("");
    expect(secrets()).toEqual({ [reg.host]: { Username: "ref", Secret: "s3cret" } });
    expect(cfg()).toEqual({ credsStore: "wtest", auths: { [reg.host]: {} } });

    expect(ok(docker(["pull", image()]))).toContain("Downloaded newer image");
    rmiPulled();
    expect(ok(wharf(["pull", image()]))).toContain("Downloaded newer image");
    expect(helperLog()).toContain(`get ${reg.host}`);

    // docker's logout erases through the same helper; then wharf has nothing to send.
    ok(docker(["logout", reg.host]));
    expect(secrets()).toEqual({});
    rmiPulled();
    expect(wharf(["pull", image()]).stderr).toContain("no basic auth credentials");

    // docker login through the helper; wharf pushes with it; wharf logout erases it.
    ok(docker(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n"));
    ok(wharf(["pull", image()]));
    ok(wharf(["tag", image(), `${reg.host}/bb:2`]));
    expect(ok(wharf(["push", `${reg.host}/bb:2`]))).toMatch(/2: digest: sha256:[0-9a-f]{64} size: \d+/);
    expect(ok(wharf(["logout", reg.host]))).toBe(`Removing login credentials for ${reg.host}\n`);
    expect(secrets()).toEqual({});
    expect(cfg().auths).toEqual({});
    expect(helperLog().at(-1)).toBe(`erase ${reg.host}`);
    rmiPulled();
    wharf(["rmi", `${reg.host}/bb:2`]);
  });

  it("credHelpers: the registry's own helper wins over the file; a failing helper is reported in docker's words", () => {
    setConfig({ auths: { [reg.host]: { auth: Buffer.from("ref:wrong").toString("base64") } }, credHelpers: { [reg.host]: "wtest" } });
    ok(wharf(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n"));
    expect(secrets()[reg.host]).toEqual({ Username: "ref", Secret: "s3cret" });
    expect(cfg().auths[reg.host]).toEqual({});
    expect(ok(wharf(["pull", image()]))).toContain("Downloaded newer image");
    rmiPulled();

    // A helper that fails to answer: both CLIs go on without credentials.
    const locked = wharf(["pull", image()], undefined, { WTEST_FAIL: "get" });
    const dockerLocked = docker(["pull", image()], undefined, { WTEST_FAIL: "get" });
    expect([locked.code, dockerLocked.code]).toEqual([1, 1]);
    expect(locked.stderr).toBe(dockerLocked.stderr);
    expect(locked.stderr).toContain("no basic auth credentials");

    const cannotStore = wharf(["login", "-u", "ref", "--password-stdin", reg.host], "other\n", { WTEST_FAIL: "store" });
    // The registry refuses "other" before anything is stored.
    expect(cannotStore.code).toBe(1);
    expect(cannotStore.stderr).toContain("401 Unauthorized");
    ok(wharf(["logout", reg.host]));
    const storeFails = wharf(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n", { WTEST_FAIL: "store" });
    expect(storeFails.code).toBe(1);
    expect(storeFails.stderr).toContain("Error saving credentials: error storing credentials - err: exit status 3, out: `the keychain is locked`");
    const dockerStoreFails = docker(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n", { WTEST_FAIL: "store" });
    expect(dockerStoreFails.stderr).toContain("Error saving credentials: error storing credentials - err: exit status 3, out: `the keychain is locked`");

    setConfig({ credsStore: "missing-helper" });
    const missing = wharf(["login", "-u", "ref", "--password-stdin", reg.host], "s3cret\n");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error saving credentials: error storing credentials - err: exec: "docker-credential-missing-helper": executable file not found in $PATH, out: ``');
  });
});

describe("an identity token from login, kept where docker keeps it", () => {
  let issuer: TokenIssuer;
  let reg: TestRegistry;
  let d: TestDaemon;
  let dir: string;
  const run = (bin: string, args: string[], env: Record<string, string>, input?: string) => {
    const r = spawnSync(bin, args, { encoding: "utf8", input, env, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    issuer = await startTokenIssuer({ alice: "wonder" });
    reg = await startRegistry({ token: issuer.auth });
    d = await startDaemon();
    loadBusybox(d);
    dir = mkdtempSync(join(tmpdir(), "wharf-creds-"));
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "docker-credential-wtest"), helperScript);
    chmodSync(join(dir, "bin", "docker-credential-wtest"), 0o755);
  });
  afterAll(async () => {
    await d?.cleanup();
    await reg?.stop();
    issuer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const store of ["file", "helper"] as const) {
    it(`${store}: wharf login keeps the refresh token, not the password; the docker CLI pushes with it`, () => {
      const cfgDir = join(dir, store);
      mkdirSync(cfgDir, { recursive: true });
      writeFileSync(join(cfgDir, "config.json"), JSON.stringify(store === "helper" ? { credsStore: "wtest" } : {}));
      const env = {
        ...(process.env as Record<string, string>),
        PATH: `${join(dir, "bin")}:${process.env.PATH}`,
        DOCKER_HOST: d.host,
        DOCKER_CONFIG: cfgDir,
        WTEST_STORE: join(dir, `${store}.json`),
      };
      const login = run(wharfBin, ["login", "-u", "alice", "--password-stdin", reg.host], env, "wonder\n");
      expect(login.code).toBe(0);
      const cfg = JSON.parse(readFileSync(join(cfgDir, "config.json"), "utf8"));
      let token: string;
      if (store === "file") {
        // As docker writes it: `auth` of "alice:" and the token beside it.
        expect(cfg.auths[reg.host].auth).toBe(Buffer.from("alice:").toString("base64"));
        token = cfg.auths[reg.host].identitytoken;
      } else {
        expect(cfg.auths[reg.host]).toEqual({});
        const kept = JSON.parse(readFileSync(env.WTEST_STORE, "utf8"))[reg.host];
        expect(kept.Username).toBe("<token>");
        token = kept.Secret;
      }
      expect(token).toMatch(/^[0-9a-f]{32}$/);
      // The docker CLI's own login leaves the same shape.
      const dockerDir = join(dir, `${store}-docker`);
      mkdirSync(dockerDir, { recursive: true });
      writeFileSync(join(dockerDir, "config.json"), JSON.stringify(store === "helper" ? { credsStore: "wtest" } : {}));
      const denv = { ...env, DOCKER_CONFIG: dockerDir, WTEST_STORE: join(dir, `${store}-docker.json`) };
      expect(run(dockerCli(), ["login", "-u", "alice", "--password-stdin", reg.host], denv, "wonder\n").code).toBe(0);
      const theirs = JSON.parse(readFileSync(join(dockerDir, "config.json"), "utf8"));
      if (store === "file") expect(Object.keys(theirs.auths[reg.host]).sort()).toEqual(["auth", "identitytoken"]);
      if (store === "file") expect(theirs.auths[reg.host].auth).toBe(cfg.auths[reg.host].auth);
      else expect(JSON.parse(readFileSync(denv.WTEST_STORE, "utf8"))[reg.host].Username).toBe("<token>");
      expect(JSON.stringify(cfg) + (existsSync(env.WTEST_STORE) ? readFileSync(env.WTEST_STORE, "utf8") : "")).not.toContain("wonder");

      expect(run(dockerCli(), ["tag", "busybox:latest", `${reg.host}/tok-${store}:1`], env).code).toBe(0);
      const push = run(dockerCli(), ["push", `${reg.host}/tok-${store}:1`], env);
      expect(push.code).toBe(0);
      expect(push.stdout).toMatch(/1: digest: sha256:[0-9a-f]{64}/);
      run(dockerCli(), ["rmi", `${reg.host}/tok-${store}:1`], env);
      const pull = run(wharfBin, ["pull", `${reg.host}/tok-${store}:1`], env);
      expect(pull.code).toBe(0);
      expect(pull.stdout).toContain(`Status: Downloaded newer image for ${reg.host}/tok-${store}:1`);
    });
  }
});
