import { describe, expect, it } from "vitest";
import { familiarString, parseNormalized, parseRepoTag, referenceString, withDefaultTag } from "../../src/image/reference.ts";
import { WharfError } from "../../src/errors.ts";

const full = (s: string) => referenceString(withDefaultTag(parseNormalized(s)));

describe("image references", () => {
  it.each([
    ["busybox", "docker.io/library/busybox:latest", "busybox:latest"],
    ["busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"],
    ["library/busybox", "docker.io/library/busybox:latest", "busybox:latest"],
    ["docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"],
    ["index.docker.io/library/busybox:x", "docker.io/library/busybox:x", "busybox:x"],
    ["wharf-fixture/multilayer:1.0", "docker.io/wharf-fixture/multilayer:1.0", "wharf-fixture/multilayer:1.0"],
    ["host:5000/a/b:tag", "host:5000/a/b:tag", "host:5000/a/b:tag"],
    ["localhost/x", "localhost/x:latest", "localhost/x:latest"],
    ["Registry.Example/x", "Registry.Example/x:latest", "Registry.Example/x:latest"],
    ["a.b/c__d-e.f", "a.b/c__d-e.f:latest", "a.b/c__d-e.f:latest"],
    [`busybox@sha256:${"a".repeat(64)}`, `docker.io/library/busybox@sha256:${"a".repeat(64)}`, `busybox@sha256:${"a".repeat(64)}`],
    [`b:t@sha256:${"b".repeat(64)}`, `docker.io/library/b:t@sha256:${"b".repeat(64)}`, `b:t@sha256:${"b".repeat(64)}`],
  ])("%s → %s (familiar %s)", (input, want, fam) => {
    expect(full(input)).toBe(want);
    expect(familiarString(withDefaultTag(parseNormalized(input)))).toBe(fam);
  });

  it.each([
    ["Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase"],
    ["busybox:", "invalid reference format"],
    ["busy box", "invalid reference format"],
    ["", "invalid reference format"],
    ["-busybox", "invalid reference format"],
    ["busybox:-tag", "invalid reference format"],
    ["a//b", "invalid reference format"],
    ["busybox@sha256:abc", "invalid reference format"],
    ["a".repeat(64), `invalid repository name (${"a".repeat(64)}), cannot specify 64-byte hexadecimal strings`],
    [`x:${"t".repeat(129)}`, "invalid reference format"],
  ])("%j is refused: %s", (input, msg) => {
    let err: unknown;
    try {
      parseNormalized(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WharfError);
    expect((err as WharfError).kind).toBe("invalidParameter");
    expect((err as WharfError).message).toBe(msg);
  });

  it("repo and tag parameters combine; a tag on both is refused", () => {
    expect(referenceString(parseRepoTag("busybox", "v1"))).toBe("docker.io/library/busybox:v1");
    expect(referenceString(parseRepoTag("busybox"))).toBe("docker.io/library/busybox:latest");
    expect(() => parseRepoTag("busybox:a", "b")).toThrow(/invalid reference format/);
    expect(() => parseRepoTag("busybox", "bad tag")).toThrow(/invalid reference format/);
  });
});
