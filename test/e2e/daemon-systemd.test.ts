// systemd: a daemon started by socket activation (systemd-socket-activate, from Debian's
// systemd package) serves on the socket it was passed (-H fd://), says READY=1 once it
// accepts and STOPPING=1 when it stops, over NOTIFY_SOCKET; the unit files are valid.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { docker, freePort, freeSubnet, loadBusybox, removeNetworking, requireBinary, root, unmountUnder, wharfBin, type TestDaemon } from "../helpers/daemon.ts";

/** A unix datagram socket that appends what it receives to a file (systemd's side of sd_notify). */
function notifyReceiver(sock: string, log: string): ChildProcess {
  const py = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    d = s.recv(4096)
    with open(sys.argv[2], "ab") as f:
        f.write(d + b"\\n--\\n")
`;
  return spawn("python3", ["-c", py, sock, log], { stdio: ["ignore", "pipe", "inherit"] });
}

describe("systemd", () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-systemd-"));
  const sock = join(dir, "wharf.sock");
  const notifySock = join(dir, "notify.sock");
  const notifyLog = join(dir, "notify.log");
  const bridge = `wtsd${randomBytes(3).toString("hex")}`;
  let receiver: ChildProcess;
  let activator: ChildProcess;
  let out = "";
  let exited: Promise<number | null>;

  beforeAll(async () => {
    requireBinary();
    receiver = notifyReceiver(notifySock, notifyLog);
    await new Promise<void>((r) => receiver.stdout!.once("data", () => r()));
    writeFileSync(join(dir, "daemon.json"), "{}");
    activator = spawn(
      "systemd-socket-activate",
      ["-l", sock, "-E", `NOTIFY_SOCKET=${notifySock}`, wharfBin, "-d", "-H", "fd://", "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"),
        "--bridge", bridge, "--bip", freeSubnet(2), "--config-file", join(dir, "daemon.json")],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    activator.stdout!.on("data", (c) => (out += c));
    activator.stderr!.on("data", (c) => (out += c));
    exited = new Promise((r) => activator.on("exit", (code) => r(code)));
    for (let i = 0; i < 100 && !existsSync(sock); i++) await Bun.sleep(20);
  });

  afterAll(async () => {
    if (activator?.exitCode === null) {
      activator.kill("SIGKILL");
      await exited;
    }
    receiver?.kill("SIGKILL");
    unmountUnder(dir);
    removeNetworking(join(dir, "data"), bridge);
    rmSync(dir, { recursive: true, force: true });
  });

  it("the first connection starts the daemon on the passed socket; READY=1 comes once it answers", async () => {
    expect(existsSync(notifyLog)).toBe(false); // nothing started before a client came
    // systemd holds the socket: this request waits while the daemon starts, then is answered.
    const ping = spawnSync("curl", ["-s", "--max-time", "20", "--unix-socket", sock, "http://wharf/_ping"], { encoding: "utf8" });
    expect(ping.stdout, out).toBe("OK");
    // spawnSync held the event loop: let the daemon's output in.
    for (let i = 0; i < 50 && !out.includes("daemon ready"); i++) await Bun.sleep(20);
    expect(out).toContain("API listening on fd://3");
    expect(readFileSync(notifyLog, "utf8").split("\n--\n")).toContain("READY=1");
    const d = { host: `unix://${sock}`, dir } as TestDaemon;
    const v = docker(d, ["version", "--format", "{{.Server.Platform.Name}}"]);
    expect(v.stdout.trim(), v.stderr).toBe("wharf");
  });

  it("a container runs, and the monitor it spawned holds neither the passed socket nor LISTEN_FDS", () => {
    const d = { host: `unix://${sock}`, dir } as TestDaemon;
    loadBusybox(d);
    const r = docker(d, ["run", "--rm", "busybox", "echo", "activated"]);
    expect(r.stdout, r.stderr).toBe("activated\n");
    const passed = readlinkSync(`/proc/${activator.pid}/fd/3`);
    expect(passed).toMatch(/^socket:/);
    const monitors = readdirSync("/proc").filter((p) => /^\d+$/.test(p) && p !== String(activator.pid)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(join(dir, "exec"));
      } catch {
        return false;
      }
    });
    expect(monitors.length).toBeGreaterThan(0);
    for (const p of monitors) {
      expect(readFileSync(`/proc/${p}/environ`, "utf8").split("\0").filter((e) => e.startsWith("LISTEN_"))).toEqual([]);
      const fds = readdirSync(`/proc/${p}/fd`).map((f) => {
        try {
          return readlinkSync(`/proc/${p}/fd/${f}`);
        } catch {
          return "";
        }
      });
      expect(fds).not.toContain(passed);
    }
  });

  it("SIGTERM: STOPPING=1, exit 0, and the socket (systemd's, not the daemon's) is left in place", async () => {
    activator.kill("SIGTERM");
    expect(await exited, out).toBe(0);
    const msgs = readFileSync(notifyLog, "utf8").split("\n--\n");
    expect(msgs.indexOf("STOPPING=1")).toBeGreaterThan(msgs.indexOf("READY=1"));
    expect(existsSync(sock)).toBe(true);
  });

  it("-H fd:// without socket activation fails at once, saying so", () => {
    const r = spawnSync(wharfBin, ["-d", "-H", "fd://", "--data-root", join(dir, "data2"), "--exec-root", join(dir, "exec2"), "--bridge", bridge, "--config-file", join(dir, "daemon.json")], { encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("wharf daemon: failed to start: no sockets found via socket activation: make sure the service was started by systemd");
  });

  it("contrib/systemd unit files pass systemd-analyze verify (but for the binary not being installed)", () => {
    const units = ["wharf.service", "wharf.socket"].map((u) => join(root, "contrib/systemd", u));
    const r = spawnSync("systemd-analyze", ["verify", ...units], { encoding: "utf8" });
    const problems = (r.stderr + r.stdout).split("\n").filter((l) => l && !/Command \/usr\/local\/bin\/wharf is not executable/.test(l));
    expect(problems).toEqual([]);
    const service = readFileSync(units[0]!, "utf8");
    expect(service).toMatch(/^Type=notify$/m);
    expect(service).toMatch(/^ExecStart=\/usr\/local\/bin\/wharf -d -H fd:\/\/$/m);
    expect(readFileSync(units[1]!, "utf8")).toMatch(/^ListenStream=\/run\/wharf.sock$/m);
  });
});

