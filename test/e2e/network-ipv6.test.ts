// IPv6 (issue 16): EnableIPv6 networks with IPv6 IPAM subnets, --ip6, link-local IPs,
// IPv6 addresses in inspect, AAAA answers, published ports on [::1] and the host's IPv6
// addresses, the default bridge with --ipv6 --fixed-cidr-v6, and ip6tables rules that go
// with what made them. Subnets are unique local /64s picked at random per test; traffic
// only on loopback, the host's own addresses and namespaces this test's daemons make.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads any field of an answer
type Json = Record<string, any>;
import { docker, freePort, freeSubnet, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

function sh(argv: string[]) {
  return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 });
}

/** A unique local /64 no interface of this host is on: `fdXX:XXXX:XXXX:XXXX::`. */
function ula(): { cidr: string; ip: (suffix: string) => string } {
  const routes = sh(["ip", "-6", "route", "show", "table", "all"]).stdout;
  for (;;) {
    const b = randomBytes(7).toString("hex");
    const prefix = `fd${b.slice(0, 2)}:${b.slice(2, 6)}:${b.slice(6, 10)}:${b.slice(10, 14)}`.replace(/:0+(?=[0-9a-f])/g, ":");
    // Zero groups would be written `::` and make the expected strings awkward.
    if (routes.includes(prefix) || /:0(:|$)/.test(prefix)) continue;
    return { cidr: `${prefix}::/64`, ip: (suffix) => `${prefix}::${suffix}` };
  }
}

/** The host's own global (not link-local, not loopback) IPv6 addresses. */
function hostIPv6(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => a.family === "IPv6" && !a.internal && !a.address.startsWith("fe80"))
    .map((a) => a.address);
}

async function get(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(4000) });
  return await r.text();
}

/** GET once the server in a just started container listens (bounded: 3 s). */
async function getReady(url: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await get(url);
    } catch (err) {
      if (i >= 30) throw err;
      await Bun.sleep(100);
    }
  }
}

const web = (text: string) => ["sh", "-c", `mkdir -p /www; echo ${text} > /www/index.html; exec httpd -f -p 80 -h /www`];

/** This daemon's rules in both ip6tables tables. */
function rules6(d: TestDaemon): string[] {
  return [...sh(["ip6tables-save", "-t", "nat"]).stdout.split("\n"), ...sh(["ip6tables-save", "-t", "filter"]).stdout.split("\n")].filter((l) => l.includes(`-${d.bridge}`));
}

