import { describe, expect, it } from "vitest";
import { daemonArgs, parseDaemonArgs, defaultHost } from "../../src/daemon/config.ts";
import { parseGlobalFlags } from "../../src/cli/globals.ts";
import { parseHost } from "../../src/api/server.ts";

describe("daemon flags", () => {
  it("has dockerd's defaults", () => {
    const c = parseDaemonArgs([], {});
    if (c === "version") throw new Error("unexpected");
    expect(c.hosts).toEqual([defaultHost]);
    expect(c.listeners).toEqual([{ proto: "unix", addr: "/var/run/wharf.sock" }]);
    expect(c.dataRoot).toBe("/var/lib/wharf");
    expect(c.execRoot).toBe("/var/run/wharf");
    expect(c.pidfile).toBe("/var/run/wharf/wharf.pid");
    expect(c.logLevel).toBe("info");
  });
  it("takes repeatable -H and the long forms", () => {
    const c = parseDaemonArgs(
      ["-H", "unix:///tmp/a.sock", "--host", "tcp://127.0.0.1:2375", "--data-root", "/d", "--exec-root", "/e", "--pidfile", "/p", "-D"],
      {},
    );
    if (c === "version") throw new Error("unexpected");
    expect(c.listeners).toEqual([
      { proto: "unix", addr: "/tmp/a.sock" },
      { proto: "tcp", addr: "127.0.0.1:2375" },
    ]);
    expect([c.dataRoot, c.execRoot, c.pidfile, c.debug, c.logLevel]).toEqual(["/d", "/e", "/p", true, "debug"]);
  });
  it("falls back to DOCKER_HOST", () => {
    const c = parseDaemonArgs([], { DOCKER_HOST: "unix:///tmp/env.sock" });
    expect(c !== "version" && c.listeners[0]!.addr).toBe("/tmp/env.sock");
  });
  it("answers -v with the version", () => {
    expect(parseDaemonArgs(["-v"], {})).toBe("version");
  });
  it("refuses unknown flags, bad log levels and bad hosts with a clear message", () => {
    expect(() => parseDaemonArgs(["--bogus"], {})).toThrow(/bogus/);
    expect(() => parseDaemonArgs(["--log-level", "loud"], {})).toThrow(/invalid log level: loud/);
    expect(() => parseDaemonArgs(["-H", "ftp://x"], {})).toThrow(/invalid host ftp:\/\/x/);
    expect(() => parseDaemonArgs(["-H", "tcp://x"], {})).toThrow(/want tcp:\/\/HOST:PORT/);
  });
});

describe("daemon or client", () => {
  it("finds -d among the leading flags only", () => {
    expect(daemonArgs(["-d", "-H", "unix:///x"])).toEqual(["-H", "unix:///x"]);
    expect(daemonArgs(["-H", "unix:///x", "-d"])).toEqual(["-H", "unix:///x"]);
    expect(daemonArgs(["daemon", "--data-root", "/d"])).toEqual(["--data-root", "/d"]);
    expect(daemonArgs(["run", "-d", "busybox"])).toBeUndefined();
    expect(daemonArgs(["-H", "unix:///x", "run", "-d", "busybox"])).toBeUndefined();
    expect(daemonArgs(["version"])).toBeUndefined();
  });
});

describe("client global flags", () => {
  it("takes -H, --host=, -D and -l before the command", () => {
    expect(parseGlobalFlags(["-H", "unix:///a", "version"])).toEqual({ host: "unix:///a", debug: false, tls: {}, rest: ["version"] });
    expect(parseGlobalFlags(["--host=tcp://h:1", "-D", "info"])).toMatchObject({ host: "tcp://h:1", debug: true, rest: ["info"] });
    expect(parseGlobalFlags(["run", "-H", "x"]).rest).toEqual(["run", "-H", "x"]);
  });
  it("says which flag lacks its value", () => {
    expect(() => parseGlobalFlags(["-H"])).toThrow("flag needs an argument: 'H' in -H");
  });
});

describe("parseHost", () => {
  it("accepts bare absolute paths and bracketed IPv6", () => {
    expect(parseHost("/run/x.sock")).toEqual({ proto: "unix", addr: "/run/x.sock" });
    expect(parseHost("tcp://[::1]:2375")).toEqual({ proto: "tcp", addr: "[::1]:2375" });
    expect(parseHost("tcp://:2375")).toEqual({ proto: "tcp", addr: "127.0.0.1:2375" });
  });
  it("refuses relative unix paths and ports out of range", () => {
    expect(() => parseHost("unix://rel.sock")).toThrow(/must be absolute/);
    expect(() => parseHost("tcp://h:70000")).toThrow(/HOST:PORT/);
  });
});
