// Networking through the real docker CLI: issue 8's "Done when" list. Real traffic only
// on loopback, the host's own address and between namespaces this test's daemon makes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { docker, freePort, freeSubnet, root, startDaemon, unmountUnder, type TestDaemon, loadBusybox } from "../helpers/daemon.ts";

const busybox = resolve(root, "test/fixtures/busybox-docker-save.tar");

/** The host's own non-loopback IPv4 address, if it has one. */
function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.text() };
}

/** GET once the server in a just started container listens (bounded: 3 s). */
async function httpGetReady(url: string): Promise<{ status: number; body: string }> {
  for (let i = 0; ; i++) {
    try {
      return await httpGet(url);
    } catch (err) {
      if (i >= 30) throw err;
      await Bun.sleep(100);
    }
  }
}

function sh(argv: string[]) {
  return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 });
}

/** Veths enslaved to a bridge, and the daemon's rules (what must not leak). */
function leftovers(d: TestDaemon, bridges: string[]): { veths: string[]; dnat: string[] } {
  const veths = bridges.flatMap((b) => sh(["ip", "-o", "link", "show", "master", b]).stdout.split("\n").filter(Boolean));
  const dnat = sh(["iptables-save", "-t", "nat"]).stdout.split("\n").filter((l) => l.startsWith(`-A WHARF-${d.bridge} `) && l.includes("DNAT"));
  return { veths, dnat };
}

function bridgeOf(d: TestDaemon, net: string): string {
  const id = docker(d, ["network", "inspect", "-f", "{{.Id}}", net]).stdout.trim();
  return `br-${id.slice(0, 12)}`;
}

const web = (dir = "/www") => ["sh", "-c", `mkdir -p ${dir}; echo hello-from-$(hostname) > ${dir}/index.html; exec httpd -f -p 80 -h ${dir}`];

