// The container runtime for real, as root: namespaces, dockerinit through the compiled
// binary, cgroups v1 on this host, on a busybox rootfs from the fixture.
import { describe, expect, test } from "vitest";
import { readFileSync, statSync, writeFileSync, appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { useRuntime } from "../helpers/runtime.ts";

const fx = useRuntime();
const { newSpec, logOf, run, startFailure } = fx;

describe("process and namespaces", () => {
  test("the command is PID 1 with the container's hostname, as root", async () => {
    // The trailing `true` keeps sh from exec'ing its last command, so sh stays PID 1.
    const r = await run(["sh", "-c", "echo $$; hostname; id; cat /proc/1/cmdline; true"]);
    expect(r.status.exitCode).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("1");
    expect(lines[1]).toBe(r.spec.hostname);
    expect(lines[2]).toMatch(/^uid=0\(root\) gid=0\(root\)/);
    expect(lines[3]).toBe("sh\0-c\0echo $$; hostname; id; cat /proc/1/cmdline; true\0");
    expect(r.status.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  test("exit codes pass through: false gives 1", async () => {
    expect((await run(["false"])).status.exitCode).toBe(1);
    expect((await run(["sh", "-c", "exit 42"])).status.exitCode).toBe(42);
  });

  test("a missing command is 127 with Docker's message", async () => {
    const f = await startFailure(["nosuchcmd"]);
    expect(f.exitCode).toBe(127);
    expect(f.message).toBe('exec: "nosuchcmd": executable file not found in $PATH');
  });

  test("a file that is not executable is 126", async () => {
    const f = await startFailure(["/etc/passwd"]);
    expect(f.exitCode).toBe(126);
    expect(f.message).toContain("permission denied");
  });

  test("environment gets PATH, HOSTNAME and HOME; the working dir is made", async () => {
    const r = await run(["sh", "-c", "env; pwd"], { env: ["FOO=bar"], cwd: "/work/deep" });
    expect(r.out).toContain("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
    expect(r.out).toContain(`HOSTNAME=${r.spec.hostname}\n`);
    expect(r.out).toContain("HOME=/root\n");
    expect(r.out).toContain("FOO=bar\n");
    expect(r.out.trim().split("\n").at(-1)).toBe("/work/deep");
  });

  test("mounts: /proc masked and read-only paths, read-only /sys, /dev nodes, shm size, etc files", async () => {
    const hosts = join(fx.dir, "hosts-file");
    writeFileSync(hosts, "127.0.0.1\tlocalhost\n10.9.9.9\tspecial\n");
    const script = [
      "wc -c < /proc/keys; cat /proc/timer_list | wc -c",
      "echo 1 > /proc/sys/kernel/panic && echo sys-writable || echo sys-ro",
      "touch /sys/x 2>/dev/null && echo sysfs-writable || echo sysfs-ro",
      "ls /dev | tr '\\n' ' '; echo",
      "df -k /dev/shm | tail -1 | awk '{print $2}'",
      "cat /etc/hosts",
      "cat /proc/self/cgroup | head -1",
    ].join("; ");
    const r = await run(["sh", "-c", script], { etcFiles: { hosts }, shmSize: 8 * 1024 * 1024 });
    const lines = r.out.split("\n");
    expect(readFileSync("/proc/timer_list", "utf8").length).toBeGreaterThan(0); // the host's is not empty
    expect(lines.slice(0, 2)).toEqual(["0", "0"]);
    expect(lines[2]).toBe("sys-ro");
    expect(lines[3]).toBe("sysfs-ro");
    for (const d of ["null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "shm", "mqueue"]) expect(lines[4]).toContain(d);
    expect(lines[5]).toBe("8192");
    expect(r.out).toContain("10.9.9.9\tspecial");
    expect(lines.at(-2)).toMatch(/:\/$/); // cgroup namespace rooted at the container's cgroup
  });
});

describe("users and capabilities", () => {
  test("--user by name through the container's /etc/passwd, and uid:gid", async () => {
    const spec = newSpec(["id"], { user: "nobody" });
    appendFileSync(join(spec.rootfs, "etc/passwd"), "nobody:x:65534:65534:nobody:/home:/bin/false\n");
    appendFileSync(join(spec.rootfs, "etc/group"), "nogroup:x:65534:\nstaff:x:50:nobody\n");
    await fx.rt.start(spec);
    expect((await fx.rt.wait(spec.id, spec.stateDir)).exitCode).toBe(0);
    expect(logOf(spec)).toBe("uid=65534(nobody) gid=65534(nogroup) groups=50(staff),65534(nogroup)\n");

    const r = await run(["sh", "-c", "id; grep CapEff /proc/self/status"], { user: "1000:1000" });
    expect(r.out).toBe("uid=1000 gid=1000 groups=1000\nCapEff:\t0000000000000000\n");
  });

  test("an unknown user fails the start with 125", async () => {
    const f = await startFailure(["id"], { user: "nosuchuser" });
    expect(f.exitCode).toBe(125);
    expect(f.message).toBe("unable to find user nosuchuser: no matching entries in passwd file");
  });

  test("Docker's default capability set; cap-drop ALL takes NET_RAW from ping", async () => {
    const r = await run(["grep", "Cap", "/proc/self/status"]);
    expect(r.out).toContain("CapEff:\t00000000a80425fb\n");
    expect(r.out).toContain("CapBnd:\t00000000a80425fb\n");
    expect(r.out).toContain("CapPrm:\t00000000a80425fb\n");

    const ok = await run(["ping", "-c", "1", "-W", "1", "127.0.0.1"]);
    expect(ok.status.exitCode).toBe(0);
    const denied = await run(["ping", "-c", "1", "-W", "1", "127.0.0.1"], { capDrop: ["ALL"] });
    expect(denied.status.exitCode).not.toBe(0);
    expect(denied.err).toContain("permission denied");
    const caps = await run(["grep", "CapEff", "/proc/self/status"], { capDrop: ["ALL"], capAdd: ["NET_RAW"] });
    expect(caps.out).toBe("CapEff:\t0000000000002000\n");
  });

  test("the devices cgroup keeps a container off host block devices even though it may mknod them", async () => {
    // loop0 (block 7:0): one the host's root may open here (this sandbox denies its disk even to root).
    expect(statSync("/dev/loop0").isBlockDevice()).toBe(true);
    const script = "mknod /tmp/disk b 7 0 && echo made; head -c 1 /tmp/disk > /dev/null && echo read";
    const r = await run(["sh", "-c", script]);
    expect(r.out).toBe("made\n");
    expect(r.err).toContain("Operation not permitted");
    const p = await run(["sh", "-c", script], { privileged: true });
    expect(p.out).toBe("made\nread\n");
  });

  test("privileged gets every capability; no_new_privs is set when asked", async () => {
    // Every capability this host lets us hold (its bounding set may lack some).
    const all = /^CapBnd:\s*([0-9a-f]+)/m.exec(readFileSync("/proc/self/status", "utf8"))![1];
    const p = await run(["grep", "CapEff", "/proc/self/status"], { privileged: true });
    expect(p.out).toBe(`CapEff:\t${all}\n`);
    const nnp = await run(["grep", "NoNewPrivs", "/proc/self/status"], { noNewPrivileges: true });
    expect(nnp.out).toBe("NoNewPrivs:\t1\n");
  });
});

describe("limits", () => {
  test("read-only rootfs refuses writes, tmpfs mounts still work", async () => {
    const r = await run(["sh", "-c", "touch /x; echo $?; touch /scratch/y && echo tmpfs-ok; grep ' /scratch ' /proc/mounts"], {
      readOnlyRootfs: true,
      mounts: [{ source: "tmpfs", destination: "/scratch", type: "tmpfs", options: "rw,noexec,size=1m" }],
    });
    expect(r.err).toContain("Read-only file system");
    const [code, ok, mnt] = r.out.split("\n");
    expect([code, ok]).toEqual(["1", "tmpfs-ok"]);
    expect(mnt).toMatch(/^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,\S*size=1024k/);
  });

  test("ulimits and namespaced sysctls apply; a host sysctl is refused", async () => {
    const r = await run(["sh", "-c", "ulimit -n; cat /proc/sys/kernel/shmmax"], {
      ulimits: [{ name: "nofile", soft: 512, hard: 1024 }],
      sysctls: { "kernel.shmmax": "123456789" },
    });
    expect(r.out).toBe("512\n123456789\n");
    const f = await startFailure(["true"], { sysctls: { "kernel.panic": "1" } });
    expect(f.exitCode).toBe(125);
    expect(f.message).toContain("kernel.panic");
  });

  test("-m 32m: a memory hog is OOM-killed, exit 137, recorded as OOMKilled", async () => {
    const r = await run(["sh", "-c", "x=a; while true; do x=$x$x; done"], { resources: { memory: 32 * 1024 * 1024 } });
    expect(r.status.exitCode).toBe(137);
    expect(r.status.oomKilled).toBe(true);
  });

  test("pids limit 10 stops a bounded fork bomb", async () => {
    const r = await run(["sh", "-c", "for i in $(seq 1 30); do sleep 2 & done; echo started; wait"], { resources: { pidsLimit: 10 } });
    expect(r.err).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  test("pause freezes, resume thaws, update changes limits live, stats read the cgroup", async () => {
    const spec = newSpec(["sleep", "30"], { resources: { pidsLimit: 20 } });
    const { pid } = await fx.rt.start(spec);
    await fx.rt.pause(spec.id);
    expect(readFileSync(`/sys/fs/cgroup/freezer/${fx.parent}/${spec.id}/freezer.state`, "utf8").trim()).toBe("FROZEN");
    await fx.rt.resume(spec.id);
    expect(readFileSync(`/sys/fs/cgroup/freezer/${fx.parent}/${spec.id}/freezer.state`, "utf8").trim()).toBe("THAWED");
    await fx.rt.update(spec.id, { pidsLimit: 5, memory: 64 * 1024 * 1024, nanoCpus: 500_000_000 });
    expect(readFileSync(`/sys/fs/cgroup/pids/${fx.parent}/${spec.id}/pids.max`, "utf8").trim()).toBe("5");
    expect(readFileSync(`/sys/fs/cgroup/cpu/${fx.parent}/${spec.id}/cpu.cfs_quota_us`, "utf8").trim()).toBe("50000");
    const st = fx.rt.stats(spec.id);
    expect(st.memoryLimit).toBe(64 * 1024 * 1024);
    expect(st.pidsCurrent).toBe(1);
    expect(fx.rt.pids(spec.id)).toEqual([pid]);
    fx.rt.signal(spec.stateDir, 9);
    expect((await fx.rt.wait(spec.id, spec.stateDir)).exitCode).toBe(137);
    expect(fx.rt.alive(spec.stateDir)).toBe(false);
  });

  test("--init: PID 1 forwards SIGTERM to the command and returns its status", async () => {
    const spec = newSpec(["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; exec sleep 30"], { init: true });
    await fx.rt.start(spec);
    await Bun.sleep(300);
    fx.rt.signal(spec.stateDir, 15);
    const s = await fx.rt.wait(spec.id, spec.stateDir);
    expect(s.exitCode).toBe(143);
    expect(logOf(spec)).toContain("dockerinit");
    expect((await run(["sh", "-c", "sleep 0.2 & exit 3"], { init: true })).status.exitCode).toBe(3);
  });
});

describe("binds", () => {
  test("a bind whose source became a mount point after the warm init was born shows that mount, and writes land in it", async () => {
    await run(["true"]); // the monitor now holds a warm init, its mount table copied before the mount below
    const dir = mkdtempSync(join(tmpdir(), "wharf-rt-bind-"));
    const spawned = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { encoding: "utf8" });
    expect(spawned.status, spawned.stderr).toBe(0);
    try {
      writeFileSync(join(dir, "seen"), "on the tmpfs\n");
      const r = await run(["sh", "-c", "cat /data/seen && echo written > /data/back"], { mounts: [{ source: dir, destination: "/data", type: "bind" }] });
      expect(r.out).toBe("on the tmpfs\n");
      expect(readFileSync(join(dir, "back"), "utf8")).toBe("written\n");
    } finally {
      spawnSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("network modes", () => {
  test("none: only an up loopback; host: the host's interfaces; path: a prepared namespace", async () => {
    const ifaces = (out: string) => out.split("\n").slice(2).map((l) => l.split(":")[0]!.trim()).filter(Boolean).sort();
    const none = await run(["cat", "/proc/net/dev"]);
    expect(ifaces(none.out)).toEqual(["lo"]);
    // Other test files add and remove veths meanwhile: the container must see every
    // interface the host had both before and after its run.
    const hostBefore = ifaces(readFileSync("/proc/net/dev", "utf8"));
    const host = ifaces((await run(["cat", "/proc/net/dev"], { network: { mode: "host" } })).out);
    const hostAfter = ifaces(readFileSync("/proc/net/dev", "utf8"));
    const steady = hostBefore.filter((i) => hostAfter.includes(i));
    expect(steady.length).toBeGreaterThan(1);
    expect(host).toEqual(expect.arrayContaining(steady));

    // The namespace is mounted after the warm init was born (the host run above made
    // the monitor spawn the next), on a file outside any shared mount: the warm init's
    // mount namespace never sees that bind mount, so it must find it through the monitor's.
    const dir = mkdtempSync(join(tmpdir(), "wharf-rt-ns-"));
    const file = join(dir, "net");
    writeFileSync(file, "");
    const cmd = (...args: string[]) => {
      const r = spawnSync(args[0]!, args.slice(1), { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
    };
    try {
      cmd("unshare", `--net=${file}`, "ip", "link", "add", "wharf-va", "type", "veth", "peer", "name", "wharf-vb");
      const joined = await run(["cat", "/proc/net/dev"], { network: { mode: "path", path: file } });
      expect(ifaces(joined.out)).toEqual(["lo", "wharf-va", "wharf-vb"]);
    } finally {
      spawnSync("umount", [file]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

