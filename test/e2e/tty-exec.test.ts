// Issue 5 part A with the real docker CLI: TTY containers under a real terminal (tmux),
// resize, detach and reattach, and exec (API shapes, exit codes, user/env/cwd, caps).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { connect, createServer, type AddressInfo } from "node:net";
import { docker, dockerCli, startDaemon, root, wharfBin, type TestDaemon, loadBusybox } from "../helpers/daemon.ts";
import { Tmux } from "../helpers/tmux.ts";

const busybox = resolve(root, "test/fixtures/busybox-docker-save.tar");

/** One API call through curl on the daemon's socket. */
function api(d: TestDaemon, method: string, path: string, body?: unknown): { status: number; json: any; text: string } {
  const args = ["-s", "--max-time", "20", "--unix-socket", d.sock, "-X", method, "-w", "\n%{http_code}", `http://x/v1.45${path}`];
  if (body !== undefined) args.push("-H", "Content-Type: application/json", "-d", JSON.stringify(body));
  const r = spawnSync("curl", args, { encoding: "utf8", timeout: 30_000 });
  const nl = r.stdout.lastIndexOf("\n");
  const text = r.stdout.slice(0, nl);
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: Number(r.stdout.slice(nl + 1)), json, text };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Attaches over a websocket; sends `input`, collects messages until `until` matches, then closes. */
async function wsAttach(url: string, input: string, until: RegExp): Promise<{ messages: (string | Uint8Array)[]; text: string; closeCode: number }> {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const messages: (string | Uint8Array)[] = [];
  let text = "";
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => (ws.close(), reject(new Error(`websocket: no ${until} in ${JSON.stringify(text)}`))), 10_000);
    ws.onopen = () => ws.send(new TextEncoder().encode(input));
    ws.onmessage = (m) => {
      const data = typeof m.data === "string" ? m.data : new Uint8Array(m.data as ArrayBuffer);
      messages.push(data);
      text += typeof data === "string" ? data : new TextDecoder().decode(data);
      if (until.test(text)) ws.close(1000);
    };
    ws.onerror = (e) => (clearTimeout(timer), reject(new Error(`websocket error: ${(e as any).message ?? e.type}`)));
    ws.onclose = (e) => (clearTimeout(timer), resolve({ messages, text, closeCode: e.code }));
  });
}

/**
 * After a resize the CLI sends the new size on its own (SIGWINCH, then an API call):
 * ask `stty size` until the terminal in the container reports it.
 */
async function sizeBecomes(tmux: Tmux, window: string, rows: number, cols: number): Promise<void> {
  for (let i = 0; i < 20; i++) {
    tmux.type(window, "stty size");
    try {
      await tmux.waitFor(window, new RegExp(`stty size\\s+${rows} ${cols}\\s`), 300);
      return;
    } catch {}
  }
  throw new Error(`the terminal in ${window} never became ${rows}x${cols}:\n${tmux.screen(window)}`);
}

