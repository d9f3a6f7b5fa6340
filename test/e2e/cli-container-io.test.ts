// wharf's own client for cp, diff, top, stats, commit, export and port, checked
// against what the real docker CLI prints for the same daemon.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, wharf, wharfBin, type TestDaemon } from "../helpers/daemon.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe("wharf CLI: cp, diff, top, stats, commit, export, port", () => {
  let d: TestDaemon;
  let host: string;
  const w = (args: string[]) => wharf(["-H", d.host, ...args]);
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    host = mkdtempSync(join(tmpdir(), "wharf-clicp-"));
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
    if (host) rmSync(host, { recursive: true, force: true });
  });

  it("cp both ways, with renames, /. and -", () => {
    ok(docker(d, ["create", "--name", "wc", "busybox", "true"]));
    mkdirSync(join(host, "src/sub"), { recursive: true });
    writeFileSync(join(host, "src/sub/a"), "A\n");
    writeFileSync(join(host, "file"), "F\n");
    const r = w(["cp", join(host, "src"), "wc:/tmp"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Successfully copied \S+ to wc:\/tmp\n$/);
    ok(w(["cp", join(host, "file"), "wc:/tmp/renamed"]));
    ok(w(["cp", join(host, "src"), "wc:/newdir"]));
    expect(ok(docker(d, ["cp", "wc:/tmp/src/sub/a", "-"]))).toContain("A\n");
    expect(ok(docker(d, ["cp", "wc:/tmp/renamed", "-"]))).toContain("F\n");
    expect(ok(docker(d, ["cp", "wc:/newdir/sub/a", "-"]))).toContain("A\n");
    ok(w(["cp", "wc:/tmp/src", join(host, "out1")]));
    expect(readFileSync(join(host, "out1/sub/a"), "utf8")).toBe("A\n");
    mkdirSync(join(host, "out2"));
    ok(w(["cp", "wc:/tmp/src", join(host, "out2")]));
    expect(readFileSync(join(host, "out2/src/sub/a"), "utf8")).toBe("A\n");
    mkdirSync(join(host, "out3"));
    ok(w(["cp", "wc:/tmp/src/.", join(host, "out3")]));
    expect(readFileSync(join(host, "out3/sub/a"), "utf8")).toBe("A\n");
    ok(w(["cp", "wc:/etc/passwd", join(host, "pw")]));
    expect(readFileSync(join(host, "pw"), "utf8")).toMatch(/^root:x:0:0:/);
    const tar = spawnSync(wharfBin, ["-H", d.host, "cp", "wc:/tmp/renamed", "-"]);
    expect(tar.status).toBe(0);
    expect(spawnSync("tar", ["-t"], { input: tar.stdout }).stdout.toString()).toBe("renamed\n");
    const miss = w(["cp", "wc:/nope", host]);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain("Could not find the file /nope in container wc");
  });

  it("diff and export print what docker prints", () => {
    ok(docker(d, ["run", "--name", "wd", "busybox", "sh", "-c", "touch /new; rm /etc/group"]));
    expect(ok(w(["diff", "wd"]))).toBe(ok(docker(d, ["diff", "wd"])));
    expect(ok(w(["diff", "wd"]))).toContain("D /etc/group\n");
    ok(w(["export", "-o", join(host, "wd.tar"), "wd"]));
    const names = spawnSync("tar", ["-tf", join(host, "wd.tar")]).stdout.toString().split("\n");
    expect(names).toContain("new");
    expect(names).not.toContain("etc/group");
  });

  it("commit with -c, -m, -a; the image runs with the changes", () => {
    const id = ok(w(["commit", "-a", "me", "-m", "msg", "-c", "CMD [\"cat\", \"/new\"]", "-c", "ENV A=1", "wd", "wharfcommit:t1"])).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ok(docker(d, ["inspect", "-f", "{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}", "wharfcommit:t1"])).trim()).toBe('me|msg|["cat","/new"]');
    expect(ok(docker(d, ["run", "--rm", "wharfcommit:t1", "sh", "-c", "echo $A; test -e /etc/group || echo gone"]))).toBe("1\ngone\n");
  });

  it("top and stats --no-stream match the docker CLI's layout", () => {
    ok(docker(d, ["run", "-d", "--name", "wt", "busybox", "sleep", "300"]));
    const mine = ok(w(["top", "wt"])).split("\n");
    const theirs = ok(docker(d, ["top", "wt"])).split("\n");
    expect(mine[0]).toBe(theirs[0]);
    expect(mine.length).toBe(theirs.length);
    const s = ok(w(["stats", "--no-stream", "wt"])).split("\n");
    const ds = ok(docker(d, ["stats", "--no-stream", "wt"])).split("\n");
    // Column widths follow the values (NET I/O grows as the bridge sees traffic between
    // the two calls): the headers must name the same columns in the same order.
    const columns = (line: string) => line.trim().split(/\s{2,}/);
    expect(columns(s[0]!)).toEqual(columns(ds[0]!));
    expect(s[1]).toMatch(/^[0-9a-f]{12}\s+wt\s+\d+\.\d\d%\s+\S+ \/ \S+\s+\d+\.\d\d%\s+\S+ \/ \S+\s+\S+ \/ \S+\s+1$/);
    expect(ok(w(["stats", "--no-stream", "--no-trunc", "--format", "{{.ID}} {{.Name}} {{.PIDs}}", "wt"])).trim()).toMatch(/^[0-9a-f]{64} wt 1$/);
    expect(ok(w(["top", "wt", "-o", "pid,comm"])).split("\n")[0]).toMatch(/^PID\s+COMMAND$/);
  });

  it("port: no ports lists nothing; asking for one says none is published", () => {
    ok(docker(d, ["create", "--name", "wp", "--expose", "80", "busybox", "true"]));
    expect(ok(w(["port", "wp"]))).toBe("");
    const r = w(["port", "wp", "80"]);
    expect(r.code).toBe(1);
    const dr = docker(d, ["port", "wp", "80"]);
    expect(dr.stderr).toBe("Error: No public port '80' published for wp\n");
    expect(r.stderr).toBe(dr.stderr);
    expect(w(["port", "wp", "80/tcp"]).stderr).toBe("Error: No public port '80/tcp' published for wp\n");
  });
});
