// Legacy links: parsing, the parent's environment (moby links.ToEnv) and hosts lines,
// proved with a fake child address (bridge networking supplies the real one).
import { describe, expect, it } from "vitest";
import { containerIPv4, linkEnv, linkHostsLine, mergeEnv, parseLink } from "../../src/container/links.ts";
import { Container } from "../../src/container/container.ts";
import { testRecord } from "../helpers/records.ts";

function child(name: string, extra: Record<string, unknown> = {}): Container {
  const id = "c".repeat(64);
  return new Container(
    { ...testRecord(id, name, { created: "2026-11-23T07:13:08.904485837Z" }), ...extra },
    { root: "/r", logPath: "/r/l", hostnamePath: "/r/h", hostsPath: "/r/hosts", resolvConfPath: "/r/rc" },
  );
}

describe("links", () => {
  it("parses NAME, NAME:ALIAS and the stored /NAME:/PARENT/ALIAS form as dockerd does", () => {
    expect(parseLink("db")).toEqual(["db", "db"]);
    expect(parseLink("db:database")).toEqual(["db", "database"]);
    expect(parseLink("/db:/web/database")).toEqual(["db", "database"]);
    expect(() => parseLink("a:b:c")).toThrow("bad format for links: a:b:c");
    expect(() => parseLink("")).toThrow("empty string specified for links");
  });

  it("gives the parent Docker's variables for each exposed port, the name and the child's env", () => {
    const env = linkEnv("/web/database", "172.17.0.2", ["PATH=/bin", "HOME=/root", "PGPASS=secret", "EMPTY=", "NOVALUE"], {
      "80/tcp": {},
      "53/udp": {},
      "5432/tcp": {},
    });
    expect(env).toEqual([
      "DATABASE_PORT=tcp://172.17.0.2:80",
      "DATABASE_PORT_80_TCP=tcp://172.17.0.2:80",
      "DATABASE_PORT_80_TCP_ADDR=172.17.0.2",
      "DATABASE_PORT_80_TCP_PORT=80",
      "DATABASE_PORT_80_TCP_PROTO=tcp",
      "DATABASE_PORT_5432_TCP=tcp://172.17.0.2:5432",
      "DATABASE_PORT_5432_TCP_ADDR=172.17.0.2",
      "DATABASE_PORT_5432_TCP_PORT=5432",
      "DATABASE_PORT_5432_TCP_PROTO=tcp",
      "DATABASE_PORT_53_UDP=udp://172.17.0.2:53",
      "DATABASE_PORT_53_UDP_ADDR=172.17.0.2",
      "DATABASE_PORT_53_UDP_PORT=53",
      "DATABASE_PORT_53_UDP_PROTO=udp",
      "DATABASE_NAME=/web/database",
      "DATABASE_ENV_PGPASS=secret",
      "DATABASE_ENV_EMPTY=",
    ]);
  });

  it("adds _START/_END variables for a run of consecutive ports and maps - to _ in the alias", () => {
    const env = linkEnv("/web/my-db", "10.0.0.5", [], { "6000/tcp": {}, "6001/tcp": {}, "6002/tcp": {} });
    expect(env[0]).toBe("MY_DB_PORT=tcp://10.0.0.5:6000");
    expect(env).toContain("MY_DB_PORT_6000_TCP_START=tcp://10.0.0.5:6000");
    expect(env).toContain("MY_DB_PORT_6000_TCP_PORT_START=6000");
    expect(env).toContain("MY_DB_PORT_6000_TCP_END=tcp://10.0.0.5:6002");
    expect(env).toContain("MY_DB_PORT_6000_TCP_PORT_END=6002");
    expect(env).toContain("MY_DB_PORT_6002_TCP_ADDR=10.0.0.5");
    expect(env[env.length - 1]).toBe("MY_DB_NAME=/web/my-db");
    // A child without ports still gives its name.
    expect(linkEnv("/a/b", "1.2.3.4", [], null)).toEqual(["B_NAME=/a/b"]);
  });

  it("writes the hosts line with alias, hostname and name, and none without an address", () => {
    const c = child("db");
    expect(linkHostsLine("database", c, "172.17.0.2")).toBe(`172.17.0.2\tdatabase ${"c".repeat(12)} db`);
    expect(linkHostsLine("db", c, "172.17.0.2")).toBe(`172.17.0.2\tdb ${"c".repeat(12)}`);
    expect(linkHostsLine("db", c, "")).toBeUndefined();
  });

  it("reads the child's address where networking stores it", () => {
    expect(containerIPv4(child("db"))).toBe("");
    expect(containerIPv4(child("db", { NetworkSettings: { IPAddress: "", Networks: { bridge: { IPAddress: "172.17.0.9" } } } }))).toBe("172.17.0.9");
    expect(containerIPv4(child("db", { NetworkSettings: { IPAddress: "172.17.0.8", Networks: {} } }))).toBe("172.17.0.8");
  });

  it("lets the container's own variables win over link ones", () => {
    expect(mergeEnv(["DB_NAME=/x/db", "DB_PORT=tcp://1:1"], ["DB_PORT=mine", "OTHER=1"])).toEqual(["DB_NAME=/x/db", "DB_PORT=mine", "OTHER=1"]);
  });
});
