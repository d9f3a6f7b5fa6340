// Containment through the real docker CLI: Docker's default seccomp profile, custom
// and unconfined profiles, refused --security-opt keys, and empty inheritable/ambient
// capabilities for every process, execs included.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { docker, dockerCli, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { buildProbe, probeResults } from "./probe.ts";

let d: TestDaemon;
let probe: string;
const EPERM = "errno 1";

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
  probe = buildProbe(d.dir);
});
afterAll(async () => removeAllAndCleanup(d));

const status = (out: string, key: string) => new RegExp(`^${key}:\\s*(\\S+)`, "m").exec(out)?.[1];
const runProbe = (extra: string[], calls: string[]) => {
  const r = docker(d, ["run", "--rm", ...extra, "-v", `${probe}:/probe:ro`, "busybox", "/probe", ...calls]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return probeResults(r.stdout);
};

// First in the file, while the daemon's compiled-filter cache is still empty: every
// init is pid 1 in its own namespace, so a temp name made from the pid collided.
test("six containers started at once on an empty filter cache all start", async () => {
  const env = { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") };
  const runs = Array.from({ length: 6 }, () => new Promise<{ code: number | null; err: string }>((resolve) => {
    const p = spawn(dockerCli(), ["run", "--rm", "busybox", "true"], { env });
    let err = "";
    p.stderr.on("data", (c) => (err += c));
    p.on("exit", (code) => resolve({ code, err }));
  }));
  for (const r of await Promise.all(runs)) expect(r, r.err).toEqual({ code: 0, err: "" });
});

describe("the default profile", () => {
  test("a default container runs in seccomp filter mode", () => {
    const r = docker(d, ["run", "--rm", "busybox", "cat", "/proc/self/status"]);
    expect(r.code).toBe(0);
    expect(status(r.stdout, "Seccomp")).toBe("2");
  });

  test("user namespaces, keyctl, bpf and perf_event_open are refused; the same calls pass unconfined", () => {
    const calls = ["unshare_user", "unshare_net", "keyctl", "add_key", "bpf", "perf_event_open", "getpid"];
    const confined = runProbe([], calls);
    for (const c of calls.slice(0, -1)) expect(confined[c], c).toBe(EPERM);
    expect(confined.getpid).toBe("ok");
    // Proof that the filter, not the host, refused them: unconfined they go through.
    const open = runProbe(["--security-opt", "seccomp=unconfined"], calls);
    expect(open.unshare_user).toBe("ok");
    expect(open.keyctl).toBe("ok");
    expect(open.perf_event_open).toBe("ok");
  });

  test("busybox unshare -U fails in a default container", () => {
    const r = docker(d, ["run", "--rm", "busybox", "unshare", "-U", "true"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Operation not permitted");
  });

  test("capability conditions: --cap-add SYS_ADMIN opens unshare, as in Docker's profile", () => {
    const r = runProbe(["--cap-add", "SYS_ADMIN"], ["unshare_net", "keyctl"]);
    expect(r.unshare_net).toBe("ok");
    expect(r.keyctl).toBe(EPERM); // keyctl is in no rule of the profile
  });

  test("a privileged container runs unconfined, as in Docker", () => {
    const r = docker(d, ["run", "--rm", "--privileged", "busybox", "cat", "/proc/self/status"]);
    expect(status(r.stdout, "Seccomp")).toBe("0");
  });

  test("no-new-privileges loads the filter too (after the flag)", () => {
    const r = docker(d, ["run", "--rm", "--security-opt", "no-new-privileges", "busybox", "cat", "/proc/self/status"]);
    expect(status(r.stdout, "NoNewPrivs")).toBe("1");
    expect(status(r.stdout, "Seccomp")).toBe("2");
  });

  test("docker exec processes get the container's filter", () => {
    const name = "sc-exec";
    expect(docker(d, ["run", "-d", "--name", name, "-v", `${probe}:/probe:ro`, "busybox", "sleep", "300"]).code).toBe(0);
    const st = docker(d, ["exec", name, "cat", "/proc/self/status"]);
    expect(status(st.stdout, "Seccomp")).toBe("2");
    const p = probeResults(docker(d, ["exec", name, "/probe", "unshare_user", "keyctl"]).stdout);
    expect(p.unshare_user).toBe(EPERM);
    expect(p.keyctl).toBe(EPERM);
    docker(d, ["rm", "-f", name]);
  });
});

describe("--security-opt", () => {
  test("a profile file denying mkdir makes mkdir fail; rmdir and the rest still work", () => {
    const file = join(d.dir, "nomkdir.json");
    writeFileSync(file, JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" }] }, null, 2));
    const r = docker(d, ["run", "--rm", "--security-opt", `seccomp=${file}`, "busybox", "sh", "-c", "mkdir /x; echo rc=$?; grep Seccomp: /proc/self/status"]);
    expect(r.stderr).toContain("can't create directory '/x': Operation not permitted");
    expect(r.stdout).toMatch(/rc=1\nSeccomp:\s+2/);
    const ok = docker(d, ["run", "--rm", "busybox", "sh", "-c", "mkdir /x && echo made"]);
    expect(ok.stdout.trim()).toBe("made");
  });

  test("seccomp=unconfined turns the filter off", () => {
    const r = docker(d, ["run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "cat", "/proc/self/status"]);
    expect(status(r.stdout, "Seccomp")).toBe("0");
  });

  test("unknown keys are refused with dockerd's message and nothing is created", () => {
    const before = docker(d, ["ps", "-aq"]).stdout;
    const r = docker(d, ["create", "--security-opt", "bogus=1", "busybox", "true"]);
    expect(r.code).toBe(1); // docker create reports a daemon error with 1
    expect(r.stderr).toContain(`Error response from daemon: invalid --security-opt 2: "bogus=1"`);
    const bad = docker(d, ["create", "--security-opt", "no-new-privileges=maybe", "busybox", "true"]);
    expect(bad.stderr).toContain(`invalid --security-opt 2: "no-new-privileges=maybe"`);
    expect(docker(d, ["ps", "-aq"]).stdout).toBe(before);
  });

  test("a profile that is not valid JSON is refused at create", () => {
    const file = join(d.dir, "broken.json");
    writeFileSync(file, `{"defaultAction": "SCMP_ACT_NOPE"}`);
    const r = docker(d, ["create", "--security-opt", `seccomp=${file}`, "busybox", "true"]);
    expect(r.code).toBe(1); // docker create reports a daemon error with 1
    expect(r.stderr).toContain("unrecognized action: SCMP_ACT_NOPE");
  });
});

describe("capabilities", () => {
  test("-u 1000 has empty inheritable, permitted and ambient sets (CVE-2022-24769)", () => {
    const r = docker(d, ["run", "--rm", "-u", "1000", "busybox", "cat", "/proc/self/status"]);
    expect(status(r.stdout, "CapInh")).toBe("0000000000000000");
    expect(status(r.stdout, "CapPrm")).toBe("0000000000000000");
    expect(status(r.stdout, "CapAmb")).toBe("0000000000000000");
    expect(status(r.stdout, "CapBnd")).toBe("00000000a80425fb");
  });

  test("root keeps Docker's default set, with inheritable empty", () => {
    const r = docker(d, ["run", "--rm", "busybox", "cat", "/proc/self/status"]);
    expect(status(r.stdout, "CapEff")).toBe("00000000a80425fb");
    expect(status(r.stdout, "CapInh")).toBe("0000000000000000");
  });

  test("an exec as a non-root user has inheritable empty too", () => {
    const name = "caps-exec";
    docker(d, ["run", "-d", "--name", name, "busybox", "sleep", "300"]);
    const r = docker(d, ["exec", "-u", "1000", name, "cat", "/proc/self/status"]);
    expect(status(r.stdout, "CapInh")).toBe("0000000000000000");
    expect(status(r.stdout, "CapAmb")).toBe("0000000000000000");
    docker(d, ["rm", "-f", name]);
  });
});