describe("IPv6", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    // What IPv6 needs here, checked loudly rather than skipped.
    expect(existsSync("/usr/sbin/ip6tables") || existsSync("/sbin/ip6tables"), "ip6tables (the iptables package) is missing").toBe(true);
    expect(readFileSync("/proc/sys/net/ipv6/conf/all/disable_ipv6", "utf8").trim(), "the kernel has IPv6 switched off").toBe("0");
    d = await startDaemon();
    loadBusybox(d);
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
  });

  it("an EnableIPv6 network with an IPv6 IPAM subnet: addresses in order, --ip6, inspect, AAAA and traffic between containers", async () => {
    const v6 = ula();
    const v4 = freeSubnet(2, false);
    const c = docker(d, ["network", "create", "--ipv6", "--subnet", v4, "--subnet", v6.cidr, "six"]);
    expect(c.code, c.stderr).toBe(0);
    const net = JSON.parse(docker(d, ["network", "inspect", "six"]).stdout)[0];
    expect(net.EnableIPv6).toBe(true);
    expect(net.IPAM.Config).toEqual([{ Subnet: v4 }, { Subnet: v6.cidr }]);

    expect(docker(d, ["run", "-d", "--name", "srv6", "--network", "six", ...["busybox", ...web("hello-six")]]).code).toBe(0);
    const ns = JSON.parse(docker(d, ["inspect", "srv6"]).stdout)[0].NetworkSettings;
    expect(ns.Networks.six).toMatchObject({ GlobalIPv6Address: v6.ip("2"), GlobalIPv6PrefixLen: 64, IPv6Gateway: v6.ip("1") });
    const listed = JSON.parse(docker(d, ["network", "inspect", "six"]).stdout)[0].Containers;
    expect(Object.values(listed as Record<string, Json>).map((x) => x.IPv6Address)).toEqual([`${v6.ip("2")}/64`]);

    // The host reaches the container's IPv6 address on the bridge.
    expect(await getReady(`http://[${v6.ip("2")}]/`)).toBe("hello-six\n");

    const probe = docker(d, ["run", "--rm", "--network", "six", "--ip6", v6.ip("99"), "--hostname", "probe6", "--add-host", "v6host:fd00:dead::5", "busybox", "sh", "-c",
      `ip -6 addr show eth0; ip -6 route; cat /etc/hosts; nslookup -type=AAAA srv6; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${v6.ip("2")} 80`]);
    expect(probe.code, probe.stderr).toBe(0);
    expect(probe.stdout).toContain(`inet6 ${v6.ip("99")}/64`);
    expect(probe.stdout).toContain(`default via ${v6.ip("1")} dev eth0`);
    expect(probe.stdout).toContain(`${v6.ip("99")}\tprobe6\n`);
    expect(probe.stdout).toContain("fd00:dead::5\tv6host\n");
    expect(probe.stdout).toContain(`Address: ${v6.ip("2")}`);
    expect(probe.stdout).toContain("hello-six");

    const outside = docker(d, ["run", "--rm", "--network", "six", "--ip6", "fd00:dead::5", "busybox", "true"]);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain("fd00:dead::5");
    // An address in use is refused; the network keeps handing out the next free one.
    const taken = docker(d, ["run", "--rm", "--network", "six", "--ip6", v6.ip("2"), "busybox", "true"]);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain("Address already in use");
  });

  it("an EnableIPv6 network without an IPv6 subnet gets a unique local /64; without EnableIPv6 an IPv6 subnet is kept and unused", () => {
    expect(docker(d, ["network", "create", "--ipv6", "--subnet", freeSubnet(2, false), "autosix"]).code).toBe(0);
    const cfg = JSON.parse(docker(d, ["network", "inspect", "autosix"]).stdout)[0].IPAM.Config;
    const sub6 = cfg.find((x: Json) => x.Subnet.includes(":"));
    expect(sub6.Subnet).toMatch(/^fd[0-9a-f]{2}:[0-9a-f:]+::\/64$/);
    const r = docker(d, ["run", "--rm", "--network", "autosix", "busybox", "ip", "-6", "addr", "show", "eth0"]);
    expect(r.stdout).toContain(`inet6 ${sub6.Gateway.replace(/1$/, "2")}/64`);

    const v6 = ula();
    expect(docker(d, ["network", "create", "--subnet", freeSubnet(2, false), "--subnet", v6.cidr, "notsix"]).code).toBe(0);
    const n = JSON.parse(docker(d, ["network", "inspect", "notsix"]).stdout)[0];
    expect(n.EnableIPv6).toBe(false);
    expect(n.IPAM.Config.map((x: Json) => x.Subnet)).toContain(v6.cidr);
    expect(docker(d, ["run", "--rm", "--network", "notsix", "busybox", "ip", "-6", "addr", "show", "eth0"]).stdout).not.toContain(v6.ip(""));
  });

  it("--link-local-ip puts the addresses on the interface and in IPAMConfig.LinkLocalIPs", () => {
    const v6 = ula();
    expect(docker(d, ["network", "create", "--ipv6", "--subnet", freeSubnet(2, false), "--subnet", v6.cidr, "llnet"]).code).toBe(0);
    const r = docker(d, ["run", "--name", "ll", "--network", "llnet", "--link-local-ip", "169.254.7.7", "--link-local-ip", "fe80::7", "busybox", "ip", "addr", "show", "eth0"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("inet 169.254.7.7/16");
    expect(r.stdout).toContain("inet6 fe80::7/64");
    const ipam = JSON.parse(docker(d, ["inspect", "ll"]).stdout)[0].NetworkSettings.Networks.llnet.IPAMConfig;
    expect(ipam.LinkLocalIPs).toEqual(["169.254.7.7", "fe80::7"]);
  });

  it("published ports answer on 127.0.0.1, [::1] and the host's IPv6 addresses; ps shows both families; [::1]-only stays IPv6", async () => {
    const port = await freePort();
    expect(docker(d, ["run", "-d", "--name", "pub", "-p", `${port}:80`, "busybox", ...web("hello-pub")]).code).toBe(0);
    expect(docker(d, ["ps", "--filter", "name=pub", "--format", "{{.Ports}}"]).stdout.trim()).toBe(`0.0.0.0:${port}->80/tcp, [::]:${port}->80/tcp`);
    expect(await getReady(`http://127.0.0.1:${port}/`)).toBe("hello-pub\n");
    expect(await getReady(`http://[::1]:${port}/`)).toBe("hello-pub\n");
    const own = hostIPv6();
    expect(own.length, "the host needs a global IPv6 address").toBeGreaterThan(0);
    for (const a of own) expect(await getReady(`http://[${a}]:${port}/`)).toBe("hello-pub\n");

    // A container with an IPv6 address of its own is reached over IPv6.
    const v6 = ula();
    expect(docker(d, ["network", "create", "--ipv6", "--subnet", freeSubnet(2, false), "--subnet", v6.cidr, "pubsix"]).code).toBe(0);
    const port6 = await freePort();
    expect(docker(d, ["run", "-d", "--name", "pub6", "--network", "pubsix", "-p", `${port6}:80`, "busybox", ...web("hello-pub6")]).code).toBe(0);
    expect(await getReady(`http://[::1]:${port6}/`)).toBe("hello-pub6\n");
    expect(await getReady(`http://127.0.0.1:${port6}/`)).toBe("hello-pub6\n");

    const only = await freePort();
    expect(docker(d, ["run", "-d", "--name", "pubonly", "-p", `[::1]:${only}:80`, "busybox", ...web("hello-only")]).code).toBe(0);
    expect(docker(d, ["port", "pubonly"]).stdout.trim()).toBe(`80/tcp -> [::1]:${only}`);
    expect(await getReady(`http://[::1]:${only}/`)).toBe("hello-only\n");
    await expect(get(`http://127.0.0.1:${only}/`)).rejects.toThrow();

    expect(docker(d, ["rm", "-f", "pub", "pub6", "pubonly"]).code).toBe(0);
    await expect(get(`http://[::1]:${port}/`)).rejects.toThrow();
    await expect(get(`http://[::1]:${port6}/`)).rejects.toThrow();
  });

  it("ip6tables rules come and go with IPv6 networks and the daemon", async () => {
    const v6 = ula();
    const vi = ula();
    expect(docker(d, ["network", "create", "--ipv6", "--subnet", freeSubnet(2, false), "--subnet", v6.cidr, "rules6"]).code).toBe(0);
    expect(docker(d, ["network", "create", "--internal", "--ipv6", "--subnet", freeSubnet(2, false), "--subnet", vi.cidr, "internal6"]).code).toBe(0);
    const bridge = `br-${docker(d, ["network", "inspect", "-f", "{{.Id}}", "rules6"]).stdout.trim().slice(0, 12)}`;
    let r = rules6(d);
    expect(r).toContain(`-A WHARF-POST-${d.bridge} -s ${v6.cidr} ! -o ${bridge} -j MASQUERADE`);
    expect(r.some((l) => l.includes(`-i ${bridge} -o ${bridge} -j ACCEPT`))).toBe(true);
    expect(r.some((l) => l.includes(`-s ${vi.cidr}`))).toBe(false);
    const route = docker(d, ["run", "--rm", "--network", "internal6", "busybox", "ip", "-6", "route"]).stdout;
    expect(route).not.toContain("default");

    expect(docker(d, ["network", "rm", "rules6", "internal6"]).code).toBe(0);
    r = rules6(d);
    expect(r.some((l) => l.includes(bridge))).toBe(false);

    // A daemon of its own: stopping it leaves no ip6tables chain or rule behind.
    const other = await startDaemon();
    try {
      loadBusybox(other);
      expect(docker(other, ["network", "create", "--ipv6", "--subnet", freeSubnet(2, false), "--subnet", ula().cidr, "gone6"]).code).toBe(0);
      expect(rules6(other).length).toBeGreaterThan(0);
      expect(await other.stop()).toBe(0);
      expect(rules6(other)).toEqual([]);
    } finally {
      await other.cleanup();
    }
  });
});

