import { describe, expect, it } from "vitest";
import { dechunk } from "../../src/client/exchange.ts";
import { olderVersion } from "../../src/client/client.ts";
import { parseClientHost } from "../../src/client/host.ts";

describe("client plumbing", () => {
  it("decodes chunked bodies", () => {
    expect(dechunk(Buffer.from("5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n")).toString()).toBe("hello!");
    expect(dechunk(Buffer.from("0\r\n\r\n")).toString()).toBe("");
  });
  it("negotiates the older of two API versions numerically", () => {
    expect(olderVersion("1.41", "1.45")).toBe("1.41");
    expect(olderVersion("1.9", "1.45")).toBe("1.9");
    expect(olderVersion("1.50", "1.45")).toBe("1.45");
  });
  it("reads DOCKER_HOST forms", () => {
    expect(parseClientHost("unix:///a/b.sock")).toEqual({ proto: "unix", addr: "/a/b.sock" });
    expect(parseClientHost("tcp://127.0.0.1:2375")).toEqual({ proto: "tcp", addr: "127.0.0.1:2375" });
    expect(parseClientHost("tcp://:2375")).toEqual({ proto: "tcp", addr: "127.0.0.1:2375" });
    expect(() => parseClientHost("ftp://x")).toThrow(/unable to parse docker host/);
  });
});
