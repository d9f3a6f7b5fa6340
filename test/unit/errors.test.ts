import { describe, expect, it } from "vitest";
import { httpStatus, errorBody } from "../../src/api/errors.ts";
import * as E from "../../src/errors.ts";

describe("error kinds map to HTTP status in one table", () => {
  const cases: [E.WharfError, number][] = [
    [E.notFound("No such container: x"), 404],
    [E.invalidParameter("bad"), 400],
    [E.conflict("in use"), 409],
    [E.notModified(), 304],
    [new E.WharfError("unauthorized", "no"), 401],
    [E.forbidden("no"), 403],
    [E.notImplemented("no"), 501],
    [E.unavailable("later"), 503],
    [E.systemError("boom"), 500],
  ];
  it.each(cases)("%s → %i", (err, status) => {
    expect(httpStatus(err)).toBe(status);
  });
  it("treats untyped errors as system errors (500)", () => {
    expect(httpStatus(new Error("x"))).toBe(500);
    expect(httpStatus("string")).toBe(500);
  });
  it("sends Docker's {message} body", () => {
    expect(errorBody(E.notFound("No such image: busybox:latest"))).toEqual({ message: "No such image: busybox:latest" });
  });
});