describe("the default bridge with --ipv6 --fixed-cidr-v6", () => {
  let d: TestDaemon;
  const v6 = ula();
  beforeAll(async () => {
    d = await startDaemon(["--ipv6", "--fixed-cidr-v6", v6.cidr]);
    loadBusybox(d);
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
  });

  it("gives the bridge and its containers IPv6 addresses from the subnet, shown in inspect", () => {
    const net = JSON.parse(docker(d, ["network", "inspect", "bridge"]).stdout)[0];
    expect(net.EnableIPv6).toBe(true);
    expect(net.IPAM.Config).toContainEqual({ Subnet: v6.cidr, Gateway: v6.ip("1") });
    expect(sh(["ip", "-6", "addr", "show", "dev", d.bridge]).stdout).toContain(`inet6 ${v6.ip("1")}/64`);
    expect(docker(d, ["run", "-d", "--name", "b6", "busybox", ...web("hello-b6")]).code).toBe(0);
    const ns = JSON.parse(docker(d, ["inspect", "b6"]).stdout)[0].NetworkSettings;
    expect(ns).toMatchObject({ GlobalIPv6Address: v6.ip("2"), GlobalIPv6PrefixLen: 64, IPv6Gateway: v6.ip("1") });
    expect(ns.Networks.bridge).toMatchObject({ GlobalIPv6Address: v6.ip("2"), IPv6Gateway: v6.ip("1") });
    const r = docker(d, ["run", "--rm", "busybox", "sh", "-c", `ip -6 route; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${v6.ip("2")} 80`]);
    expect(r.stdout).toContain(`default via ${v6.ip("1")} dev eth0`);
    expect(r.stdout).toContain("hello-b6");
  });

  it("refuses --fixed-cidr-v6 without --ipv6 and --ipv6 without a subnet, with dockerd's message", async () => {
    for (const [args, message] of [
      [["--ipv6"], "IPv6 is enabled for the default bridge, but no subnet is configured. Specify an IPv6 subnet using --fixed-cidr-v6"],
      [["--fixed-cidr-v6", ula().cidr], "--fixed-cidr-v6 needs --ipv6"],
    ] as const) {
      const bad = await startDaemon([...args], { wait: false });
      try {
        for (let i = 0; i < 100 && bad.proc.exitCode === null; i++) await Bun.sleep(50);
        expect(bad.proc.exitCode).not.toBe(0);
        expect(bad.proc.exitCode).not.toBeNull();
        expect(bad.output()).toContain(message);
      } finally {
        await bad.cleanup();
      }
    }
  });
});
