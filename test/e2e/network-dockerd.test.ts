// Networks as dockerd behaves (issue 16): endpoint settings of created containers,
// connect/disconnect before and after start, names, links in the embedded DNS, the
// shapes of unset maps, internal networks, CheckDuplicate and refused create bodies.
// Traffic only between namespaces this test's daemon makes and the host's own address.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { networkInterfaces, tmpdir } from "node:os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads any field of an answer
type Json = Record<string, any>;
import { docker, freePort, freeSubnet, loadBusybox, removeAllAndCleanup, root, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

interface Reply {
  status: number;
  // The daemon's JSON, whatever its shape: the test looks at its fields.
  json: Json;
  text: string;
}

function api(d: TestDaemon, method: string, path: string, body?: unknown, version = "1.45"): Reply {
  const args = ["-s", "--max-time", "20", "--unix-socket", d.sock, "-X", method, "-w", "\n%{http_code}", `http://x/v${version}${path}`];
  if (body !== undefined) args.push("-H", "Content-Type: application/json", "-d", JSON.stringify(body));
  const r = spawnSync("curl", args, { encoding: "utf8", timeout: 30_000 });
  const nl = r.stdout.lastIndexOf("\n");
  const text = r.stdout.slice(0, nl);
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: Number(r.stdout.slice(nl + 1)), json, text };
}

function sh(argv: string[]) {
  return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 });
}

function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

/** A fresh /24 no host route overlaps, as `a.b.c.0/24` with its `.x` address helper. */
function subnet(): { cidr: string; ip: (n: number) => string } {
  const cidr = freeSubnet(2, false);
  const prefix = cidr.split(".").slice(0, 3).join(".");
  return { cidr, ip: (n) => `${prefix}.${n}` };
}

const networksOf = (d: TestDaemon, c: string) => api(d, "GET", `/containers/${c}/json`).json.NetworkSettings.Networks;

