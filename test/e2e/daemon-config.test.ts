// daemon.json as dockerd reads it: every key that applies to wharf, flag/file conflicts,
// unknown keys, --validate, --help, and SIGHUP reloading debug and labels while a
// container keeps running untouched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { docker, freePort, freeSubnet, loadBusybox, removeNetworking, requireBinary, startDaemon, unmountUnder, wharfBin, type TestDaemon } from "../helpers/daemon.ts";
import { daemonOptions } from "../../src/daemon/flags.ts";

const issueKeys = [
  "data-root", "exec-root", "hosts", "debug", "log-level", "storage-driver", "bridge", "bip", "default-address-pools", "dns",
  "dns-search", "dns-opts", "insecure-registries", "registry-mirrors", "max-concurrent-downloads", "max-concurrent-uploads",
  "live-restore", "log-driver", "log-opts", "labels", "default-ulimits", "shutdown-timeout", "iptables", "ip-forward",
  "tls", "tlsverify", "tlscacert", "tlscert", "tlskey",
];

function run(args: string[]) {
  const r = spawnSync(wharfBin, ["-d", ...args], { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function curlJson(sock: string, path: string) {
  const r = spawnSync("curl", ["-sf", "--unix-socket", sock, `http://wharf${path}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`GET ${path}: curl exit ${r.status}`);
  return JSON.parse(r.stdout);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCerts(dir: string): { ca: string; cert: string; key: string; clientCert: string; clientKey: string } {
  const p = (n: string) => join(dir, n);
  const ssl = (args: string[]) => {
    const r = spawnSync("openssl", args, { encoding: "utf8", cwd: dir });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  ssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=wharf-test-ca"]);
  writeFileSync(p("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
  ssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
  ssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.cnf"]);
  writeFileSync(p("client.cnf"), "extendedKeyUsage=clientAuth\n");
  ssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=client"]);
  ssl(["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.pem", "-days", "1", "-extfile", "client.cnf"]);
  return { ca: p("ca.pem"), cert: p("server.pem"), key: p("server.key"), clientCert: p("client.pem"), clientKey: p("client.key") };
}

describe("daemon.json", () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, body: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof body === "string" ? body : JSON.stringify(body, null, 2));
    return p;
  };

  it("has a flag and a key for every daemon.json key of the issue, and --help lists every flag", () => {
    requireBinary();
    const keys = daemonOptions.map((o) => o.key);
    for (const k of issueKeys) expect(keys, k).toContain(k);
    const h = run(["--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage:\twharf -d \[OPTIONS\]/);
    for (const o of daemonOptions) expect(h.stdout, o.flag).toMatch(new RegExp(`${o.short ? `-${o.short}, ` : "    "}--${o.flag}\\b`));
  });

  it("--validate says configuration OK for a file with every key", () => {
    const f = file("all.json", {
      "data-root": "/var/lib/x", "exec-root": "/run/x", hosts: ["unix:///run/x.sock"], debug: true, "log-level": "warn",
      "storage-driver": "vfs", bridge: "wtxall", bip: "10.99.0.1/24", "default-address-pools": [{ base: "10.98.0.0/16", size: 24 }],
      dns: ["10.0.0.53"], "dns-search": ["example.test"], "dns-opts": ["ndots:2"], "insecure-registries": ["10.1.0.0/16", "reg.test:5000"],
      "registry-mirrors": ["https://mirror.test"], "max-concurrent-downloads": 7, "max-concurrent-uploads": 2, "live-restore": true,
      "log-driver": "json-file", "log-opts": { "max-size": "1m" }, labels: ["a=b"], "default-ulimits": { nofile: { Name: "nofile", Soft: 1000, Hard: 2000 } },
      "shutdown-timeout": 3, iptables: false, "ip-forward": false, tls: false, tlsverify: false, tlscacert: "/x/ca.pem", tlscert: "/x/c.pem", tlskey: "/x/k.pem",
    });
    const r = run(["--config-file", f, "--validate"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("configuration OK\n");
  });

  it("refuses a key given both in the file and as a flag, with dockerd's message", () => {
    const f = file("conflict.json", { bridge: "y", labels: ["a=1"], debug: true });
    const r = run(["--config-file", f, "-b", "x", "--label", "c=d", "--validate"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe(
      `wharf daemon: unable to configure the wharf daemon with file ${f}: the following directives are specified both as a flag and in the configuration file: bridge: (from flag: x, from file: y), labels: (from flag: [c=d], from file: [a=1])`,
    );
  });

  it("refuses an unknown key, naming it, and makes nothing", () => {
    const root = join(dir, "unknown-root");
    const f = file("unknown.json", { debug: true, foo: 1, "data-root": root });
    const r = run(["--config-file", f]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`wharf daemon: unable to configure the wharf daemon with file ${f}: the following directives don't match any configuration option: foo`);
    expect(existsSync(root)).toBe(false);
  });

  it("refuses a value of the wrong kind, a missing explicit file and bad JSON, each naming the problem", () => {
    const cases: [unknown, RegExp][] = [
      [{ debug: "yes" }, /cannot unmarshal string into Go struct field Config.debug of type bool/],
      [{ labels: "a=b" }, /Config.labels of type \[\]string/],
      [{ "max-concurrent-downloads": "3" }, /Config.max-concurrent-downloads of type int/],
      [{ "log-opts": { "max-size": 1 } }, /Config.log-opts of type map\[string\]string/],
      [{ "default-ulimits": { nofile: { Soft: 1 } } }, /default-ulimits.nofile/],
      [{ "default-address-pools": ["10.0.0.0/8"] }, /default-address-pools: want a list/],
      [{ "log-driver": "syslog" }, /no log driver named 'syslog'/],
      [{ "log-level": "loud" }, /invalid log level: loud/],
      [{ labels: ["novalue"] }, /bad attribute format: novalue/],
      [{ "default-ulimits": { bogus: { Name: "bogus", Soft: 1, Hard: 1 } } }, /invalid ulimit type: bogus/],
      ["{not json", /invalid JSON/],
    ];
    for (const [body, re] of cases) {
      const r = run(["--config-file", file("bad.json", body), "--validate"]);
      expect(r.code, JSON.stringify(body)).toBe(1);
      expect(r.stderr, JSON.stringify(body)).toMatch(re);
    }
    const missing = run(["--config-file", join(dir, "nope.json"), "--validate"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`open ${join(dir, "nope.json")}: no such file or directory`);
  });

  describe("a daemon configured by its file alone", () => {
    const root = join(dir, "filed");
    const sock = join(root, "wharf.sock");
    const bridge = `wtc${randomBytes(3).toString("hex")}`;
    const bip = freeSubnet(2);
    const pool = freeSubnet(1, false);
    let proc: ReturnType<typeof spawn>;
    let out = "";
    let port = 0;
    let certs: ReturnType<typeof makeCerts>;
    let d: TestDaemon;

    beforeAll(async () => {
      requireBinary();
      mkdirSync(root, { recursive: true });
      certs = makeCerts(root);
      port = await freePort();
      const f = file("filed.json", {
        hosts: [`unix://${sock}`, `tcp://127.0.0.1:${port}`],
        "data-root": join(root, "data"),
        "exec-root": join(root, "exec"),
        pidfile: join(root, "the.pid"),
        debug: true,
        "log-level": "debug",
        "storage-driver": "vfs",
        bridge,
        bip,
        "default-address-pools": [{ base: pool, size: 26 }],
        dns: ["192.0.2.53"],
        "dns-search": ["wharf.test"],
        "dns-opts": ["ndots:3"],
        "insecure-registries": ["10.77.0.0/16", "reg.wharf.test:5000"],
        "registry-mirrors": ["https://mirror.wharf.test"],
        "max-concurrent-downloads": 7,
        "max-concurrent-uploads": 2,
        "live-restore": true,
        "log-driver": "json-file",
        "log-opts": { "max-size": "1m", "max-file": "2" },
        labels: ["tier=test", "owner=wharf"],
        "default-ulimits": { nofile: { Name: "nofile", Soft: 1234, Hard: 2345 } },
        "shutdown-timeout": 4,
        iptables: false,
        "ip-forward": true,
        tls: true,
        tlsverify: true,
        tlscacert: certs.ca,
        tlscert: certs.cert,
        tlskey: certs.key,
      });
      proc = spawn(wharfBin, ["-d", "--config-file", f], { stdio: ["ignore", "pipe", "pipe"] });
      proc.stdout!.on("data", (c) => (out += c));
      proc.stderr!.on("data", (c) => (out += c));
      const deadline = Date.now() + 20_000;
      while (!out.includes("daemon ready")) {
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`daemon did not start:\n${out}`);
        await Bun.sleep(20);
      }
      d = { dir: root, sock, host: `unix://${sock}`, dataRoot: join(root, "data"), execRoot: join(root, "exec"), pidfile: join(root, "the.pid"), bridge, bip, proc, output: () => out, stop: async () => null, cleanup: async () => {} } as TestDaemon;
      loadBusybox(d);
    }, 60_000);

    afterAll(async () => {
      if (d) {
        const ids = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
        if (ids.length) docker(d, ["rm", "-f", ...ids]);
        docker(d, ["network", "prune", "-f"]);
      }
      if (proc && proc.exitCode === null) {
        proc.kill("SIGTERM");
        await new Promise((r) => proc.on("exit", r));
      }
      unmountUnder(root);
      removeNetworking(join(root, "data"), bridge);
    });

    it("hosts, data-root, exec-root, pidfile, storage-driver, debug, labels, registries, live-restore, log-driver show in /info and on disk", () => {
      const info = curlJson(sock, "/info");
      expect(info.DockerRootDir).toBe(join(root, "data"));
      expect(info.Driver).toBe("vfs");
      expect(info.Debug).toBe(true);
      expect(info.Labels).toEqual(["tier=test", "owner=wharf"]);
      expect(info.LiveRestoreEnabled).toBe(true);
      expect(info.LoggingDriver).toBe("json-file");
      expect(info.RegistryConfig.InsecureRegistryCIDRs).toEqual(["127.0.0.0/8", "10.77.0.0/16"]);
      expect(info.RegistryConfig.IndexConfigs["reg.wharf.test:5000"]).toEqual({ Name: "reg.wharf.test:5000", Mirrors: [], Secure: false, Official: false });
      expect(info.RegistryConfig.Mirrors).toEqual(["https://mirror.wharf.test/"]);
      expect(info.DefaultAddressPools).toEqual([{ Base: pool, Size: 26 }]);
      expect(readFileSync(join(root, "the.pid"), "utf8").trim()).toBe(String(proc.pid));
      expect(existsSync(join(root, "exec"))).toBe(true);
      expect(out).toMatch(/\[daemon\]/);
    });

    it("tcp host with tls and tlsverify: a client with the CA's certificate gets in, one without does not", () => {
      const base = ["-s", "--max-time", "10", "--cacert", certs.ca, `https://127.0.0.1:${port}/_ping`];
      const ok = spawnSync("curl", ["--cert", certs.clientCert, "--key", certs.clientKey, ...base], { encoding: "utf8" });
      expect(ok.stdout).toBe("OK");
      const noCert = spawnSync("curl", base, { encoding: "utf8" });
      expect(noCert.stdout).not.toBe("OK");
      const plain = spawnSync("curl", ["-s", "--max-time", "5", `http://127.0.0.1:${port}/_ping`], { encoding: "utf8" });
      expect(plain.stdout).not.toBe("OK");
    });

    it("bridge and bip make the default bridge; iptables false adds no rule; default-address-pools give new networks their subnets", () => {
      const addr = spawnSync("ip", ["-4", "-o", "addr", "show", "dev", bridge], { encoding: "utf8" }).stdout;
      expect(addr).toContain(bip);
      expect(spawnSync("iptables-save", [], { encoding: "utf8" }).stdout).not.toContain(bridge);
      const n = docker(d, ["network", "create", "pooled"]);
      expect(n.code, n.stderr).toBe(0);
      const subnet = docker(d, ["network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "pooled"]).stdout.trim();
      expect(subnet).toBe(pool.replace(/\/24$/, "/26"));
    });

    it("dns, dns-search, dns-opts, default-ulimits and log-driver/log-opts are each container's defaults", () => {
      const r = docker(d, ["run", "--name", "defaults", "busybox", "sh", "-c", "cat /etc/resolv.conf; ulimit -n; ulimit -Hn"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("search wharf.test\n");
      expect(r.stdout).toContain("nameserver 192.0.2.53\n");
      expect(r.stdout).toContain("options ndots:3\n");
      expect(r.stdout).toMatch(/\n1234\n2345\n$/);
      const lc = JSON.parse(docker(d, ["inspect", "-f", "{{json .HostConfig.LogConfig}}", "defaults"]).stdout);
      expect(lc).toEqual({ Type: "json-file", Config: { "max-size": "1m", "max-file": "2" } });
      // A container's own settings win over the daemon's.
      const own = docker(d, ["run", "--rm", "--dns", "192.0.2.99", "--ulimit", "nofile=50:60", "busybox", "sh", "-c", "grep nameserver /etc/resolv.conf; ulimit -n"]);
      expect(own.stdout).toBe("nameserver 192.0.2.99\n50\n");
    });

    it("max-concurrent-downloads/uploads, shutdown-timeout and live-restore are what a SIGHUP's reload event reports", async () => {
      const since = Math.floor(Date.now() / 1000) - 1;
      proc.kill("SIGHUP");
      let ev: { Action: string; Actor: { Attributes: Record<string, string> } } | undefined;
      for (let i = 0; i < 100 && !ev; i++) {
        await Bun.sleep(50);
        const r = docker(d, ["events", "--since", String(since), "--until", String(Math.floor(Date.now() / 1000) + 1), "--filter", "type=daemon", "--format", "{{json .}}"]);
        ev = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.Action === "reload");
      }
      expect(ev).toBeDefined();
      expect(ev!.Actor.Attributes).toMatchObject({ "max-concurrent-downloads": "7", "max-concurrent-uploads": "2", "shutdown-timeout": "4", "live-restore": "true", debug: "true" });
    });
  });
});

describe("SIGHUP", () => {
  let d: TestDaemon;
  let cfg: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-hup-"));
    cfg = join(dir, "daemon.json");
    writeFileSync(cfg, JSON.stringify({ labels: ["phase=one"] }));
    d = await startDaemon(["--config-file", cfg]);
    loadBusybox(d);
  }, 60_000);
  afterAll(async () => {
    if (!d) return;
    const ids = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
    if (ids.length) docker(d, ["rm", "-f", ...ids]);
    await d.cleanup();
    rmSync(join(cfg, ".."), { recursive: true, force: true });
  });

  const info = () => curlJson(d.sock, "/info");

  it("reloads debug and labels, publishes a daemon reload event, and leaves a running container untouched", async () => {
    expect(info().Debug).toBe(false);
    expect(info().Labels).toEqual(["phase=one"]);
    const run = docker(d, ["run", "-d", "--name", "keeper", "busybox", "sleep", "300"]);
    expect(run.code, run.stderr).toBe(0);
    const before = JSON.parse(docker(d, ["inspect", "keeper"]).stdout)[0];
    const since = Math.floor(Date.now() / 1000) - 1;
    const markNano = Date.now() * 1e6;

    writeFileSync(cfg, JSON.stringify({ debug: true, labels: ["phase=two", "extra=yes"] }));
    d.proc.kill("SIGHUP");
    let i = 0;
    while (!info().Debug && i++ < 100) await Bun.sleep(50);
    expect(info().Debug).toBe(true);
    expect(info().Labels).toEqual(["phase=two", "extra=yes"]);

    const after = JSON.parse(docker(d, ["inspect", "keeper"]).stdout)[0];
    expect(after.State.Running).toBe(true);
    expect(after.State.Pid).toBe(before.State.Pid);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(after.RestartCount).toBe(before.RestartCount);
    expect(docker(d, ["exec", "keeper", "echo", "alive"]).stdout).toBe("alive\n");

    const events = docker(d, ["events", "--since", String(since), "--until", String(Math.floor(Date.now() / 1000) + 1), "--format", "{{json .}}"]);
    const list = events.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const reload = list.find((e) => e.Type === "daemon" && e.Action === "reload");
    expect(reload, events.stdout).toBeDefined();
    expect(reload.Actor.Attributes.debug).toBe("true");
    expect(JSON.parse(reload.Actor.Attributes.labels)).toEqual(["phase=two", "extra=yes"]);
    // Nothing happened to the container in between, but the exec this test ran.
    expect(list.filter((e) => e.Type === "container" && e.Actor.ID === before.Id && e.timeNano > markNano && !e.Action.startsWith("exec_"))).toEqual([]);
  });

  it("a file that became invalid is not taken: the daemon keeps its configuration and keeps running", async () => {
    writeFileSync(cfg, JSON.stringify({ debug: false, bogus: true }));
    d.proc.kill("SIGHUP");
    let i = 0;
    while (!d.output().includes("not reloading the configuration") && i++ < 100) await Bun.sleep(50);
    expect(d.output()).toContain("the following directives don't match any configuration option: bogus");
    expect(info().Debug).toBe(true);
    expect(info().Labels).toEqual(["phase=two", "extra=yes"]);
    expect(docker(d, ["inspect", "-f", "{{.State.Running}}", "keeper"]).stdout.trim()).toBe("true");
  });
});
