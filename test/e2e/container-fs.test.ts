// cp, diff, export, commit, top and stats through the real docker CLI (issue 5, part B).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function tarList(buf: Buffer | string): string[] {
  const r = spawnSync("tar", ["-t"], { input: buf });
  return r.stdout.toString().split("\n").filter(Boolean);
}

describe("container filesystem and counters e2e", () => {
  let d: TestDaemon;
  let host: string;
  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    host = mkdtempSync(join(tmpdir(), "wharf-cp-"));
  });
  afterAll(async () => {
    await removeAllAndCleanup(d);
    if (host) rmSync(host, { recursive: true, force: true });
  });

  it("cp copies files and directories into and out of a running container", () => {
    const id = ok(docker(d, ["run", "-d", "--name", "cprun", "busybox", "sleep", "300"])).trim();
    writeFileSync(join(host, "in.txt"), "hello in\n");
    mkdirSync(join(host, "dir/sub"), { recursive: true });
    writeFileSync(join(host, "dir/sub/f"), "deep\n");
    ok(docker(d, ["cp", join(host, "in.txt"), "cprun:/tmp/"]));
    ok(docker(d, ["cp", join(host, "dir"), "cprun:/tmp/dir"]));
    ok(docker(d, ["cp", "cprun:/tmp/in.txt", join(host, "in-back.txt")]));
    expect(readFileSync(join(host, "in-back.txt"), "utf8")).toBe("hello in\n");
    ok(docker(d, ["cp", "cprun:/etc/passwd", join(host, "passwd")]));
    expect(readFileSync(join(host, "passwd"), "utf8")).toMatch(/^root:x:0:0:/);
    ok(docker(d, ["cp", "cprun:/tmp/dir", join(host, "out")]));
    expect(readFileSync(join(host, "out/sub/f"), "utf8")).toBe("deep\n");
    // `/.` copies the directory's content, not the directory.
    mkdirSync(join(host, "dot"));
    ok(docker(d, ["cp", "cprun:/tmp/dir/.", join(host, "dot")]));
    expect(readdirSync(join(host, "dot"))).toEqual(["sub"]);
    // The container is frozen only while cp works on it (CVE-2018-15664), then runs on.
    expect(ok(docker(d, ["inspect", "-f", "{{.State.Running}} {{.State.Paused}}", "cprun"])).trim()).toBe("true false");
    // /etc/hostname is a bind mount in the container: cp reads the one it sees.
    ok(docker(d, ["cp", "cprun:/etc/hostname", join(host, "hostname")]));
    expect(readFileSync(join(host, "hostname"), "utf8")).toBe(`${id.slice(0, 12)}\n`);
    docker(d, ["rm", "-f", id]);
  });

  it("cp works on a stopped (never started) container and unmounts after", () => {
    ok(docker(d, ["create", "--name", "cpstopped", "busybox", "cat", "/hello.txt"]));
    writeFileSync(join(host, "hello.txt"), "from the host\n");
    ok(docker(d, ["cp", join(host, "hello.txt"), "cpstopped:/"]));
    ok(docker(d, ["cp", "cpstopped:/bin/busybox", join(host, "bb")]));
    expect(readFileSync(join(host, "bb")).length).toBeGreaterThan(100_000);
    const mounts = readFileSync("/proc/self/mountinfo", "utf8");
    expect(mounts).not.toContain(`${d.dataRoot}/overlay2/rw/`);
    expect(ok(docker(d, ["start", "-a", "cpstopped"]))).toBe("from the host\n");
  });

  it("cp - streams a tar both ways", () => {
    ok(docker(d, ["create", "--name", "cptar", "busybox", "true"]));
    const out = spawnSync("/usr/local/bin/docker", ["cp", "cptar:/etc", "-"], {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") },
    });
    expect(out.status).toBe(0);
    const names = tarList(out.stdout);
    expect(names).toContain("etc/");
    expect(names).toContain("etc/passwd");
    const tarIn = spawnSync("tar", ["-c", "-C", host, "in.txt"]).stdout;
    const put = spawnSync("/usr/local/bin/docker", ["cp", "-", "cptar:/root"], {
      input: tarIn,
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") },
    });
    expect(put.status, put.stderr.toString()).toBe(0);
    const back = spawnSync("/usr/local/bin/docker", ["cp", "cptar:/root/in.txt", "-"], {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") },
    });
    expect(tarList(back.stdout)).toEqual(["in.txt"]);
  });

  it("cp never leaves the container root: symlinks to / and ../.. resolve inside it", () => {
    ok(docker(d, ["run", "--name", "cpesc", "busybox", "sh", "-c", "ln -s / /rootlink; ln -s ../../../../.. /up; ln -s ../../../../../etc/passwd /pwlink; mkdir /box"]));
    const unique = `payload-${process.pid}-${Date.now()}`;
    writeFileSync(join(host, unique), "payload\n");
    // Writing through the links lands inside the container, never at the host's /.
    ok(docker(d, ["cp", join(host, unique), "cpesc:/rootlink/tmp/"]));
    ok(docker(d, ["cp", join(host, unique), "cpesc:/up/box/"]));
    expect(existsSync(`/tmp/${unique}`)).toBe(false);
    expect(existsSync(`/box`)).toBe(false);
    ok(docker(d, ["cp", `cpesc:/tmp/${unique}`, join(host, "p1")]));
    ok(docker(d, ["cp", `cpesc:/box/${unique}`, join(host, "p2")]));
    expect(readFileSync(join(host, "p2"), "utf8")).toBe("payload\n");
    // Reading through them sees the container's files, not the host's.
    ok(docker(d, ["cp", "cpesc:/up/etc/passwd", join(host, "passwd2")]));
    expect(readFileSync(join(host, "passwd2"), "utf8")).toMatch(/^root:x:0:0:root:\/root:\/bin\/sh\n/);
    ok(docker(d, ["cp", "-L", "cpesc:/pwlink", join(host, "followed")]));
    expect(readFileSync(join(host, "followed"), "utf8")).toBe(readFileSync(join(host, "passwd2"), "utf8"));
    // Without -L the link itself is copied.
    ok(docker(d, ["cp", "cpesc:/rootlink", join(host, "link-itself")]));
    expect(spawnSync("readlink", [join(host, "link-itself")]).stdout.toString().trim()).toBe("/");
    // A tar whose entries climb out is refused and writes nothing.
    const evil = spawnSync("tar", ["-c", "-P", "--transform", "s,^,../../../../tmp/,", "-C", host, unique]).stdout;
    const res = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", d.sock, "-X", "PUT",
      "--data-binary", "@-", "http://x/containers/cpesc/archive?path=/box"], { input: evil });
    expect(res.stdout.toString()).toBe("400");
    expect(existsSync(`/tmp/${unique}`)).toBe(false);
  });

  it("cp -a gives copied files the container user's uid and gid; without it the archive's", () => {
    ok(docker(d, ["create", "--name", "cpuid", "--user", "1234:2345", "busybox", "true"]));
    writeFileSync(join(host, "owned"), "o\n");
    ok(docker(d, ["cp", "-a", join(host, "owned"), "cpuid:/tmp/"]));
    const env = { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") };
    const tar = spawnSync("/usr/local/bin/docker", ["cp", "cpuid:/tmp/owned", "-"], { env }).stdout;
    expect(spawnSync("tar", ["-tv", "--numeric-owner"], { input: tar }).stdout.toString()).toMatch(/^-rw-r--r-- 1234\/2345 /);
    const plain = spawnSync("tar", ["-c", "--owner=77", "--group=88", "--numeric-owner", "-C", host, "owned"]).stdout;
    expect(spawnSync("/usr/local/bin/docker", ["cp", "-", "cpuid:/"], { env, input: plain }).status).toBe(0);
    const back = spawnSync("/usr/local/bin/docker", ["cp", "cpuid:/owned", "-"], { env }).stdout;
    expect(spawnSync("tar", ["-tv", "--numeric-owner"], { input: back }).stdout.toString()).toMatch(/^-rw-r--r-- 77\/88 /);
  });

  it("cp reads and writes through bind mounts; a read-only bind refuses writes", () => {
    const bound = mkdtempSync(join(tmpdir(), "wharf-bind-"));
    try {
      writeFileSync(join(bound, "bound.txt"), "from the bind\n");
      ok(docker(d, ["create", "--name", "bindc", "-v", `${bound}:/data`, "-v", `${bound}:/rodata:ro`, "busybox", "true"]));
      ok(docker(d, ["cp", "bindc:/data/bound.txt", join(host, "bound-out")]));
      expect(readFileSync(join(host, "bound-out"), "utf8")).toBe("from the bind\n");
      writeFileSync(join(host, "into-bind"), "in\n");
      ok(docker(d, ["cp", join(host, "into-bind"), "bindc:/data/"]));
      expect(readFileSync(join(bound, "into-bind"), "utf8")).toBe("in\n");
      const ro = docker(d, ["cp", join(host, "into-bind"), "bindc:/rodata/"]);
      expect(ro.code).toBe(1);
      expect(ro.stderr).toContain("mounted volume is marked read-only");
    } finally {
      rmSync(bound, { recursive: true, force: true });
    }
  });

  it("HEAD archive sends the path stat header with Go file mode bits", () => {
    ok(docker(d, ["create", "--name", "cpstat", "busybox", "true"]));
    const r = spawnSync("curl", ["-sI", "--unix-socket", d.sock, "http://x/containers/cpstat/archive?path=/etc"]);
    const line = r.stdout.toString().split("\r\n").find((l) => l.toLowerCase().startsWith("x-docker-container-path-stat:"));
    expect(line).toBeDefined();
    const stat = JSON.parse(Buffer.from(line!.split(": ")[1]!, "base64").toString());
    expect(stat.name).toBe("etc");
    expect(stat.mode).toBe(2 ** 31 + 0o755);
    expect(stat.mtime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const miss = docker(d, ["cp", "cpstat:/nope", host]);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toMatch(/Could not find the file \/nope in container cpstat|No such container:path: cpstat:\/nope/);
  });

  it("diff lists A, C and D; export lists the merged filesystem", () => {
    ok(docker(d, ["run", "--name", "differ", "busybox", "sh", "-c", "echo x > /added; rm /etc/group; echo y >> /etc/passwd; mkdir -p /newdir/in"]));
    const lines = ok(docker(d, ["diff", "differ"])).trim().split("\n");
    expect(lines).toContain("A /added");
    expect(lines).toContain("D /etc/group");
    expect(lines).toContain("C /etc/passwd");
    expect(lines).toContain("C /etc");
    expect(lines).toContain("A /newdir");
    expect(lines).toContain("A /newdir/in");
    const out = spawnSync("/usr/local/bin/docker", ["export", "differ"], {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") },
      maxBuffer: 64 << 20,
    });
    expect(out.status).toBe(0);
    const names = tarList(out.stdout);
    expect(names).toContain("added");
    expect(names).toContain("bin/busybox");
    expect(names).toContain("etc/passwd");
    expect(names).not.toContain("etc/group");
    // The /etc files' mount points are not changes (Docker keeps them in its init layer);
    // a modified file does not make its directory changed, an added one does.
    ok(docker(d, ["run", "--name", "differ2", "busybox", "sh", "-c", "echo y >> /etc/passwd"]));
    expect(ok(docker(d, ["diff", "differ2"]))).toBe("C /etc/passwd\n");
    ok(docker(d, ["run", "--name", "differ3", "busybox", "true"]));
    expect(ok(docker(d, ["diff", "differ3"]))).toBe("");
    ok(docker(d, ["export", "-o", join(host, "exp.tar"), "differ"]));
    expect(tarList(readFileSync(join(host, "exp.tar")))).toEqual(names);
  });

  it("commit makes an image that sees the changes; a deleted file stays deleted", () => {
    const id = ok(docker(d, ["commit", "-m", "my change", "-a", "tester", "-c", "ENV FOO=bar", "-c", 'CMD ["cat", "/added"]', "differ", "committed:v1"])).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ok(docker(d, ["run", "--rm", "committed:v1"]))).toBe("x\n");
    const r = docker(d, ["run", "--rm", "committed:v1", "sh", "-c", "echo $FOO; ls /etc/group 2>&1; tail -1 /etc/passwd; ls -d /newdir/in"]);
    expect(r.stdout).toMatch(/^bar\nls: \/etc\/group: No such file or directory\ny\n\/newdir\/in\n$/);
    const hist = ok(docker(d, ["history", "--no-trunc", "--format", "{{.Comment}}|{{.CreatedBy}}", "committed:v1"])).split("\n");
    expect(hist[0]).toBe("my change|sh -c echo x > /added; rm /etc/group; echo y >> /etc/passwd; mkdir -p /newdir/in");
    expect(ok(docker(d, ["inspect", "-f", "{{.Author}} {{.Comment}}", "committed:v1"])).trim()).toBe("tester my change");
    // Commit of a running container (paused meanwhile) keeps it running.
    ok(docker(d, ["run", "-d", "--name", "livecommit", "busybox", "sh", "-c", "echo live > /live; sleep 300"]));
    for (let i = 0; i < 50 && docker(d, ["cp", "livecommit:/live", "-"]).code !== 0; i++) Bun.sleepSync(100);
    ok(docker(d, ["commit", "livecommit", "committed:live"]));
    expect(ok(docker(d, ["inspect", "-f", "{{.State.Running}} {{.State.Paused}}", "livecommit"])).trim()).toBe("true false");
    expect(ok(docker(d, ["run", "--rm", "committed:live", "cat", "/live"]))).toBe("live\n");
    docker(d, ["rm", "-f", "livecommit"]);
  });

  it("a directory removed and made again (opaque) hides the image's content after commit", () => {
    ok(docker(d, ["run", "--name", "opq", "busybox", "sh", "-c", "rm -rf /var && mkdir /var && echo new > /var/only"]));
    const lines = ok(docker(d, ["diff", "opq"])).trim().split("\n");
    expect(lines).toContain("A /var/only");
    ok(docker(d, ["commit", "opq", "opaque:1"]));
    expect(ok(docker(d, ["run", "--rm", "opaque:1", "ls", "/var"]))).toBe("only\n");
  });

  it("top lists the container's processes; 409 when not running", () => {
    ok(docker(d, ["run", "-d", "--name", "topper", "busybox", "sh", "-c", "sleep 301 & sleep 302"]));
    let out = "";
    for (let i = 0; i < 50; i++) {
      out = ok(docker(d, ["top", "topper"]));
      if (out.includes("sleep 302") && out.includes("sleep 301")) break;
      Bun.sleepSync(100);
    }
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    // busybox sh execs its last command: two sleeps are all there is, as under Docker.
    expect(lines.length).toBe(3);
    expect(out).toContain("sleep 301");
    expect(out).toContain("sleep 302");
    expect(out).not.toMatch(/vitest|wharf -d/);
    const aux = ok(docker(d, ["top", "topper", "-o", "pid,comm"]));
    expect(aux.split("\n")[0]).toMatch(/^PID\s+COMMAND$/);
    docker(d, ["rm", "-f", "topper"]);
    ok(docker(d, ["create", "--name", "topstopped", "busybox", "true"]));
    const r = docker(d, ["top", "topstopped"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Container [0-9a-f]{64} is not running/);
  });

  it("stats --no-stream shows Docker's columns and the API's shape", () => {
    ok(docker(d, ["run", "-d", "--name", "stater", "-m", "64m", "busybox", "sleep", "300"]));
    const out = ok(docker(d, ["stats", "--no-stream", "stater"]));
    const [head, row] = out.trim().split("\n");
    expect(head).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    expect(row).toMatch(/^[0-9a-f]{12}\s+stater\s+\d+\.\d\d%\s+\S+ \/ 64MiB\s+\d+\.\d\d%\s+\S+ \/ \S+\s+\S+ \/ \S+\s+1$/);
    const api = spawnSync("curl", ["-s", "--unix-socket", d.sock, "http://x/containers/stater/stats?stream=false"]);
    const s = JSON.parse(api.stdout.toString());
    for (const k of ["read", "preread", "pids_stats", "blkio_stats", "cpu_stats", "precpu_stats", "memory_stats", "name", "id"]) expect(s).toHaveProperty(k);
    expect(s.name).toBe("/stater");
    expect(s.cpu_stats.online_cpus).toBeGreaterThan(0);
    expect(s.cpu_stats.system_cpu_usage).toBeGreaterThan(s.precpu_stats.system_cpu_usage);
    expect(s.memory_stats.limit).toBe(64 << 20);
    expect(s.pids_stats.current).toBe(1);
    expect(Array.isArray(s.blkio_stats.io_service_bytes_recursive)).toBe(true);
    expect(Object.keys(s.memory_stats.stats)).toContain(existsSync("/sys/fs/cgroup/cgroup.controllers") ? "file" : "cache");
    const fmt = ok(docker(d, ["stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "stater"]));
    expect(fmt.trim()).toBe("stater 1");
    // Live: the CLI keeps redrawing from the stream (one line per sample off a terminal).
    const live = spawnSync("/usr/local/bin/docker", ["stats", "--format", "{{.Name}} {{.PIDs}}", "stater"], {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") },
      timeout: 4000,
      killSignal: "SIGKILL",
    });
    expect(live.stdout.toString().split("stater 1").length - 1).toBeGreaterThanOrEqual(2);
    docker(d, ["rm", "-f", "stater"]);
  });
});

describe("diff, commit and cp on the vfs driver", () => {
  it("vfs compares with the image root; commit keeps deletions; cp works", async () => {
    const d = await startDaemon(["--storage-driver", "vfs"]);
    const host = mkdtempSync(join(tmpdir(), "wharf-vfs-"));
    try {
      loadBusybox(d);
      ok(docker(d, ["run", "--name", "vv", "busybox", "sh", "-c", "echo x > /added; rm /etc/group; echo y >> /etc/passwd"]));
      const lines = ok(docker(d, ["diff", "vv"])).trim().split("\n");
      expect(lines).toEqual(expect.arrayContaining(["A /added", "D /etc/group", "C /etc/passwd", "C /etc"]));
      expect(lines.some((l) => l.startsWith("C /bin"))).toBe(false);
      ok(docker(d, ["commit", "vv", "vfscommit"]));
      expect(ok(docker(d, ["run", "--rm", "vfscommit", "sh", "-c", "cat /added; test -e /etc/group || echo gone"]))).toBe("x\ngone\n");
      writeFileSync(join(host, "f"), "vfs\n");
      ok(docker(d, ["cp", join(host, "f"), "vv:/f"]));
      ok(docker(d, ["cp", "vv:/f", join(host, "back")]));
      expect(readFileSync(join(host, "back"), "utf8")).toBe("vfs\n");
    } finally {
      const left = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
      if (left.length) docker(d, ["rm", "-f", ...left]);
      await d.cleanup();
      rmSync(host, { recursive: true, force: true });
    }
  });
});
