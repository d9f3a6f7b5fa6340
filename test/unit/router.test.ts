import { describe, expect, it } from "vitest";
import { Router, splitVersion, compareVersions } from "../../src/api/router.ts";
import { WharfError } from "../../src/errors.ts";
import { json } from "../../src/api/types.ts";

describe("splitVersion", () => {
  it("takes the version prefix off", () => {
    expect(splitVersion("/v1.41/containers/json")).toEqual({ version: "1.41", path: "/containers/json" });
    expect(splitVersion("/v1.45/_ping")).toEqual({ version: "1.45", path: "/_ping" });
    expect(splitVersion("/v1.24/version")).toEqual({ version: "1.24", path: "/version" });
  });
  it("serves unversioned paths at the server's own version", () => {
    expect(splitVersion("/info")).toEqual({ version: "1.45", path: "/info" });
  });
  it("refuses a newer version with a 400 naming the maximum", () => {
    let err: unknown;
    try {
      splitVersion("/v1.99/version");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WharfError);
    expect((err as WharfError).kind).toBe("invalidParameter");
    expect((err as Error).message).toBe("client version 1.99 is too new. Maximum supported API version is 1.45");
  });
  it("refuses a version older than 1.24", () => {
    expect(() => splitVersion("/v1.12/version")).toThrow(/too old. Minimum supported API version is 1.24/);
  });
  it("accepts every version from 1.24 to 1.45", () => {
    for (let n = 24; n <= 45; n++) expect(splitVersion(`/v1.${n}/info`).version).toBe(`1.${n}`);
  });
  it("compares numerically, not as text", () => {
    expect(compareVersions("1.9", "1.10")).toBeLessThan(0);
    expect(compareVersions("1.45", "1.45")).toBe(0);
    expect(compareVersions("2.0", "1.45")).toBeGreaterThan(0);
  });
});

describe("Router", () => {
  const r = new Router().add(
    { method: "GET", path: "/containers/{id}/json", handler: (req) => json({ id: req.params.id }) },
    { method: "POST", path: "/containers/{id}/start", handler: () => json(null, 204) },
  );
  it("matches parameters and decodes them", () => {
    const m = r.match("GET", "/containers/abc%2Fdef/json");
    expect(m.params).toEqual({ id: "abc/def" });
  });
  it("lets HEAD fall back to GET", () => {
    expect(r.match("HEAD", "/containers/x/json").params.id).toBe("x");
  });
  it("answers unknown routes and wrong methods with 404 page not found", () => {
    for (const [m, p] of [
      ["GET", "/nope"],
      ["DELETE", "/containers/x/start"],
    ] as const) {
      let err: unknown;
      try {
        r.match(m, p);
      } catch (e) {
        err = e;
      }
      expect((err as WharfError).kind).toBe("notFound");
      expect((err as Error).message).toBe("page not found");
    }
  });
  it("takes the first registered route that fits, literal or not, with one trailing slash allowed", () => {
    const seen = (name: string) => () => json(name);
    const r2 = new Router().add(
      { method: "GET", path: "/containers/json", handler: seen("list") },
      { method: "GET", path: "/containers/{id}/json", handler: seen("inspect") },
      { method: "GET", path: "/containers/{parent}/{alias}", handler: seen("link") },
      { method: "GET", path: "/containers//{parent}/{alias}/json", handler: seen("link-inspect") },
      { method: "DELETE", path: "/containers/{id}", handler: seen("remove") },
    );
    const which = (m: string, p: string) => (r2.match(m, p).handler({} as never) as { body: string }).body;
    expect(which("GET", "/containers/json")).toBe("list");
    expect(which("GET", "/containers/json/")).toBe("list");
    expect(which("GET", "/containers/web/json")).toBe("inspect");
    expect(which("GET", "/containers/web/db")).toBe("link");
    expect(which("GET", "/containers//web/db/json")).toBe("link-inspect");
    expect(r2.match("GET", "/containers//web/db/json").params).toEqual({ parent: "web", alias: "db" });
    expect(which("DELETE", "/containers/json")).toBe("remove");
    // A parameter is never empty, and only one trailing slash is forgiven.
    expect(() => r2.match("GET", "/containers//json")).toThrow("page not found");
    expect(() => r2.match("GET", "/containers/web/json//")).toThrow("page not found");
    expect(() => r2.match("GET", "/containers")).toThrow("page not found");
  });
  it("refuses a parameter that is not a whole segment", () => {
    expect(() => new Router().add({ method: "GET", path: "/images/{name}.json", handler: () => json(null) })).toThrow(/whole segment/);
  });
});
