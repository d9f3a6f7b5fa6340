// The network driver's pure parts: address math, IPAM, -p parsing, the resolver's wire format, port maps.
import { describe, expect, it } from "vitest";
import { formatIp, macOf, overlaps, parseCidr, parseIp } from "../../src/network/addr.ts";
import { Pool, pickSubnet } from "../../src/network/ipam.ts";
import { parsePortSpecs } from "../../src/cli/portspec.ts";
import { answer } from "../../src/network/dns.ts";
import { portsList, portsMap, wantedBindings } from "../../src/container/ports.ts";
import { networkRules, chainsFor } from "../../src/network/iptables.ts";

describe("addresses", () => {
  it("parses, formats and derives Docker's MAC", () => {
    expect(formatIp(parseIp("172.17.0.2"))).toBe("172.17.0.2");
    expect(macOf(parseIp("172.17.0.2"))).toBe("02:42:ac:11:00:02");
    expect(parseCidr("10.1.2.3/24")).toEqual({ base: parseIp("10.1.2.0"), bits: 24, addr: parseIp("10.1.2.3") });
    expect(overlaps(parseCidr("10.0.0.0/8"), parseCidr("10.213.4.0/24"))).toBe(true);
    expect(overlaps(parseCidr("10.213.5.0/24"), parseCidr("10.213.4.0/24"))).toBe(false);
    expect(() => parseIp("1.2.3.256")).toThrow("invalid IP address");
  });
});

describe("IPAM", () => {
  it("hands out addresses round-robin, never the gateway, never twice", () => {
    const p = new Pool("10.9.0.0/29");
    const got = [p.allocate(), p.allocate(), p.allocate()];
    expect(got).toEqual(["10.9.0.2", "10.9.0.3", "10.9.0.4"]);
    p.release("10.9.0.2");
    expect(p.allocate()).toBe("10.9.0.5"); // not the one just released
    expect(p.allocate()).toBe("10.9.0.6");
    expect(p.allocate()).toBe("10.9.0.2");
    expect(() => p.allocate()).toThrow("no available IPv4 addresses");
    expect(new Set(p.inUse()).size).toBe(p.inUse().length);
  });
  it("honours a requested address, an ip-range and a custom gateway", () => {
    const p = new Pool("10.9.0.0/24", "10.9.0.254", "10.9.0.128/25");
    expect(p.allocate()).toBe("10.9.0.129");
    expect(p.allocate("10.9.0.7")).toBe("10.9.0.7");
    expect(() => p.allocate("10.9.0.7")).toThrow("Address already in use");
    expect(() => p.allocate("10.8.0.1")).toThrow("no configured subnet or ip-range contain the IP address 10.8.0.1");
  });
  it("picks the first default pool that no route overlaps", () => {
    expect(pickSubnet(["172.17.0.0/16", "172.18.5.0/24"])).toBe("172.19.0.0/16");
  });
});

describe("-p specs", () => {
  it("parses docker's forms", () => {
    expect(parsePortSpecs(["8080:80"]).PortBindings).toEqual({ "80/tcp": [{ HostIp: "", HostPort: "8080" }] });
    expect(parsePortSpecs(["127.0.0.1:53:53/udp"]).PortBindings).toEqual({ "53/udp": [{ HostIp: "127.0.0.1", HostPort: "53" }] });
    expect(parsePortSpecs(["80"]).PortBindings).toEqual({ "80/tcp": [{ HostIp: "", HostPort: "" }] });
    expect(parsePortSpecs(["9000-9001:80-81"]).PortBindings).toEqual({
      "80/tcp": [{ HostIp: "", HostPort: "9000" }],
      "81/tcp": [{ HostIp: "", HostPort: "9001" }],
    });
    expect(Object.keys(parsePortSpecs(["80-82"]).ExposedPorts)).toEqual(["80/tcp", "81/tcp", "82/tcp"]);
    expect(() => parsePortSpecs(["1:2:3:4"])).toThrow("invalid port format");
    expect(() => parsePortSpecs(["9000-9002:80-81"])).toThrow("invalid ranges");
  });
});

