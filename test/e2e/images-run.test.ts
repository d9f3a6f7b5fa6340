// The multilayer fixture, loaded from the archives real tools wrote, run under both graph
// drivers: every whiteout, mode, link and file the fixture README lists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { docker, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { fixtures } from "../helpers/archives.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const probe = [
  "test ! -e /opt/gone && echo gone-missing",
  "test ! -e /opt/keep/k.txt && echo k-missing",
  "cat /opt/keep/new.txt",
  "cat /app/data/one.txt",
  'stat -c "%a" /app/data/one.txt /app/hardlink-to-one',
  "readlink /app/link-to-one",
  "cat /app/hardlink-to-one",
].join("; ");

describe.each(["overlay2", "vfs"])("the multilayer image runs under %s", (driver) => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon(["--storage-driver", driver]);
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  it.each(["multilayer-oci.tar", "multilayer-docker-save.tar"])("loaded from %s", (archive) => {
    ok(docker(d, ["load", "-i", join(fixtures, archive)]));
    expect(ok(docker(d, ["info", "--format", "{{.Driver}}"]))).toBe(`${driver}\n`);
    expect(ok(docker(d, ["run", "--rm", "wharf-fixture/multilayer:1.0"]))).toBe("hello world from /app\n");
    expect(ok(docker(d, ["run", "--rm", "wharf-fixture/multilayer:1.0", "there"]))).toBe("hello there from /app\n");
    expect(ok(docker(d, ["run", "--rm", "--entrypoint", "sh", "wharf-fixture/multilayer:1.0", "-c", probe]))).toBe(
      ["gone-missing", "k-missing", "replaced", "one", "4755", "644", "/app/data/one.txt", "one", ""].join("\n"),
    );
  });
});