describe("networks as dockerd behaves", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
  });

  it("a created container shows the endpoint settings its create request gave, connects and disconnects before start, and gets the rest at start", () => {
    const s1 = subnet();
    expect(docker(d, ["network", "create", "--subnet", s1.cidr, "dn1"]).code).toBe(0);
    const s2 = subnet();
    expect(docker(d, ["network", "create", "--subnet", s2.cidr, "dn2"]).code).toBe(0);
    const given = { Aliases: ["a1"], DriverOpts: { "com.example.k": "v" }, IPAMConfig: { IPv4Address: s1.ip(10) }, Links: ["other:alias1"] };
    const cr = api(d, "POST", "/containers/create?name=pre", {
      Image: "busybox",
      Cmd: ["sleep", "300"],
      HostConfig: { NetworkMode: "dn1" },
      NetworkingConfig: { EndpointsConfig: { dn1: given } },
    });
    expect(cr.status).toBe(201);
    let nets = networksOf(d, "pre");
    expect(Object.keys(nets)).toEqual(["dn1"]);
    expect(nets.dn1).toMatchObject({ ...given, NetworkID: "", EndpointID: "", IPAddress: "", Gateway: "", MacAddress: "", IPPrefixLen: 0 });

    // Connect to a second network before start: kept as given, with dockerd's DNSNames.
    expect(api(d, "POST", "/networks/dn2/connect", { Container: "pre", EndpointConfig: { Aliases: ["b1"] } }).status).toBe(200);
    nets = networksOf(d, "pre");
    expect(Object.keys(nets).sort()).toEqual(["dn1", "dn2"]);
    expect(nets.dn2.Aliases).toEqual(["b1"]);
    expect(nets.dn2.DNSNames).toEqual(["pre", "b1", cr.json.Id.slice(0, 12)]);
    expect(nets.dn2.EndpointID).toBe("");
    // A second connect of a stopped container to the same network changes nothing (dockerd).
    expect(api(d, "POST", "/networks/dn2/connect", { Container: "pre" }).status).toBe(200);
    expect(networksOf(d, "pre").dn2.Aliases).toEqual(["b1"]);

    // Disconnect, twice: the second fails, with and without Force, with dockerd's message.
    expect(api(d, "POST", "/networks/dn2/disconnect", { Container: "pre" }).status).toBe(200);
    expect(Object.keys(networksOf(d, "pre"))).toEqual(["dn1"]);
    for (const Force of [false, true]) {
      const again = api(d, "POST", "/networks/dn2/disconnect", { Container: "pre", Force });
      expect(again.status).toBe(500);
      expect(again.json.message).toBe(`container ${cr.json.Id} is not connected to the network dn2`);
    }
    // ...and connect again works.
    expect(api(d, "POST", "/networks/dn2/connect", { Container: "pre", EndpointConfig: { Aliases: ["b2"] } }).status).toBe(200);
    // No endpoint was made or removed yet, so dockerd reports no network event for it.
    const events = (until: number) =>
      api(d, "GET", `/events?since=0&until=${until}&filters=${encodeURIComponent(JSON.stringify({ type: ["network"] }))}`)
        .text.split("\n").filter(Boolean).map((l) => JSON.parse(l))
        .filter((e) => e.Actor?.Attributes?.container === cr.json.Id).map((e) => e.Action);
    expect(events(Math.floor(Date.now() / 1000) + 1)).toEqual([]);

    expect(docker(d, ["start", "pre"]).code).toBe(0);
    nets = networksOf(d, "pre");
    const n1 = api(d, "GET", "/networks/dn1").json;
    const n2 = api(d, "GET", "/networks/dn2").json;
    expect(nets.dn1).toMatchObject({ ...given, NetworkID: n1.Id, IPAddress: s1.ip(10), Gateway: s1.ip(1), IPPrefixLen: 24 });
    expect(nets.dn1.EndpointID).toMatch(/^[0-9a-f]{64}$/);
    expect(nets.dn1.MacAddress).toMatch(/^02:42:/);
    expect(nets.dn2).toMatchObject({ Aliases: ["b2"], NetworkID: n2.Id, Gateway: s2.ip(1) });
    expect(nets.dn2.IPAddress.startsWith(s2.ip(0).replace(/0$/, ""))).toBe(true);
    const addrs = docker(d, ["exec", "pre", "ip", "-o", "-4", "addr"]).stdout;
    expect(addrs).toContain(`${s1.ip(10)}/24`);
    expect(addrs).toContain(nets.dn2.IPAddress + "/24");
    expect(Object.keys(n1.Containers)).toEqual([cr.json.Id]);
    expect(events(Math.floor(Date.now() / 1000) + 1).sort()).toEqual(["connect", "connect"]);
  });

  it("a running container disconnects, connects again, and a second disconnect fails with or without --force", () => {
    const s = subnet();
    expect(docker(d, ["network", "create", "--subnet", s.cidr, "rn1"]).code).toBe(0);
    expect(docker(d, ["run", "-d", "--name", "run1", "busybox", "sleep", "300"]).code).toBe(0);
    const id = docker(d, ["inspect", "-f", "{{.Id}}", "run1"]).stdout.trim();
    expect(docker(d, ["network", "connect", "rn1", "run1"]).code).toBe(0);
    expect(docker(d, ["exec", "run1", "ip", "-o", "-4", "addr"]).stdout).toContain(`${s.ip(2)}/24`);
    // Connecting a running container twice is dockerd's conflict.
    const twice = docker(d, ["network", "connect", "rn1", "run1"]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain("endpoint with name run1 already exists in network rn1");

    expect(docker(d, ["network", "disconnect", "rn1", "run1"]).code).toBe(0);
    expect(docker(d, ["exec", "run1", "ip", "-o", "-4", "addr"]).stdout).not.toContain(s.ip(0).replace(/0$/, ""));
    for (const force of [[], ["--force"]]) {
      const again = docker(d, ["network", "disconnect", ...force, "rn1", "run1"]);
      expect(again.code).toBe(1);
      expect(again.stderr.trim()).toBe(`Error response from daemon: container ${id} is not connected to network rn1`);
    }
    expect(docker(d, ["network", "connect", "rn1", "run1"]).code).toBe(0);
    expect(docker(d, ["exec", "run1", "ip", "-o", "-4", "addr"]).stdout).toMatch(new RegExp(`${s.ip(0).replace(/0$/, "").replace(/\./g, "\\.")}\\d+/24`));
    expect(Object.keys(api(d, "GET", "/networks/rn1").json.Containers)).toEqual([id]);
    expect(docker(d, ["rm", "-f", "run1"]).code).toBe(0);
    expect(api(d, "GET", "/networks/rn1").json.Containers).toEqual({});
  });

  it("an asked-for MAC address survives a stop and a start", () => {
    const s = subnet();
    expect(docker(d, ["network", "create", "--subnet", s.cidr, "macnet"]).code).toBe(0);
    const mac = "02:42:de:ad:be:ef";
    expect(docker(d, ["run", "-d", "--name", "mac1", "--network", "macnet", "--mac-address", mac, "busybox", "sleep", "300"]).code).toBe(0);
    const link = () => docker(d, ["exec", "mac1", "cat", "/sys/class/net/eth0/address"]).stdout.trim();
    expect(link()).toBe(mac);
    expect(docker(d, ["stop", "-t", "0", "mac1"]).code).toBe(0);
    expect(docker(d, ["start", "mac1"]).code).toBe(0);
    expect(link()).toBe(mac);
    expect(networksOf(d, "mac1").macnet.MacAddress).toBe(mac);
  });

  it("network names may contain spaces and other characters dockerd accepts", () => {
    for (const name of ["test 01", "ünï·cödé", "a+b@c"]) {
      const s = subnet();
      const c = api(d, "POST", "/networks/create", { Name: name, IPAM: { Config: [{ Subnet: s.cidr }] } });
      expect(c.status, c.text).toBe(201);
      expect(c.json).toEqual({ Id: expect.stringMatching(/^[0-9a-f]{64}$/), Warning: "" });
      expect(docker(d, ["network", "inspect", "-f", "{{.Name}}", name]).stdout.trim()).toBe(name);
      const r = docker(d, ["run", "--rm", "--network", name, "busybox", "ip", "-o", "-4", "addr", "show", "eth0"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(s.ip(2));
      expect(docker(d, ["network", "rm", name]).code).toBe(0);
    }
    const empty = api(d, "POST", "/networks/create", { Name: "" });
    expect(empty.status).toBe(400);
  });

  it("--link on a user-defined network makes the alias resolvable in the embedded DNS, for the linking container only", () => {
    const s = subnet();
    expect(docker(d, ["network", "create", "--subnet", s.cidr, "ln1"]).code).toBe(0);
    expect(docker(d, ["run", "-d", "--name", "ldb", "--network", "ln1", "busybox", "sleep", "300"]).code).toBe(0);
    const dbIp = docker(d, ["inspect", "-f", "{{.NetworkSettings.Networks.ln1.IPAddress}}", "ldb"]).stdout.trim();
    const linked = docker(d, ["run", "--rm", "--network", "ln1", "--link", "ldb:database", "busybox", "nslookup", "database"]);
    expect(linked.stdout, linked.stderr).toContain(`Address: ${dbIp}`);
    const other = docker(d, ["run", "--rm", "--network", "ln1", "busybox", "nslookup", "database"]);
    expect(other.stdout).not.toContain(dbIp);
    // The link is in the endpoint's settings, not in the legacy link graph.
    const cr = api(d, "POST", "/containers/create?name=lpar", { Image: "busybox", Cmd: ["true"], HostConfig: { NetworkMode: "ln1", Links: ["ldb:database"] } });
    expect(cr.status).toBe(201);
    expect(api(d, "GET", "/containers/lpar/json").json.HostConfig.Links).toBeNull();
  });

  it("unset maps are null where dockerd returns null, in inspect and list", () => {
    const ref = JSON.parse(readFileSync(resolve(root, "docs/reference/dockerd-20.10/network-inspect-bridge.json"), "utf8"));
    const s = subnet();
    expect(api(d, "POST", "/networks/create", { Name: "shape1", IPAM: { Config: [{ Subnet: s.cidr }] } }).status).toBe(201);
    expect(api(d, "POST", "/networks/create", { Name: "shape2", CheckDuplicate: true, Options: {}, IPAM: { Driver: "default", Options: { "x": "y" } } }).status).toBe(201);
    const one = api(d, "GET", "/networks/shape1").json;
    expect(Object.keys(one)).toEqual(Object.keys(ref));
    expect(one.IPAM.Options).toBeNull();
    expect(one.IPAM.Config).toEqual([{ Subnet: s.cidr }]);
    expect(one).toMatchObject({ Options: {}, Labels: {}, Containers: {}, ConfigFrom: { Network: "" } });
    expect(api(d, "GET", "/networks/shape2").json.IPAM.Options).toEqual({ x: "y" });
    const listed = (api(d, "GET", "/networks").json as unknown as Json[]).find((n) => n.Name === "shape1");
    expect(listed?.IPAM.Options).toBeNull();
    expect(listed?.Containers).toEqual({});
    expect(api(d, "GET", "/networks/bridge").json.IPAM.Options).toBeNull();
  });

  it("an internal network has no route out and no NAT; its containers still reach each other", async () => {
    const host = hostAddress();
    expect(host, "the host needs a non-loopback IPv4 address").toBeTruthy();
    // A server in another process: the docker CLI runs synchronously here.
    const dir = mkdtempSync(join(tmpdir(), "wharf-internal-"));
    writeFileSync(join(dir, "f"), "from-host\n");
    const port = await freePort();
    const srv = spawn("python3", ["-m", "http.server", String(port), "--bind", "0.0.0.0", "--directory", dir], { stdio: "ignore" });
    try {
      const si = subnet();
      expect(docker(d, ["network", "create", "--internal", "--subnet", si.cidr, "in1"]).code).toBe(0);
      const so = subnet();
      expect(docker(d, ["network", "create", "--subnet", so.cidr, "out1"]).code).toBe(0);
      expect(api(d, "GET", "/networks/in1").json.Internal).toBe(true);
      const nat = sh(["iptables-save", "-t", "nat"]).stdout;
      expect(nat).not.toContain(`-s ${si.cidr}`);
      expect(nat).toContain(`-s ${so.cidr}`);
      expect(docker(d, ["run", "-d", "--name", "ipeer", "--network", "in1", "busybox", "sleep", "300"]).code).toBe(0);
      const route = docker(d, ["run", "--rm", "--network", "in1", "busybox", "ip", "route"]).stdout;
      expect(route).not.toContain("default");
      // busybox wget crashes on Python's answer; a plain request through nc does not.
      const req = `printf 'GET /f HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} ${port}`;
      const get = `for i in 1 2 3 4 5 6 7 8 9 10; do ${req} | grep from-host && break; sleep 0.3; done`;
      // From a normal network the host's server answers (so this test can fail)...
      const ok = docker(d, ["run", "--rm", "--network", "out1", "busybox", "sh", "-c", get]);
      expect(ok.stdout).toContain("from-host");
      // ...from the internal one it does not.
      const out = docker(d, ["run", "--rm", "--network", "in1", "busybox", "sh", "-c", `${req}; echo rc=$?`]);
      expect(out.stdout).toContain("rc=1");
      expect(out.stdout).not.toContain("from-host");
      const peer = docker(d, ["run", "--rm", "--network", "in1", "busybox", "ping", "-c1", "-W2", "ipeer"]);
      expect(peer.code, peer.stdout + peer.stderr).toBe(0);
    } finally {
      srv.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("CheckDuplicate: asked-for duplicates below 1.44 get a warning, are refused otherwise; an ambiguous name is an error", () => {
    const s = subnet();
    const first = api(d, "POST", "/networks/create", { Name: "dup", IPAM: { Config: [{ Subnet: s.cidr }] } }, "1.41");
    expect(first.status).toBe(201);
    expect(api(d, "POST", "/networks/create", { Name: "dup", CheckDuplicate: true }, "1.41")).toMatchObject({ status: 409, json: { message: "network with name dup already exists" } });
    expect(api(d, "POST", "/networks/create", { Name: "dup", CheckDuplicate: false })).toMatchObject({ status: 409, json: { message: "network with name dup already exists" } });
    const second = api(d, "POST", "/networks/create", { Name: "dup", CheckDuplicate: false }, "1.41");
    expect(second.status).toBe(201);
    expect(second.json.Warning).toBe(`Network with name dup (id : ${first.json.Id}) already exists`);
    expect(api(d, "GET", "/networks/dup")).toMatchObject({ status: 400, json: { message: "network dup is ambiguous (2 matches found on name)" } });
    expect(api(d, "GET", `/networks/${second.json.Id}`).json.Name).toBe("dup");
    expect(api(d, "DELETE", `/networks/${second.json.Id}`).status).toBe(204);
    expect(api(d, "GET", "/networks/dup").json.Id).toBe(first.json.Id);
  });

  it("refuses labels of the wrong type and the host, null, overlay and unknown drivers as dockerd does, creating nothing", () => {
    const before = (api(d, "GET", "/networks").json as unknown as Json[]).length;
    const cases: [unknown, number, string][] = [
      [{ Name: "bad1", Labels: { a: 1 } }, 400, "invalid JSON: json: cannot unmarshal number into Go struct field NetworkCreateRequest.Labels of type string"],
      [{ Name: "bad1", Labels: { a: true } }, 400, "invalid JSON: json: cannot unmarshal bool into Go struct field NetworkCreateRequest.Labels of type string"],
      [{ Name: "bad1", Labels: ["a=b"] }, 400, "invalid JSON: json: cannot unmarshal array into Go struct field NetworkCreateRequest.Labels of type map[string]string"],
      [{ Name: "bad1", Driver: "host" }, 403, 'only one instance of "host" network is allowed'],
      [{ Name: "bad1", Driver: "null" }, 403, 'only one instance of "null" network is allowed'],
      [{ Name: "bad1", Driver: "frobnicate" }, 404, "could not find plugin frobnicate in v1 plugin registry: plugin not found"],
      [{ Name: "bad1", Driver: "overlay" }, 403, 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.'],
      [{ Name: "host" }, 403, "host is a pre-defined network and cannot be created"],
    ];
    for (const [body, status, message] of cases) {
      const r = api(d, "POST", "/networks/create", body);
      expect({ status: r.status, message: r.json?.message }).toEqual({ status, message });
    }
    const cli = docker(d, ["network", "create", "-d", "host", "bad2"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim()).toBe('Error response from daemon: only one instance of "host" network is allowed');
    expect((api(d, "GET", "/networks").json as unknown as Json[]).length).toBe(before);
  });
});