describe("networking e2e", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    if (!d) return;
    const ids = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
    if (ids.length) docker(d, ["rm", "-f", ...ids]);
    docker(d, ["network", "prune", "-f"]);
    await d.cleanup();
    // The helper's cleanup removed bridge and chains; prove it.
    expect(sh(["ip", "link", "show", d.bridge]).status).not.toBe(0);
    expect(sh(["iptables-save"]).stdout).not.toContain(`WHARF-${d.bridge}`);
  });

  it("the default bridge: address, gateway, MAC as Docker derives it, lo and eth0 only, NAT rule", () => {
    const r = docker(d, ["run", "--rm", "busybox", "sh", "-c", "ip -o -4 addr show eth0; ip route; cat /sys/class/net/eth0/address; cat /sys/class/net/eth0/mtu; ls /sys/class/net"]);
    expect(r.stderr).toBe("");
    const gw = d.bip.split("/")[0]!;
    const prefix = gw.split(".").slice(0, 3).join(".");
    const m = new RegExp(`inet (${prefix.replace(/\./g, "\\.")}\\.\\d+)/24`).exec(r.stdout);
    expect(m).not.toBeNull();
    const ip = m![1]!;
    expect(r.stdout).toContain(`default via ${gw} dev eth0`);
    const mac = "02:42:" + ip.split(".").map((b) => Number(b).toString(16).padStart(2, "0")).join(":");
    expect(r.stdout).toContain(mac);
    expect(r.stdout).toContain("1500");
    expect(r.stdout.trim().split("\n").slice(-2)).toEqual(["eth0", "lo"]);
    expect(sh(["iptables-save", "-t", "nat"]).stdout).toContain(`-A WHARF-POST-${d.bridge} -s ${prefix}.0/24 ! -o ${d.bridge} -j MASQUERADE`);
  });

  it("inspect NetworkSettings and GET /networks/bridge have Docker's shape", async () => {
    const id = docker(d, ["run", "-d", "busybox", "sleep", "60"]).stdout.trim();
    const ns = JSON.parse(docker(d, ["inspect", "-f", "{{json .NetworkSettings}}", id]).stdout);
    const br = ns.Networks.bridge;
    expect(ns.IPAddress).toBe(br.IPAddress);
    expect(ns.Gateway).toBe(d.bip.split("/")[0]);
    expect(ns.IPPrefixLen).toBe(24);
    expect(ns.MacAddress).toMatch(/^02:42:/);
    expect(ns.SandboxKey).toContain(d.execRoot);
    expect(ns.SandboxID).toMatch(/^[0-9a-f]{64}$/);
    expect(br.EndpointID).toMatch(/^[0-9a-f]{64}$/);
    expect(ns.EndpointID).toBe(br.EndpointID);
    for (const k of ["IPAMConfig", "Links", "Aliases", "NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "MacAddress", "DriverOpts"]) {
      expect(br).toHaveProperty(k);
    }
    const net = JSON.parse(docker(d, ["network", "inspect", "bridge"]).stdout)[0];
    // Key for key (and in order) what dockerd 20.10 answers.
    const ref = (f: string) => JSON.parse(readFileSync(resolve(root, "docs/reference/dockerd-20.10", f), "utf8"));
    expect(Object.keys(net)).toEqual(Object.keys(ref("network-inspect-bridge.json")));
    expect(Object.keys(net.Options)).toEqual(Object.keys(ref("network-inspect-bridge.json").Options));
    // The raw API answer (the CLI re-encodes through its own structs, in its own order).
    const raw = (await (await fetch(`http://x/v1.45/containers/${id}/json`, { unix: d.sock } as RequestInit)).json()) as any;
    const refNs = [ref("container-inspect-running.json")].flat()[0].NetworkSettings;
    expect(Object.keys(raw.NetworkSettings)).toEqual(Object.keys(refNs));
    const exited = docker(d, ["run", "-d", "busybox", "true"]).stdout.trim();
    docker(d, ["wait", exited]);
    const rawExited = (await (await fetch(`http://x/v1.45/containers/${exited}/json`, { unix: d.sock } as RequestInit)).json()) as any;
    const refExited = [ref("container-inspect-exited.json")].flat()[0].NetworkSettings;
    expect(Object.keys(rawExited.NetworkSettings)).toEqual(Object.keys(refExited));
    expect(rawExited.NetworkSettings.IPAddress).toBe("");
    expect(rawExited.NetworkSettings.Networks.bridge.IPAddress).toBe("");
    expect(rawExited.NetworkSettings.Networks.bridge.NetworkID).toBe(net.Id);
    expect(rawExited.NetworkSettings.SandboxKey).not.toBe(""); // dockerd keeps it after exit
    docker(d, ["rm", exited]);
    const rawNet = (await (await fetch(`http://x/v1.45/networks/bridge`, { unix: d.sock } as RequestInit)).json()) as any;
    expect(Object.keys(rawNet)).toEqual(Object.keys(ref("network-inspect-bridge.json")));
    expect(br.NetworkID).toBe(net.Id);
    expect(net.Options["com.docker.network.bridge.name"]).toBe(d.bridge);
    expect(net.IPAM.Config[0].Gateway).toBe(d.bip.split("/")[0]);
    expect(net.Containers[id].IPv4Address).toBe(`${br.IPAddress}/24`);
    docker(d, ["rm", "-f", id]);
    const ls = docker(d, ["network", "ls", "--format", "{{.Name}} {{.Driver}}"]).stdout;
    expect(ls).toContain("bridge bridge");
    expect(ls).toContain("host host");
    expect(ls).toContain("none null");
    expect(docker(d, ["network", "rm", "bridge"]).stderr).toContain("bridge is a pre-defined network and cannot be removed");
  });

  it("run -d -p PORT:80 httpd answers on 127.0.0.1:PORT and on the host's own address", async () => {
    const port = await freePort();
    const id = docker(d, ["run", "-d", "-p", `${port}:80`, "busybox", ...web()]).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const got = await httpGetReady(`http://127.0.0.1:${port}/`);
    expect(got?.status).toBe(200);
    expect(got?.body).toMatch(/^hello-from-/);
    const host = hostAddress();
    expect(host).toBeDefined();
    expect((await httpGet(`http://${host}:${port}/`)).body).toMatch(/^hello-from-/);
    const ports = JSON.parse(docker(d, ["inspect", "-f", "{{json .NetworkSettings.Ports}}", id]).stdout);
    expect(ports).toEqual({ "80/tcp": [{ HostIp: "0.0.0.0", HostPort: String(port) }, { HostIp: "::", HostPort: String(port) }] });
    // From containers through host addresses: same bridge (hairpin) and another network.
    const gw = d.bip.split("/")[0]!;
    const same = docker(d, ["run", "--rm", "busybox", "wget", "-q", "-O-", `http://${gw}:${port}/`]);
    expect(same.stdout).toMatch(/^hello-from-/);
    const sub = freeSubnet(2, false);
    expect(docker(d, ["network", "create", "--subnet", sub, "elsewhere"]).code).toBe(0);
    const cross = docker(d, ["run", "--rm", "--network", "elsewhere", "busybox", "wget", "-q", "-O-", `http://${host}:${port}/`]);
    expect(cross.stdout).toMatch(/^hello-from-/);
    docker(d, ["network", "rm", "elsewhere"]);
    const pb = JSON.parse(docker(d, ["inspect", "-f", "{{json .HostConfig.PortBindings}}", id]).stdout);
    expect(pb).toEqual({ "80/tcp": [{ HostIp: "", HostPort: String(port) }] });
    expect(docker(d, ["ps", "--format", "{{.Ports}}", "--filter", `id=${id}`]).stdout).toContain(`0.0.0.0:${port}->80/tcp`);
    docker(d, ["rm", "-f", id]);
    expect(leftovers(d, [d.bridge])).toEqual({ veths: [], dnat: [] });
    await expect(httpGet(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it("-p 80 and -P pick free host ports, shown in inspect as soon as start returns; ranges map one to one", async () => {
    const id = docker(d, ["run", "-d", "-p", "80", "--expose", "81", "-P", "busybox", ...web()]).stdout.trim();
    const ports = JSON.parse(docker(d, ["inspect", "-f", "{{json .NetworkSettings.Ports}}", id]).stdout);
    const p80 = Number(ports["80/tcp"][0].HostPort);
    const p81 = Number(ports["81/tcp"][0].HostPort);
    expect(p80).toBeGreaterThan(0);
    expect(p81).toBeGreaterThan(0);
    expect(p80).not.toBe(p81);
    expect((await httpGetReady(`http://127.0.0.1:${p80}/`)).body).toMatch(/^hello-from-/);
    docker(d, ["rm", "-f", id]);

    const a = await freePort();
    let b = await freePort();
    if (b === a + 1 || b === a) b = a + 1;
    const base = Math.min(a, 60000);
    const r = docker(d, ["run", "-d", "-p", `127.0.0.1:${base}-${base + 1}:8000-8001/udp`, "busybox", "sleep", "60"]);
    expect(r.stderr).toBe("");
    const up = JSON.parse(docker(d, ["inspect", "-f", "{{json .NetworkSettings.Ports}}", r.stdout.trim()]).stdout);
    expect(up).toEqual({
      "8000/udp": [{ HostIp: "127.0.0.1", HostPort: String(base) }],
      "8001/udp": [{ HostIp: "127.0.0.1", HostPort: String(base + 1) }],
    });
    docker(d, ["rm", "-f", r.stdout.trim()]);
  });

  it("a host port in use is a clear error at start and nothing is left half set up", async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(port, "0.0.0.0", () => r()));
    try {
      const r = docker(d, ["run", "-d", "--name", "portclash", "-p", `${port}:80`, "busybox", "sleep", "60"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`Bind for 0.0.0.0:${port} failed: port is already allocated`);
      expect(docker(d, ["inspect", "-f", "{{.State.Running}} {{.NetworkSettings.IPAddress}}", "portclash"]).stdout.trim()).toBe("false");
      expect(leftovers(d, [d.bridge])).toEqual({ veths: [], dnat: [] });
      // A second container of the same daemon on the same port: the same error.
      const port2 = await freePort();
      const first = docker(d, ["run", "-d", "-p", `${port2}:80`, "busybox", "sleep", "60"]).stdout.trim();
      const again = docker(d, ["run", "-d", "-p", `${port2}:80`, "busybox", "sleep", "60"]);
      expect(again.stderr).toContain("port is already allocated");
      docker(d, ["rm", "-f", first, "portclash"]);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it("containers on a user network reach each other by name and alias; another network cannot reach them", () => {
    const s1 = freeSubnet(2, false);
    expect(docker(d, ["network", "create", "--subnet", s1, "front"]).code).toBe(0);
    let s2 = freeSubnet(2, false);
    for (let i = 0; s2 === s1 && i < 10; i++) s2 = freeSubnet(2, false);
    expect(docker(d, ["network", "create", "--subnet", s2, "back"]).code).toBe(0);
    const srv = docker(d, ["run", "-d", "--name", "srv", "--network", "front", "--network-alias", "webalias", "busybox", ...web()]).stdout.trim();
    expect(srv).toMatch(/^[0-9a-f]{64}$/);
    const srvIp = docker(d, ["inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "srv"]).stdout.trim();
    const r = docker(d, ["run", "--rm", "--network", "front", "busybox", "sh", "-c",
      `i=0; until wget -q -O /dev/null http://srv/ || [ $i -ge 30 ]; do i=$((i+1)); sleep 0.1; done; ping -c1 -W2 srv >/dev/null && echo ping-name-ok; ping -c1 -W2 webalias >/dev/null && echo ping-alias-ok; ping -c1 -W2 ${srv.slice(0, 12)} >/dev/null && echo ping-id-ok; wget -q -O- http://srv/; wget -q -O- http://webalias/`]);
    expect(r.stdout).toContain("ping-name-ok");
    expect(r.stdout).toContain("ping-alias-ok");
    expect(r.stdout).toContain("ping-id-ok");
    expect(r.stdout.match(/hello-from-/g)?.length).toBe(2);
    // Isolation: by address (a name would not resolve there, and must not be sent to the host's resolvers).
    const other = docker(d, ["run", "--rm", "--network", "back", "busybox", "sh", "-c", `ping -c1 -W1 ${srvIp} >/dev/null && echo reached; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 ${srvIp} 80 && echo reached-tcp; echo done`]);
    expect(other.stdout).not.toContain("reached");
    expect(other.stdout).toContain("done");
    // The default bridge keeps legacy behaviour: no resolver, the host's (non-loopback) servers.
    const legacy = docker(d, ["run", "--rm", "busybox", "cat", "/etc/resolv.conf"]).stdout;
    expect(legacy).not.toContain(s1.replace(/0\/24$/, "1"));
    const inspect = JSON.parse(docker(d, ["network", "inspect", "front"]).stdout)[0];
    expect(inspect.Containers[srv].Name).toBe("srv");
    expect(inspect.IPAM.Config[0].Subnet).toBe(s1);
    // 409 while attached; then connect/disconnect of a stopped and a running container.
    const rm = docker(d, ["network", "rm", "front"]);
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toContain("has active endpoints");
    expect(docker(d, ["network", "connect", "--alias", "srv2", "back", "srv"]).code).toBe(0);
    const both = docker(d, ["exec", "srv", "ls", "/sys/class/net"]);
    if (both.code === 0) expect(both.stdout.split("\n")).toContain("eth1");
    const backIp = docker(d, ["inspect", "-f", "{{.NetworkSettings.Networks.back.IPAddress}}", "srv"]).stdout.trim();
    expect(backIp.startsWith(s2.split(".").slice(0, 3).join("."))).toBe(true);
    const viaBack = docker(d, ["run", "--rm", "--network", "back", "busybox", "sh", "-c", "wget -q -O- http://srv2/"]);
    expect(viaBack.stdout).toMatch(/^hello-from-/);
    expect(docker(d, ["network", "disconnect", "back", "srv"]).code).toBe(0);
    expect(docker(d, ["inspect", "-f", "{{json .NetworkSettings.Networks.back}}", "srv"]).stdout.trim()).toBe("null");
    docker(d, ["rm", "-f", "srv"]);
    expect(leftovers(d, [bridgeOf(d, "front"), bridgeOf(d, "back")]).veths).toEqual([]);
    expect(docker(d, ["network", "rm", "front", "back"]).code).toBe(0);
    expect(sh(["ip", "route"]).stdout).not.toContain(s1);
  });

  it("a bridge that belongs to another daemon is a clear error at start, and that daemon's rules stay", async () => {
    const other = await startDaemon(["--bridge", d.bridge, "--bip", freeSubnet(1)], { wait: false });
    try {
      for (let i = 0; i < 200 && other.proc.exitCode === null; i++) await Bun.sleep(25);
      expect(other.proc.exitCode).toBe(1);
      expect(other.output()).toContain(`bridge ${d.bridge} already exists and is not this daemon's (owned by wharf:${d.dataRoot})`);
      expect(sh(["iptables-save", "-t", "nat"]).stdout).toContain(`:WHARF-${d.bridge} `);
      expect(docker(d, ["run", "--rm", "busybox", "true"]).code).toBe(0);
    } finally {
      // Not other.cleanup(): it would remove the chains named after d's bridge.
      unmountUnder(other.dir);
      rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it("--network none has only lo; host sees the host's interfaces; container: shares a namespace", () => {
    const none = docker(d, ["run", "--rm", "--network", "none", "busybox", "ls", "/sys/class/net"]);
    expect(none.stdout.trim().split("\n")).toEqual(["lo"]);
    const host = docker(d, ["run", "--rm", "--network", "host", "busybox", "ls", "/sys/class/net"]);
    expect(host.stdout.split("\n")).toContain(d.bridge);
    const h = docker(d, ["run", "-d", "--network", "host", "busybox", "sleep", "60"]).stdout.trim();
    expect(Object.keys(JSON.parse(docker(d, ["network", "inspect", "host"]).stdout)[0].Containers)).toEqual([h]);
    docker(d, ["rm", "-f", h]);
    const a = docker(d, ["run", "-d", "--name", "nsowner", "busybox", "sleep", "60"]).stdout.trim();
    const ip = docker(d, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", a]).stdout.trim();
    const shared = docker(d, ["run", "--rm", "--network", "container:nsowner", "busybox", "ip", "-o", "-4", "addr", "show", "eth0"]);
    expect(shared.stdout).toContain(`inet ${ip}/24`);
    docker(d, ["rm", "-f", a]);
  });

  it("a network's com.docker.network.driver.mtu option sets its bridge's and veths' MTU", () => {
    expect(docker(d, ["network", "create", "--subnet", freeSubnet(2, false), "-o", "com.docker.network.driver.mtu=1400", "small"]).code).toBe(0);
    expect(docker(d, ["run", "--rm", "--network", "small", "busybox", "cat", "/sys/class/net/eth0/mtu"]).stdout.trim()).toBe("1400");
    expect(sh(["cat", `/sys/class/net/${bridgeOf(d, "small")}/mtu`]).stdout.trim()).toBe("1400");
    docker(d, ["network", "rm", "small"]);
  });

  it("--dns, --dns-search, --dns-option, --add-host (host-gateway), --hostname, --domainname, --mac-address, --ip", () => {
    const sub = freeSubnet(2, false);
    expect(docker(d, ["network", "create", "--subnet", sub, "fixed"]).code).toBe(0);
    const want = sub.replace(/0\/24$/, "77");
    const r = docker(d, ["run", "--rm", "--network", "fixed", "--ip", want, "--mac-address", "02:42:de:ad:be:ef", "--hostname", "box", "--domainname", "example.test",
      "--add-host", "gw:host-gateway", "--add-host", "other:192.0.2.99", "busybox", "sh", "-c", "ip -o -4 addr show eth0; cat /sys/class/net/eth0/address; hostname; cat /etc/hosts"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`inet ${want}/24`);
    expect(r.stdout).toContain("02:42:de:ad:be:ef");
    expect(r.stdout).toContain("\nbox\n");
    expect(r.stdout).toContain(`${d.bip.split("/")[0]}\tgw`);
    expect(r.stdout).toContain("192.0.2.99\tother");
    expect(r.stdout).toContain(`${want}\tbox.example.test box`);
    const dns = docker(d, ["run", "--rm", "--dns", "192.0.2.53", "--dns-search", "corp.test", "--dns-option", "ndots:2", "busybox", "cat", "/etc/resolv.conf"]);
    expect(dns.stdout).toBe("search corp.test\nnameserver 192.0.2.53\noptions ndots:2\n");
    // --ip only on user networks, as Docker.
    const bad = docker(d, ["run", "--rm", "--ip", "10.1.2.3", "busybox", "true"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("user specified IP address is supported on user defined networks only");
    docker(d, ["network", "rm", "fixed"]);
  });

  it("on a user network, names that are not containers' go to the container's --dns servers (a fake one on loopback)", async () => {
    const { createSocket } = await import("node:dgram");
    const { answer } = await import("../../src/network/dns.ts");
    const fake = createSocket("udp4");
    const asked: string[] = [];
    fake.on("message", (m, r) => {
      asked.push(m.subarray(12, m.length - 4).toString("latin1"));
      fake.send(answer(m, { name: "", type: m.readUInt16BE(m.length - 4), end: m.length }, ["192.0.2.7"]), r.port, r.address);
    });
    const fakeIp = `127.0.${Math.floor(Math.random() * 200) + 20}.${Math.floor(Math.random() * 200) + 20}`;
    await new Promise<void>((r) => fake.bind(53, fakeIp, () => r()));
    try {
      expect(docker(d, ["network", "create", "--subnet", freeSubnet(2, false), "fwd"]).code).toBe(0);
      // Not the synchronous docker(): this process must stay free to answer as the fake server.
      const p = Bun.spawn(["docker", "run", "--rm", "--network", "fwd", "--dns", fakeIp, "busybox", "nslookup", "-type=a", "outside.test"], {
        env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: `${d.dir}/docker-config` },
        stdout: "pipe",
      });
      const out = await Promise.race([new Response(p.stdout).text(), Bun.sleep(30_000).then(() => (p.kill(), "timeout"))]);
      expect(out).toContain("192.0.2.7");
      expect(asked.some((q) => q.includes("outside"))).toBe(true);
      // resolv.conf still points at the network's own resolver.
      expect(docker(d, ["run", "--rm", "--network", "fwd", "--dns", fakeIp, "busybox", "cat", "/etc/resolv.conf"]).stdout).not.toContain(fakeIp);
    } finally {
      fake.close();
      docker(d, ["network", "rm", "fwd"]);
    }
  });

  it("network API: create options and labels round-trip, filters, duplicate names, prune", () => {
    const sub = freeSubnet(2, false);
    const c = docker(d, ["network", "create", "--subnet", sub, "--gateway", sub.replace(/0\/24$/, "254"), "--ip-range", sub.replace(/0\/24$/, "128/25"), "--internal", "--attachable", "--label", "com.example=1", "-o", "x.y=z", "lab"]);
    expect(c.code).toBe(0);
    const n = JSON.parse(docker(d, ["network", "inspect", "lab"]).stdout)[0];
    expect(n.Internal).toBe(true);
    expect(n.Attachable).toBe(true);
    expect(n.Labels).toEqual({ "com.example": "1" });
    expect(n.Options).toEqual({ "x.y": "z" });
    expect(n.IPAM.Config[0]).toEqual({ Subnet: sub, Gateway: sub.replace(/0\/24$/, "254"), IPRange: sub.replace(/0\/24$/, "128/25") });
    expect(docker(d, ["network", "create", "--subnet", freeSubnet(2, false), "lab"]).stderr).toContain("network with name lab already exists");
    expect(docker(d, ["network", "ls", "-q", "--filter", "label=com.example=1"]).stdout.trim()).toBe(n.Id.slice(0, 12));
    expect(docker(d, ["network", "ls", "--format", "{{.Name}}", "--filter", "type=custom"]).stdout.trim()).toBe("lab");
    expect(docker(d, ["network", "ls", "--format", "{{.Name}}", "--filter", "dangling=true"]).stdout.trim()).toBe("lab");
    const ip = docker(d, ["run", "--rm", "--network", "lab", "busybox", "sh", "-c", "ip -o -4 addr show eth0; ip route; cat /sys/class/net/eth0/mtu"]).stdout;
    expect(ip).not.toContain("default"); // internal: no way out
    expect(ip.trim().split("\n").at(-1)).toBe("1500");
    const last = Number(/inet \d+\.\d+\.\d+\.(\d+)\//.exec(ip)?.[1]);
    expect(last).toBeGreaterThan(128);
    expect(docker(d, ["network", "inspect", "nosuchnet"]).stderr).toContain("network nosuchnet not found");
    // Filters narrow a prune: too young for until=1h; label! excludes it.
    expect(docker(d, ["network", "prune", "-f", "--filter", "until=1h"]).stdout).not.toContain("lab");
    expect(docker(d, ["network", "prune", "-f", "--filter", "label!=com.example"]).stdout).not.toContain("lab");
    const p = docker(d, ["network", "prune", "-f", "--filter", "label=com.example=1"]);
    expect(p.stdout).toContain("lab");
    expect(docker(d, ["network", "ls", "-q", "--filter", "name=lab"]).stdout.trim()).toBe("");
  });

  it("after 100 create/start/rm cycles with ports and networks nothing is left and no address is handed out twice", async () => {
    // A /28 has 13 addresses for containers: a single leaked address per cycle would exhaust it.
    const sub = freeSubnet(2, false).replace(/0\/24$/, "0/28");
    expect(docker(d, ["network", "create", "--subnet", sub, "cyc"]).code).toBe(0);
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`http://x/v1.45${path}`, { method, unix: d.sock, headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined } as RequestInit);
    const seen = new Set<string>();
    const keep = docker(d, ["run", "-d", "--network", "cyc", "busybox", "sleep", "300"]).stdout.trim();
    const keepIp = docker(d, ["inspect", "-f", "{{.NetworkSettings.Networks.cyc.IPAddress}}", keep]).stdout.trim();
    for (let i = 0; i < 100; i++) {
      const cr = await api("POST", "/containers/create", { Image: "busybox", Cmd: ["sleep", "30"], ExposedPorts: { "80/tcp": {} }, HostConfig: { NetworkMode: i % 2 ? "cyc" : "bridge", PortBindings: { "80/tcp": [{ HostPort: "0" }] } } });
      expect(cr.status).toBe(201);
      const { Id } = (await cr.json()) as { Id: string };
      const st = await api("POST", `/containers/${Id}/start`);
      expect(st.status).toBe(204);
      const ins = (await (await api("GET", `/containers/${Id}/json`)).json()) as any;
      const ip = Object.values(ins.NetworkSettings.Networks as Record<string, { IPAddress: string }>)[0]!.IPAddress;
      expect(ip).not.toBe(keepIp);
      // HostPort "0": the chosen port is in inspect as soon as start has returned.
      expect(Number(ins.NetworkSettings.Ports["80/tcp"][0].HostPort)).toBeGreaterThan(0);
      seen.add(ip);
      expect((await api("DELETE", `/containers/${Id}?force=1`)).status).toBe(204);
    }
    expect(seen.size).toBeGreaterThan(2);
    docker(d, ["rm", "-f", keep]);
    expect(leftovers(d, [d.bridge, bridgeOf(d, "cyc")])).toEqual({ veths: [], dnat: [] });
    expect(sh(["ls", `${d.execRoot}/netns`]).stdout.trim()).toBe("");
    docker(d, ["network", "rm", "cyc"]);
  }, 300_000); // ~12 s alone; much longer when every helper's suite shares the two cores
});

describe("networking across a daemon kill -9 and restart", () => {
  it("running containers keep their address and published port; the dead ones leave nothing; stop removes bridges and chains", async () => {
    const d = await startDaemon();
    const args = ["--bridge", d.bridge, "--bip", d.bip];
    let d2: TestDaemon | undefined;
    try {
      expect(docker(d, ["load", "-i", busybox]).code).toBe(0);
      const port = await freePort();
      const live = docker(d, ["run", "-d", "-p", `${port}:80`, "busybox", ...web()]).stdout.trim();
      const doomed = docker(d, ["run", "-d", "busybox", "sleep", "300"]).stdout.trim();
      const sub = freeSubnet(2, false);
      expect(docker(d, ["network", "create", "--subnet", sub, "rnet"]).code).toBe(0);
      const named = docker(d, ["run", "-d", "--name", "named", "--network", "rnet", "busybox", "sleep", "300"]).stdout.trim();
      const ipLive = docker(d, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", live]).stdout.trim();
      const doomedPid = Number(docker(d, ["inspect", "-f", "{{.State.Pid}}", doomed]).stdout.trim());
      expect((await httpGetReady(`http://127.0.0.1:${port}/`)).status).toBe(200);
      d.proc.kill("SIGKILL");
      await d.stop();
      process.kill(doomedPid, "SIGKILL");
      // A second daemon on the same roots and bridge: what the first one left is its to reconcile.
      d2 = await restartOn(d, args);
      expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
      const after = docker(d2, ["run", "-d", "busybox", "sleep", "300"]).stdout.trim();
      const ipAfter = docker(d2, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", after]).stdout.trim();
      expect(ipAfter).not.toBe(ipLive);
      expect(docker(d2, ["inspect", "-f", "{{.State.Running}} {{.NetworkSettings.IPAddress}}", doomed]).stdout.trim()).toBe("false");
      // The user network's resolver is back and still knows the survivor.
      const ping = docker(d2, ["run", "--rm", "--network", "rnet", "busybox", "ping", "-c1", "-W2", "named"]);
      expect(ping.stdout).toContain("1 packets received");
      docker(d2, ["rm", "-f", live, doomed, after, named]);
      expect(docker(d2, ["network", "rm", "rnet"]).code).toBe(0);
      expect(leftovers(d2, [d.bridge])).toEqual({ veths: [], dnat: [] });
      expect(sh(["ls", `${d.execRoot}/netns`]).stdout.trim()).toBe("");
      expect(await d2.stop()).toBe(0);
      expect(sh(["ip", "link", "show", d.bridge]).status).not.toBe(0);
      expect(sh(["iptables-save"]).stdout).not.toContain(`WHARF-${d.bridge}`);
    } finally {
      if (d2) await d2.cleanup();
      await d.cleanup();
    }
  });
});

describe("the default bridge's subnet without --bip", () => {
  it("is picked among Docker's default pools, overlapping no host route", async () => {
    const bridge = `wt${Math.random().toString(16).slice(2, 10)}`;
    const d = await startDaemon(["--bridge", bridge]);
    try {
      const subnet = docker(d, ["network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "bridge"]).stdout.trim();
      expect(subnet).toMatch(/^(172\.(1[7-9]|2\d|3[01])\.0\.0\/16|192\.168\.\d+\.0\/20)$/);
      const { overlaps, parseCidr } = await import("../../src/network/addr.ts");
      const routes = sh(["ip", "-4", "route", "show", "table", "all"]).stdout.split("\n")
        .filter((l) => !l.includes(`dev ${bridge}`) && /^(local |broadcast )?\d/.test(l))
        .map((l) => l.replace(/^(local|broadcast) /, "").split(" ")[0]!)
        .filter((dst) => !dst.startsWith("127."))
        .map((dst) => (dst.includes("/") ? dst : `${dst}/32`));
      for (const r of routes) expect(overlaps(parseCidr(r), parseCidr(subnet)), `${r} overlaps ${subnet}`).toBe(false);
    } finally {
      await d.cleanup();
    }
  });
});

/** Starts a daemon on `d`'s roots again (after a crash). */
async function restartOn(d: TestDaemon, args: string[]): Promise<TestDaemon> {
  const { spawn } = await import("node:child_process");
  const proc = spawn(resolve(root, "dist/wharf"), ["-d", "-H", d.host, "--data-root", d.dataRoot, "--exec-root", d.execRoot, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  const d2: TestDaemon = {
    ...d,
    proc,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return await exited;
    },
    async cleanup() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await exited;
      }
    },
  };
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`daemon exited: ${out}`);
    if (sh(["curl", "-sf", "--unix-socket", d.sock, "http://x/_ping"]).stdout === "OK") return d2;
    await Bun.sleep(25);
  }
  throw new Error(`daemon did not come back: ${out}`);
}