describe("TTY, attach and exec e2e", () => {
  let d: TestDaemon;
  let tmux: Tmux;
  let sleeper: string;
  let tcpPort = 0;
  beforeAll(async () => {
    // A loopback TCP listener too, for a real websocket client (Bun's) to talk to.
    tcpPort = await freeLoopbackPort();
    d = await startDaemon(["-H", `tcp://127.0.0.1:${tcpPort}`, "--tls=false"]);
    loadBusybox(d);
    tmux = new Tmux({ DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config"), PATH: process.env.PATH ?? "/usr/bin:/bin" });
    sleeper = docker(d, ["run", "-d", "--name", "sleeper", "-e", "FROM_RUN=1", "busybox", "sleep", "600"]).stdout.trim();
  });
  afterAll(async () => {
    tmux?.kill();
    if (d) {
      const ids = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
      if (ids.length) docker(d, ["rm", "-f", ...ids]);
      await d.cleanup();
    }
  });

  it("echo hi | docker run -i --rm busybox cat prints hi", () => {
    const r = docker(d, ["run", "-i", "--rm", "busybox", "cat"], "hi\n");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("hi\n");
    expect(r.code).toBe(0);
  });

  it("run -it: typed commands, stty size follows a resize, ctrl-p ctrl-q detaches, attach reattaches", async () => {
    tmux.open("run", `${dockerCli()} run -it --name tty1 busybox sh`, { cols: 100, rows: 30 });
    await tmux.waitFor("run", /^\/ #\s*$/m);
    // The terminal has a name in the container's own /dev/pts, as under Docker.
    tmux.type("run", "echo typed-$((6*7)); stty size; echo $TERM; tty");
    await tmux.waitFor("run", /typed-42\s+30 100\s+xterm\s+\/dev\/pts\/0\s/);
    tmux.resize("run", 120, 40);
    await sizeBecomes(tmux, "run", 40, 120);
    tmux.keys("run", "C-p", "C-q");
    await tmux.waitFor("run", /EXIT=0/);
    const st = docker(d, ["inspect", "-f", "{{.State.Running}} {{.Config.Tty}} {{.Config.OpenStdin}}", "tty1"]);
    expect(st.stdout.trim()).toBe("true true true");

    tmux.open("att", `${dockerCli()} attach tty1`);
    await Bun.sleep(300); // the attach is up once the CLI has sent its resize
    tmux.type("att", "echo back-$((40+2))");
    await tmux.waitFor("att", /back-42/);
    tmux.type("att", "exit 7");
    await tmux.waitFor("att", /EXIT=7/);
    expect(docker(d, ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "tty1"]).stdout.trim()).toBe("exited 7");
    // The log of a TTY container is the terminal's output, as stdout.
    const logs = docker(d, ["logs", "tty1"]);
    expect(logs.stdout).toContain("typed-42");
    expect(logs.stderr).toBe("");
  });

  it("exec -it: a shell in the running container, resize, ctrl-p ctrl-q detaches", async () => {
    tmux.open("ex", `${dockerCli()} exec -it sleeper sh`);
    await tmux.waitFor("ex", /^\/ #\s*$/m);
    tmux.resize("ex", 90, 25);
    tmux.type("ex", "echo in-$FROM_RUN-$((2+3)); stty size; ps -o args | grep -c '^sleep 600$'; tty");
    await tmux.waitFor("ex", /in-1-5\s+25 90\s+1\s+\/dev\/pts\/0\s/);
    tmux.resize("ex", 110, 35);
    await sizeBecomes(tmux, "ex", 35, 110);
    tmux.keys("ex", "C-p", "C-q");
    // The CLI reports the detach as Docker's does.
    await tmux.waitFor("ex", /read escape sequence\s+EXIT=1/);

    tmux.open("ex2", `${dockerCli()} exec -it sleeper sh -c 'read line; echo got:$line; exit 3'`);
    await Bun.sleep(300);
    tmux.type("ex2", "hello");
    await tmux.waitFor("ex2", /got:hello\s+EXIT=3/);
  });

  it("docker run -t without -i: raw output with \\r\\n, and TERM=xterm", () => {
    const r = docker(d, ["run", "--rm", "-t", "busybox", "sh", "-c", "echo out; echo err >&2; echo $TERM"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("out\r\nerr\r\nxterm\r\n");
  });

  it("exec exit codes: the command's own, 127 not found, 126 not executable and bad cwd", () => {
    expect(docker(d, ["exec", "sleeper", "sh", "-c", "exit 3"]).code).toBe(3);
    const nf = docker(d, ["exec", "sleeper", "nosuchcmd"]);
    expect(nf.code).toBe(127);
    expect(nf.stdout + nf.stderr).toMatch(/OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in \$PATH/);
    const ne = docker(d, ["exec", "sleeper", "/etc/passwd"]);
    expect(ne.code).toBe(126);
    expect(ne.stdout + ne.stderr).toMatch(/permission denied/);
    const cwd = docker(d, ["exec", "-w", "/nonexistent", "sleeper", "pwd"]);
    expect(cwd.code).toBe(126);
    expect(cwd.stdout + cwd.stderr).toMatch(/chdir to cwd \("\/nonexistent"\)/);
  });

  it("exec runs in the container's namespaces, cgroup and root, with its env plus -e, -w and -u", () => {
    const pid = Number(docker(d, ["inspect", "-f", "{{.State.Pid}}", "sleeper"]).stdout.trim());
    const r = docker(d, ["exec", "-e", "EXTRA=x y", "-e", "FROM_RUN=2", "-w", "/tmp", "sleeper", "sh", "-c",
      'echo "$FROM_RUN|$EXTRA|$(pwd)|$(hostname)|$(id -u):$(id -g)"; cat /proc/1/cmdline; echo; for n in pid net uts ipc; do readlink /proc/self/ns/$n; done; cat /proc/self/cgroup']);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe(`2|x y|/tmp|${sleeper.slice(0, 12)}|0:0`);
    expect(lines[1]).toBe("sleep\x00600\x00"); // PID 1 of the container is visible
    const ns = (n: string) => spawnSync("readlink", [`/proc/${pid}/ns/${n}`], { encoding: "utf8" }).stdout.trim();
    expect(lines.slice(2, 6)).toEqual([ns("pid"), ns("net"), ns("uts"), ns("ipc")]);
    // In the container's cgroup namespace, so at its root, like the container's own PID 1.
    const own = docker(d, ["exec", "sleeper", "cat", "/proc/1/cgroup"]).stdout;
    expect(lines.slice(6).join("\n")).toBe(own.trim());
    // And on the host, in the same cgroup as the container.
    const hostView = spawnSync("cat", [`/proc/${pid}/cgroup`], { encoding: "utf8" }).stdout;
    const ex = docker(d, ["exec", "-d", "sleeper", "sleep", "30"]);
    expect(ex.code).toBe(0);
    const top = spawnSync("pgrep", ["-f", "-x", "sleep 30"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
    const mine = top.map(Number).find((p) => spawnSync("readlink", [`/proc/${p}/ns/pid`], { encoding: "utf8" }).stdout.trim() === ns("pid"));
    expect(mine).toBeGreaterThan(0);
    expect(spawnSync("cat", [`/proc/${mine}/cgroup`], { encoding: "utf8" }).stdout).toBe(hostView);

    const u = docker(d, ["exec", "-u", "1234:5678", "sleeper", "sh", "-c", "id -u; id -g; echo $HOME"]);
    expect(u.stdout).toBe("1234\n5678\n/\n");
    const bad = docker(d, ["exec", "-u", "nosuchuser", "sleeper", "true"]);
    expect(bad.code).toBe(126);
    expect(bad.stdout + bad.stderr).toMatch(/unable to find user nosuchuser/);
  });

  it("exec has the container's capabilities; --privileged gets them all", () => {
    const capEff = (args: string[]) =>
      BigInt("0x" + /CapEff:\s*([0-9a-f]+)/.exec(docker(d, ["exec", ...args, "sleeper", "cat", "/proc/self/status"]).stdout)![1]);
    const dflt = capEff([]);
    const own = BigInt("0x" + /CapEff:\s*([0-9a-f]+)/.exec(docker(d, ["exec", "sleeper", "cat", "/proc/1/status"]).stdout)![1]);
    expect(dflt).toBe(own);
    expect(dflt & (1n << 21n)).toBe(0n); // no CAP_SYS_ADMIN by default
    expect(capEff(["--privileged"]) & (1n << 21n)).not.toBe(0n);
  });

  it("an exec'd process is in the container's mount namespace, not just under its root", () => {
    const pid = Number(docker(d, ["inspect", "-f", "{{.State.Pid}}", "sleeper"]).stdout.trim());
    const hostView = spawnSync("readlink", [`/proc/${pid}/ns/mnt`], { encoding: "utf8" }).stdout.trim();
    const r = docker(d, ["exec", "sleeper", "sh", "-c", "readlink /proc/self/ns/mnt; cat /proc/self/mountinfo | wc -l; cat /proc/1/mountinfo | wc -l"]);
    const [mnt, mine, pid1] = r.stdout.trim().split("\n");
    expect(mnt).toBe(hostView);
    expect(mine).toBe(pid1);
    expect(docker(d, ["exec", "sleeper", "cat", "/proc/self/mountinfo"]).stdout).not.toMatch(/ \/work /);
  });

  it("exec -i feeds stdin and closes it at EOF; exec -d runs detached", async () => {
    const r = docker(d, ["exec", "-i", "sleeper", "sh", "-c", "cat; echo done"], "piped\n");
    expect(r.stdout).toBe("piped\ndone\n");
    expect(docker(d, ["exec", "-d", "sleeper", "sh", "-c", "echo later > /tmp/detached"]).code).toBe(0);
    let out = "";
    for (let i = 0; i < 50 && out !== "later\n"; i++) {
      await Bun.sleep(50);
      out = docker(d, ["exec", "sleeper", "cat", "/tmp/detached"]).stdout;
    }
    expect(out).toBe("later\n");
  });

  it("exec API: create, start, inspect shape, ExecIDs, events, and cleanup with the container", async () => {
    const c = docker(d, ["run", "-d", "busybox", "sleep", "600"]).stdout.trim();
    const since = Math.floor(Date.now() / 1000) - 1;
    const cr = api(d, "POST", `/containers/${c}/exec`, { Cmd: ["sh", "-c", "exit 5"], AttachStdout: true, AttachStderr: true, User: "", Privileged: false });
    expect(cr.status).toBe(201);
    const id: string = cr.json.Id;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const before = api(d, "GET", `/exec/${id}/json`).json;
    expect(before).toEqual({
      ID: id,
      Running: false,
      ExitCode: null,
      ProcessConfig: { tty: false, entrypoint: "sh", arguments: ["-c", "exit 5"], privileged: false, user: "" },
      OpenStdin: false,
      OpenStderr: true,
      OpenStdout: true,
      CanRemove: false,
      ContainerID: c,
      DetachKeys: "",
      Pid: 0,
    });
    expect(api(d, "GET", `/containers/${c}/json`).json.ExecIDs).toEqual([id]);
    const st = api(d, "POST", `/exec/${id}/start`, { Detach: false, Tty: false });
    expect(st.status).toBe(200);
    const after = api(d, "GET", `/exec/${id}/json`).json;
    expect(after.Running).toBe(false);
    expect(after.ExitCode).toBe(5);
    expect(after.Pid).toBeGreaterThan(0);
    // Starting it again is a conflict.
    expect(api(d, "POST", `/exec/${id}/start`, {}).status).toBe(409);
    const ev = docker(d, ["events", "--since", String(since), "--until", String(Math.floor(Date.now() / 1000) + 1), "--filter", `container=${c}`, "--format", "{{.Action}} {{index .Actor.Attributes \"execID\"}} {{index .Actor.Attributes \"exitCode\"}}"]);
    expect(ev.stdout).toContain(`exec_create: sh -c exit 5 ${id}`);
    expect(ev.stdout).toContain(`exec_start: sh -c exit 5 ${id}`);
    expect(ev.stdout).toContain(`exec_die ${id} 5`);

    expect(api(d, "POST", `/containers/${c}/exec`, {}).status).toBe(400);
    expect(api(d, "POST", `/containers/${c}/exec`, { Cmd: [] }).json.message).toBe("No exec command specified");
    expect(api(d, "POST", `/containers/nosuch/exec`, { Cmd: ["true"] }).status).toBe(404);
    expect(api(d, "GET", `/exec/nosuch/json`).json.message).toBe("No such exec instance: nosuch");
    expect(api(d, "POST", `/exec/nosuch/resize?h=10&w=10`).status).toBe(404);

    expect(docker(d, ["pause", c]).code).toBe(0);
    const paused = api(d, "POST", `/containers/${c}/exec`, { Cmd: ["true"] });
    expect(paused.status).toBe(409);
    expect(paused.json.message).toBe(`Container ${c} is paused, unpause the container before exec`);
    expect(docker(d, ["unpause", c]).code).toBe(0);
    const pending = api(d, "POST", `/containers/${c}/exec`, { Cmd: ["true"] }).json.Id;
    docker(d, ["kill", c]);
    docker(d, ["wait", c]); // kill returns once signalled, not once exited
    const stopped = api(d, "POST", `/containers/${c}/exec`, { Cmd: ["true"] });
    expect(stopped.status).toBe(409);
    expect(stopped.json.message).toBe(`Container ${c} is not running`);
    expect(api(d, "POST", `/exec/${pending}/start`, {}).status).toBe(409);
    const cli = docker(d, ["exec", c, "true"]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/is not running/);

    expect(docker(d, ["rm", c]).code).toBe(0);
    expect(api(d, "GET", `/exec/${id}/json`).status).toBe(404);
  });

  it("resize: 200 on a running TTY container, 409 when stopped, 404 when unknown", () => {
    const c = docker(d, ["run", "-d", "-t", "busybox", "sh", "-c", "trap 'stty size' WINCH; while true; do sleep 0.05; done"]).stdout.trim();
    expect(api(d, "POST", `/containers/${c}/resize?h=21&w=77`).status).toBe(200);
    let logs = "";
    for (let i = 0; i < 60 && !logs.includes("21 77"); i++) {
      spawnSync("sleep", ["0.05"]);
      logs = docker(d, ["logs", c]).stdout;
    }
    expect(logs).toContain("21 77");
    expect(api(d, "POST", `/containers/${c}/resize?h=x&w=1`).status).toBe(400);
    docker(d, ["rm", "-f", c]);
    expect(api(d, "POST", `/containers/${c}/resize?h=10&w=10`).status).toBe(404);
    const stopped = docker(d, ["create", "-t", "busybox"]).stdout.trim();
    const r = api(d, "POST", `/containers/${stopped}/resize?h=10&w=10`);
    expect(r.status).toBe(409);
    expect(r.json.message).toBe(`Container ${stopped} is not running`);
  });

  it("wharf run -it, exec -it and attach: raw terminal, resize, detach, reattach, exit codes", async () => {
    tmux.open("wrun", `${wharfBin} run -it --name wtty busybox sh`);
    await tmux.waitFor("wrun", /^\/ #\s*$/m);
    tmux.resize("wrun", 70, 20);
    await sizeBecomes(tmux, "wrun", 20, 70);
    tmux.keys("wrun", "C-p", "C-q");
    await tmux.waitFor("wrun", /EXIT=0/);
    expect(docker(d, ["inspect", "-f", "{{.State.Running}}", "wtty"]).stdout.trim()).toBe("true");

    tmux.open("wex", `${wharfBin} exec -it wtty sh`);
    await tmux.waitFor("wex", /^\/ #\s*$/m);
    tmux.type("wex", "tty; exit 4");
    await tmux.waitFor("wex", /\/dev\/pts\/\d+\s+EXIT=4/);

    tmux.open("watt", `${wharfBin} attach wtty`);
    await Bun.sleep(300);
    tmux.keys("watt", "C-u"); // a line left half-typed by the resize probing above goes
    tmux.type("watt", "echo back-$((5*5)); exit 9");
    await tmux.waitFor("watt", /back-25\s+EXIT=9/);
  });

  it("wharf run -it and exec -it refuse a stdin that is not a terminal, as docker does", () => {
    const env = { ...process.env, DOCKER_HOST: d.host };
    const before = docker(d, ["ps", "-aq"]).stdout;
    for (const args of [["run", "-it", "--rm", "busybox", "true"], ["exec", "-it", "sleeper", "true"]]) {
      const r = spawnSync(wharfBin, args, { encoding: "utf8", env, input: "", timeout: 30_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe("the input device is not a TTY\n");
    }
    const d2 = docker(d, ["run", "-it", "--rm", "busybox", "true"], "");
    expect(d2.code).toBe(1);
    expect(d2.stderr).toMatch(/the input device is not a TTY/);
    expect(docker(d, ["ps", "-aq"]).stdout).toBe(before); // nothing was created
  });

  it("wharf exec without a terminal: stdin, exit codes, errors, -d", () => {
    const env = { ...process.env, DOCKER_HOST: d.host };
    const w = (args: string[], input?: string) => {
      const r = spawnSync(wharfBin, args, { encoding: "utf8", env, input, timeout: 30_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    expect(w(["exec", "-i", "sleeper", "sh", "-c", "cat; exit 3"], "piped\n")).toEqual({ code: 3, stdout: "piped\n", stderr: "" });
    const nf = w(["exec", "sleeper", "nosuchcmd"]);
    expect(nf.code).toBe(127);
    expect(nf.stdout + nf.stderr).toMatch(/executable file not found in \$PATH/);
    const nc = w(["exec", "nosuchcontainer", "true"]);
    expect(nc.code).toBe(1);
    expect(nc.stderr).toBe("Error response from daemon: No such container: nosuchcontainer\n");
    expect(w(["exec", "-d", "sleeper", "true"]).code).toBe(0);
    expect(w(["exec", "-e", "A=b", "-w", "/etc", "-u", "7", "sleeper", "sh", "-c", "echo $A $(pwd) $(id -u)"]).stdout).toBe("b /etc 7\n");
  });

  it("wharf run proxies signals to a container without a terminal (--sig-proxy)", async () => {
    const p = Bun.spawn([wharfBin, "run", "--rm", "busybox", "sh", "-c", "trap 'echo got-TERM; exit 0' TERM; echo ready; while true; do sleep 0.05; done"], {
      env: { ...process.env, DOCKER_HOST: d.host },
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = p.stdout.getReader();
    let out = "";
    while (!out.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    p.kill("SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    expect(await p.exited).toBe(0);
    expect(out).toBe("ready\ngot-TERM\n");
  });

  it("GET /containers/{id}/attach/ws: stdin in, stdout and stderr out unframed, binary frames (text before 1.28)", async () => {
    const c = docker(d, ["run", "-d", "-i", "busybox", "sh", "-c", 'while read l; do echo "out:$l"; echo "err:$l" >&2; done']).stdout.trim();
    const q = "stream=1&stdin=1&stdout=1&stderr=1";
    const r = await wsAttach(`ws://127.0.0.1:${tcpPort}/v1.45/containers/${c}/attach/ws?${q}`, "hello\n", /err:hello\n/);
    expect(r.text).toBe("out:hello\nerr:hello\n");
    expect(r.messages.every((m) => m instanceof Uint8Array)).toBe(true);
    expect(r.closeCode).toBe(1000);
    const old = await wsAttach(`ws://127.0.0.1:${tcpPort}/v1.27/containers/${c}/attach/ws?${q}`, "again\n", /err:again\n/);
    expect(old.text).toBe("out:again\nerr:again\n");
    expect(old.messages.every((m) => typeof m === "string")).toBe(true);
    // The container goes on after the websocket closes.
    expect(docker(d, ["inspect", "-f", "{{.State.Running}}", c]).stdout.trim()).toBe("true");
    docker(d, ["rm", "-f", c]);
    // An unknown container is refused before any upgrade.
    const nf = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
      "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "-H", "Sec-WebSocket-Version: 13", `http://127.0.0.1:${tcpPort}/containers/nosuch/attach/ws?stream=1`], { encoding: "utf8", timeout: 10_000 });
    expect(nf.stdout).toBe("404");
  });

  it("attach and exec start over raw hijacked sockets: custom detachKeys end the stream, the process runs on", async () => {
    /**
     * POSTs with Upgrade: tcp; once upgraded, sends each step's bytes when what was read
     * so far matches its `after`; resolves with everything read when the socket ends.
     */
    const hijacked = (path: string, body: unknown, steps: { after: RegExp; send: string }[]) =>
      new Promise<string>((resolve, reject) => {
        const payload = body === undefined ? "" : JSON.stringify(body);
        const sock = connect({ path: d.sock }, () =>
          sock.write(
            `POST /v1.45${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
              (payload ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n` : "") +
              `\r\n${payload}`,
          ),
        );
        let got = "";
        const timer = setTimeout(() => (sock.destroy(), reject(new Error(`no end; got ${JSON.stringify(got)}`))), 10_000);
        sock.on("data", (c) => {
          got += c.toString("latin1");
          while (steps.length && steps[0]!.after.test(got)) sock.write(steps.shift()!.send);
        });
        sock.on("close", () => (clearTimeout(timer), resolve(got)));
        sock.on("error", reject);
      });
    const c = docker(d, ["run", "-d", "-i", "busybox", "sh", "-c", "while read l; do echo got:$l; done"]).stdout.trim();
    const out = await hijacked(`/containers/${c}/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x,x`, undefined, [
      { after: /101 UPGRADED[^]*\r\n\r\n/, send: "one\n" },
      { after: /got:one/, send: "\x18xtwo\n" },
    ]);
    expect(out).toMatch(/^HTTP\/1.1 101 UPGRADED\r\n/);
    expect(out).toContain("got:one");
    expect(out).not.toContain("two");
    expect(docker(d, ["inspect", "-f", "{{.State.Running}}", c]).stdout.trim()).toBe("true");
    expect(api(d, "POST", `/containers/${c}/attach?stream=1&detachKeys=bogus-key`).status).toBe(400);

    const ex = api(d, "POST", `/containers/${c}/exec`, { Cmd: ["sh", "-c", "read l; echo e:$l; sleep 30"], AttachStdin: true, AttachStdout: true, DetachKeys: "ctrl-x" }).json.Id;
    const eout = await hijacked(`/exec/${ex}/start`, { Detach: false, Tty: false }, [
      { after: /101 UPGRADED[^]*\r\n\r\n/, send: "in\n" },
      { after: /e:in/, send: "\x18" },
    ]);
    expect(eout).toContain("e:in");
    const st = api(d, "GET", `/exec/${ex}/json`).json;
    expect(st.Running).toBe(true); // detached, not ended
    expect(st.DetachKeys).toBe("ctrl-x");
    docker(d, ["rm", "-f", c]);
  });
});