// A TCP socket systemd passes (ListenStream=2375) is as reachable from a web page as one
// the daemon binds: requests on it get the Host and Origin checks.
describe("systemd: a passed TCP socket", () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-systemd-tcp-"));
  const bridge = `wtsd${randomBytes(3).toString("hex")}`;
  let activator: ChildProcess;
  let exited: Promise<number | null>;
  let port = 0;
  let out = "";
  const curl = (...args: string[]) =>
    spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", ...args, `http://127.0.0.1:${port}/_ping`], { encoding: "utf8" }).stdout;

  beforeAll(async () => {
    requireBinary();
    port = await freePort();
    writeFileSync(join(dir, "daemon.json"), "{}");
    activator = spawn(
      "systemd-socket-activate",
      ["-l", `127.0.0.1:${port}`, wharfBin, "-d", "-H", "fd://", "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"),
        "--bridge", bridge, "--bip", freeSubnet(2), "--config-file", join(dir, "daemon.json")],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    activator.stdout!.on("data", (c) => (out += c));
    activator.stderr!.on("data", (c) => (out += c));
    exited = new Promise((r) => activator.on("exit", (code) => r(code)));
    await Bun.sleep(200); // systemd-socket-activate binds before it prints anything
  });

  afterAll(async () => {
    if (activator?.exitCode === null) {
      activator.kill("SIGTERM");
      await Promise.race([exited, Bun.sleep(10_000)]);
      if (activator.exitCode === null) activator.kill("SIGKILL");
    }
    unmountUnder(dir);
    removeNetworking(join(dir, "data"), bridge);
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers its own host, and refuses a foreign Host and a browser's Origin with 403", () => {
    expect(curl(), out).toBe("200");
    expect(curl("-H", "Host: evil.example")).toBe("403");
    expect(curl("-H", "Origin: http://evil.example")).toBe("403");
    expect(curl("-H", "Host: localhost:2375")).toBe("200");
  });
});
