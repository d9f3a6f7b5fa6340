// IPv6 addresses, the IPv6 pool, AAAA answers and the create-body checks, without a daemon.
import { describe, expect, it } from "vitest";
import { contains6, formatIp6, isLinkLocal, overlaps6, parseCidr6, parseIp6, randomUla64 } from "../../src/network/addr6.ts";
import { Pool6 } from "../../src/network/ipam6.ts";
import { answer } from "../../src/network/dns.ts";
import { checkCreateTypes, dnsNames, parseLinkSpec, requestedEndpoint } from "../../src/network/endpoint.ts";
import { bindingFamilies } from "../../src/container/ports.ts";
import { proxyTcp, proxyUdp } from "../../src/network/proxy.ts";
import { createConnection, createServer } from "node:net";
import { createSocket } from "node:dgram";

describe("IPv6 addresses", () => {
  it("parses every text form and writes RFC 5952's", () => {
    const cases: [string, string][] = [
      ["::", "::"],
      ["::1", "::1"],
      ["FD00:0000:0000:0000:0000:0000:0000:0002", "fd00::2"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["2001:db8::0:1", "2001:db8::1"],
      ["fe80::1:2:3:4", "fe80::1:2:3:4"],
      ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
      ["1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"],
      ["::ffff:192.0.2.1", "::ffff:c000:201"],
      ["[fd12::5]", "fd12::5"],
    ];
    for (const [text, canonical] of cases) expect(formatIp6(parseIp6(text))).toBe(canonical);
    for (const bad of ["", "1.2.3.4", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1", ":::"]) expect(() => parseIp6(bad)).toThrow(/invalid IPv6 address/);
  });

  it("does CIDR arithmetic", () => {
    const c = parseCidr6("fd12:3456::7/64");
    expect(formatIp6(c.base)).toBe("fd12:3456::");
    expect(contains6(c, parseIp6("fd12:3456::ffff:1"))).toBe(true);
    expect(contains6(c, parseIp6("fd12:3457::1"))).toBe(false);
    expect(overlaps6(parseCidr6("fd12::/48"), parseCidr6("fd12:0:0:5::/64"))).toBe(true);
    expect(overlaps6(parseCidr6("fd12::/64"), parseCidr6("fd13::/64"))).toBe(false);
    expect(() => parseCidr6("fd12::/129")).toThrow(/invalid CIDR/);
    expect(isLinkLocal("fe80::7")).toBe(true);
    expect(isLinkLocal("169.254.1.1")).toBe(true);
    expect(isLinkLocal("fd00::7")).toBe(false);
  });

  it("picks random unique local /64s", () => {
    const a = randomUla64();
    expect(a).toMatch(/^fd[0-9a-f]{2}:/);
    expect(parseCidr6(a).bits).toBe(64);
    expect(randomUla64()).not.toBe(a);
  });
});

describe("the IPv6 pool", () => {
  it("hands out addresses in order after the gateway, a wanted one, and never one in use", () => {
    const p = new Pool6("fd12:1::/64");
    expect(formatIp6(p.gateway)).toBe("fd12:1::1");
    expect(p.allocate()).toBe("fd12:1::2");
    expect(p.allocate("fd12:1::99")).toBe("fd12:1::99");
    expect(() => p.allocate("fd12:1::99")).toThrow("Address already in use");
    expect(() => p.allocate("fd12:1::1")).toThrow("Address already in use");
    expect(() => p.allocate("fd12:2::1")).toThrow(/no configured subnet contains IP address fd12:2::1/);
    expect(p.allocate()).toBe("fd12:1::3");
    p.release("fd12:1::2");
    // Round-robin, as the IPv4 pool: a released address is not reused at once.
    expect(p.allocate()).toBe("fd12:1::4");
  });

  it("validates subnet, gateway and range with dockerd's messages", () => {
    expect(() => new Pool6("fd12:1::5/64")).toThrow("invalid subnet fd12:1::5/64: it should be fd12:1::/64");
    expect(() => new Pool6("fd12:1::/64", "fd12:2::1")).toThrow(/invalid gateway fd12:2::1/);
    expect(() => new Pool6("fd12:1::/64", undefined, "fd12:2::/80")).toThrow(/invalid ip-range/);
    const small = new Pool6("fd12:1::/126");
    expect([small.allocate(), small.allocate()]).toEqual(["fd12:1::2", "fd12:1::3"]);
    expect(() => small.allocate()).toThrow(/no available IPv6 addresses/);
  });
});

describe("AAAA answers", () => {
  const query = (type: number) => {
    const q = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x65, 0x62, 0, 0, type, 0, 1]);
    return { q, question: { name: "web", type, end: q.length } };
  };

  it("answers AAAA with the IPv6 addresses only, and A with the IPv4 ones", () => {
    const { q, question } = query(28);
    const a = answer(q, question, ["10.0.0.5", "fd12:1::2"]);
    expect(a.readUInt16BE(6)).toBe(1);
    const rr = a.subarray(q.length);
    expect(rr.readUInt16BE(2)).toBe(28);
    expect(rr.readUInt16BE(10)).toBe(16);
    expect(rr.subarray(12, 28).toString("hex")).toBe("fd120001000000000000000000000002");
    const { q: q4, question: question4 } = query(1);
    const a4 = answer(q4, question4, ["10.0.0.5", "fd12:1::2"]);
    expect(a4.readUInt16BE(6)).toBe(1);
    expect([...a4.subarray(q4.length + 12)]).toEqual([10, 0, 0, 5]);
  });
});

describe("endpoint settings and create bodies", () => {
  it("keeps what a request gave, dockerd's blanks elsewhere", () => {
    expect(requestedEndpoint({ Aliases: ["a"], DriverOpts: { k: "v" }, Links: ["db:x"], IPAMConfig: { IPv6Address: "fd12::9" } })).toMatchObject({
      Aliases: ["a"], DriverOpts: { k: "v" }, Links: ["db:x"], IPAMConfig: { IPv6Address: "fd12::9" }, NetworkID: "", EndpointID: "", DNSNames: null,
    });
    expect(requestedEndpoint(undefined)).toMatchObject({ Aliases: null, DriverOpts: null, Links: null, IPAMConfig: null, MacAddress: "" });
  });

  it("builds DNSNames as dockerd: name, aliases, short id, hostname, without repeats", () => {
    const id = "0123456789ab" + "c".repeat(52);
    expect(dnsNames("web", id, "0123456789ab", ["w", "web"])).toEqual(["web", "w", "0123456789ab"]);
    expect(dnsNames("web", id, "host1", null)).toEqual(["web", "0123456789ab", "host1"]);
    expect(parseLinkSpec("/db:database")).toEqual(["db", "database"]);
    expect(parseLinkSpec("db")).toEqual(["db", "db"]);
  });

  it("refuses fields of the wrong JSON type with encoding/json's message", () => {
    expect(() => checkCreateTypes({ Name: "x", Labels: { a: 1 } })).toThrow("invalid JSON: json: cannot unmarshal number into Go struct field NetworkCreateRequest.Labels of type string");
    expect(() => checkCreateTypes({ Name: "x", Labels: "a=b" })).toThrow("cannot unmarshal string into Go struct field NetworkCreateRequest.Labels of type map[string]string");
    expect(() => checkCreateTypes({ Name: "x", Options: { a: {} } })).toThrow("cannot unmarshal object into Go struct field NetworkCreateRequest.Options of type string");
    expect(() => checkCreateTypes({ Name: "x", Internal: "yes" })).toThrow("cannot unmarshal string into Go struct field NetworkCreateRequest.Internal of type bool");
    expect(() => checkCreateTypes({ Name: 5 })).toThrow("cannot unmarshal number into Go struct field NetworkCreateRequest.Name of type string");
    expect(() => checkCreateTypes({ Name: "x", Labels: null, Options: { a: "b" }, IPAM: { Config: [] } })).not.toThrow();
  });

  it("publishes an address-less binding on both families, an address on its own", () => {
    expect(bindingFamilies("")).toEqual({ v4: "0.0.0.0", v6: "::" });
    expect(bindingFamilies("0.0.0.0")).toEqual({ v4: "0.0.0.0" });
    expect(bindingFamilies("127.0.0.1")).toEqual({ v4: "127.0.0.1" });
    expect(bindingFamilies("::1")).toEqual({ v6: "::1" });
    expect(bindingFamilies("[::]")).toEqual({ v6: "::" });
  });
});

describe("the IPv6 userland proxy", () => {
  it("relays TCP connections from [::1] to an IPv4 target, both ways, and closes with them", async () => {
    const echo = createServer((c) => c.on("data", (d) => c.write(`echo:${d}`)));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
    const target = { host: "127.0.0.1", port: (echo.address() as { port: number }).port };
    const p = await proxyTcp("::1", 0, () => target);
    try {
      const got = await new Promise<string>((resolve, reject) => {
        const c = createConnection({ host: "::1", port: p.port }, () => c.write("hi"));
        c.on("data", (d) => {
          resolve(String(d));
          c.end();
        });
        c.on("error", reject);
      });
      expect(got).toBe("echo:hi");
    } finally {
      p.close();
      echo.close();
    }
    // Closed: the port refuses.
    await expect(new Promise<void>((resolve, reject) => createConnection({ host: "::1", port: p.port }, () => resolve()).on("error", reject))).rejects.toThrow(/ECONNREFUSED/);
  });

  it("relays UDP datagrams and their replies, one upstream socket per client", async () => {
    const echo = createSocket("udp4");
    const seen = new Set<number>();
    echo.on("message", (m, r) => {
      seen.add(r.port);
      echo.send(`echo:${m}`, r.port, r.address);
    });
    await new Promise<void>((r) => echo.bind(0, "127.0.0.1", () => r()));
    const p = await proxyUdp("::1", 0, () => ({ host: "127.0.0.1", port: echo.address().port }));
    const ask = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const c = createSocket("udp6");
        const t = setTimeout(() => reject(new Error("no reply")), 3000);
        c.on("message", (m) => {
          clearTimeout(t);
          c.close();
          resolve(String(m));
        });
        c.send(text, p.port, "::1");
      });
    try {
      expect(await ask("one")).toBe("echo:one");
      expect(await ask("two")).toBe("echo:two");
      expect(seen.size).toBe(2);
    } finally {
      p.close();
      echo.close();
    }
  });
});