describe("ports in inspect and list", () => {
  it("shows unpublished exposed ports as null and published ones per address family", () => {
    const cfg = { ExposedPorts: { "80/tcp": {}, "81/tcp": {} } };
    const bound = wantedBindings(cfg, { PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }] } }).map((b) => ({ ...b, hostPort: 8080 }));
    expect(portsMap(cfg, bound)).toEqual({ "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }, { HostIp: "::", HostPort: "8080" }], "81/tcp": null });
    expect(portsList(cfg, bound)).toContainEqual({ PrivatePort: 81, Type: "tcp" });
    expect(wantedBindings(cfg, { PublishAllPorts: true }).map((b) => b.port)).toEqual([80, 81]);
  });
});

describe("resolver wire format", () => {
  it("answers an A query with the address, pointing back at the question", () => {
    const q = Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 119, 101, 98, 0, 0, 1, 0, 1]);
    const a = answer(q, { name: "web", type: 1, end: q.length }, ["10.0.0.5"]);
    expect(a.readUInt16BE(0)).toBe(0x1234);
    expect(a.readUInt16BE(2) & 0x8000).toBe(0x8000);
    expect(a.readUInt16BE(6)).toBe(1);
    expect([...a.subarray(a.length - 4)]).toEqual([10, 0, 0, 5]);
    const none = answer(q, { name: "web", type: 28, end: q.length }, ["10.0.0.5"]);
    expect(none.readUInt16BE(6)).toBe(0);
  });
});

describe("iptables rules", () => {
  it("keep to the daemon's own chains", () => {
    const c = chainsFor("wt1");
    const r = networkRules(c, "br-x", "10.1.0.0/24", false);
    for (const l of [...r.nat, ...r.filter]) expect(l).toMatch(/^-A WHARF-(POST-|FWD-|ISO-)?wt1 /);
  });
});

describe("resolver over UDP on loopback", () => {
  it("answers container names itself and relays other names to its upstream", async () => {
    const { Resolver } = await import("../../src/network/dns.ts");
    const { createSocket } = await import("node:dgram");
    // A stand-in upstream that answers every query with 192.0.2.7 (nothing leaves loopback).
    const upstream = createSocket("udp4");
    let relayed = 0;
    upstream.on("message", (m, r) => {
      relayed++;
      upstream.send(answer(m, { name: "", type: 1, end: m.length }, ["192.0.2.7"]), r.port, r.address);
    });
    await new Promise<void>((r) => upstream.bind(0, "127.0.0.1", () => r()));
    const up = upstream.address().port;
    const res = new Resolver("127.0.0.1", (name, from) => (name === "web" && from === "127.0.0.1" ? ["10.0.0.5"] : undefined), () => [{ host: "127.0.0.1", port: up }], 0);
    await res.listen();
    const ask = async (name: string) => {
      const c = createSocket("udp4");
      const labels = name.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]);
      const q = Buffer.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
      const reply = new Promise<Buffer>((r) => c.once("message", (m) => r(m)));
      c.send(q, res.boundPort(), "127.0.0.1");
      const m = await reply;
      c.close();
      return [...m.subarray(m.length - 4)].join(".");
    };
    try {
      expect(await ask("web")).toBe("10.0.0.5");
      expect(relayed).toBe(0);
      expect(await ask("example.test")).toBe("192.0.2.7");
      expect(relayed).toBe(1);
    } finally {
      res.close();
      upstream.close();
    }
  });
});

describe("run flags for networking", () => {
  it("-p, --network, --network-alias, --ip and --mac-address become Docker's create request", async () => {
    const { buildCreateRequest } = await import("../../src/cli/runopts.ts");
    const r = buildCreateRequest(["-p", "127.0.0.1:8080:80", "-p", "53/udp", "--network", "front", "--network-alias", "web", "--ip", "10.1.0.9", "--mac-address", "02:42:00:00:00:01", "busybox"]);
    const body = r.body as Record<string, any>;
    expect(body.ExposedPorts).toEqual({ "80/tcp": {}, "53/udp": {} });
    expect(body.HostConfig.PortBindings).toEqual({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }], "53/udp": [{ HostIp: "", HostPort: "" }] });
    expect(body.HostConfig.NetworkMode).toBe("front");
    expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { front: { Aliases: ["web"], IPAMConfig: { IPv4Address: "10.1.0.9" }, MacAddress: "02:42:00:00:00:01" } } });
  });
});
