// isSelfBind tells the bind a (killed) daemon made of a directory onto itself from a
// filesystem mounted there on purpose, so a restarted daemon undoes only its own.
import { afterAll, describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSelfBind } from "../../src/storage/mount.ts";

const dir = mkdtempSync(join(tmpdir(), "wharf-selfbind-"));
const mount = (...args: string[]) => expect(spawnSync("mount", args).status).toBe(0);

describe("isSelfBind", () => {
  afterAll(() => {
    for (const d of ["self", "tmpfs", "other"]) spawnSync("umount", ["-l", join(dir, d)]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("a directory bound onto itself is one; a tmpfs, a bind of another directory, or no mount is not", () => {
    for (const d of ["self", "tmpfs", "other", "plain", "src"]) mkdirSync(join(dir, d));
    mount("--bind", join(dir, "self"), join(dir, "self"));
    mount("-t", "tmpfs", "tmpfs", join(dir, "tmpfs"));
    mount("--bind", join(dir, "src"), join(dir, "other"));
    expect(isSelfBind(join(dir, "self"))).toBe(true);
    expect(isSelfBind(join(dir, "tmpfs"))).toBe(false);
    expect(isSelfBind(join(dir, "other"))).toBe(false);
    expect(isSelfBind(join(dir, "plain"))).toBe(false);
  });
});
