import { describe, expect, it } from "vitest";
import { daemonArgs, parseFlags } from "../../src/daemon/flags.ts";
import { goFormat } from "../../src/daemon/configfile.ts";
import { poolSubnets } from "../../src/network/ipam.ts";
import { resolveFdListeners } from "../../src/daemon/systemd.ts";

describe("daemon flag parser (pflag's rules)", () => {
  it("takes --flag value, --flag=value, -f value, -fvalue, bools with =false, and gathers lists", () => {
    const f = parseFlags(["--data-root", "/d", "--exec-root=/e", "-H", "unix:///a", "-Hunix:///b", "--iptables=false", "-D", "--label", "a=1", "--label=b=2"]);
    expect(f.get("data-root")).toBe("/d");
    expect(f.get("exec-root")).toBe("/e");
    expect(f.get("host")).toEqual(["unix:///a", "unix:///b"]);
    expect(f.get("iptables")).toBe(false);
    expect(f.get("debug")).toBe(true);
    expect(f.get("label")).toEqual(["a=1", "b=2"]);
  });
  it("refuses unknown flags, a missing value, a bad bool and positional arguments, naming them", () => {
    expect(() => parseFlags(["--bogus"])).toThrow("unknown flag: --bogus");
    expect(() => parseFlags(["-X"])).toThrow("unknown shorthand flag: 'X' in -X");
    expect(() => parseFlags(["--bridge"])).toThrow("flag needs an argument: --bridge");
    expect(() => parseFlags(["--iptables=maybe"])).toThrow('invalid argument "maybe" for "--iptables" flag');
    expect(() => parseFlags(["extra"])).toThrow('wharf -d takes no arguments, got "extra"');
  });
  it("finds -d after value flags of the daemon only", () => {
    expect(daemonArgs(["-H", "unix:///x", "--config-file", "/c.json", "-d"])).toEqual(["-H", "unix:///x", "--config-file", "/c.json"]);
    expect(daemonArgs(["-d", "--help"])).toEqual(["--help"]);
  });
});

describe("dockerd's wording of values", () => {
  it("prints decoded JSON as Go's %v does", () => {
    expect(goFormat(["a", "b"])).toBe("[a b]");
    expect(goFormat({ b: "2", a: "1" })).toBe("map[a:1 b:2]");
    expect(goFormat(3)).toBe("3");
    expect(goFormat(true)).toBe("true");
  });
});

describe("default-address-pools", () => {
  it("splits each base into subnets of its size, in order", () => {
    expect([...poolSubnets([{ base: "10.10.0.0/24", size: 26 }, { base: "10.20.0.0/23", size: 24 }])]).toEqual([
      "10.10.0.0/26", "10.10.0.64/26", "10.10.0.128/26", "10.10.0.192/26", "10.20.0.0/24", "10.20.1.0/24",
    ]);
  });
});

describe("fd:// listeners", () => {
  it("refuses fd:// without socket activation, and passes other listeners through untouched", () => {
    const unix = { proto: "unix" as const, addr: "/x.sock" };
    expect(resolveFdListeners([unix], {})).toEqual([unix]);
    expect(() => resolveFdListeners([{ proto: "fd", addr: "" }], {})).toThrow("no sockets found via socket activation");
    // Sockets meant for another process (LISTEN_PID not ours) are not taken either.
    expect(() => resolveFdListeners([{ proto: "fd", addr: "" }], { LISTEN_PID: "1", LISTEN_FDS: "1" })).toThrow("no sockets found");
  });
});
