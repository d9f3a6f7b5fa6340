// `wharf X` beside `docker X` (the real docker CLI) against the same test daemon: the
// same stdout, stderr and exit code for everyday commands. Differences allowed only
// where the values must differ: times that tick between the two runs, the program's
// own name, and the client's version lines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, wharf, type TestDaemon } from "../helpers/daemon.ts";

type Result = { code: number | null; stdout: string; stderr: string };

/** Ticking durations ("Up 2 seconds", "3 seconds ago") become one word; docker's name becomes wharf. */
const settle = (s: string) =>
  s
    // The docker CLI's own log lines (its wait racing --rm) are no output of the command.
    .replace(/^time="[^"]*" level=\w+ msg=.*\n/gm, "")
    // Columns are as wide as their widest cell, and a ticking time may widen one.
    .replace(/ {2,}/g, "  ")
    .replace(/\b(\d+|About an?|Less than a) (second|minute|hour)s?\b/g, "T")
    .replace(/docker/g, "wharf")
    .replace(/Docker/g, "wharf");

describe("wharf and docker print the same", () => {
  let d: TestDaemon;
  const config = () => ({ DOCKER_CONFIG: join(d.dir, "docker-config") });
  const w = (args: string[], input?: string): Result => (input === undefined ? wharf(["-H", d.host, ...args], config()) : wharfIn(args, input));
  const wharfIn = (args: string[], input: string): Result => {
    const r = Bun.spawnSync([`${process.cwd()}/dist/wharf`, "-H", d.host, ...args], { stdin: Buffer.from(input), env: { ...process.env, ...config() } });
    return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };
  const same = (args: string[], opts: { stdin?: string; alsoStderr?: boolean } = {}) => {
    const mine = w(args, opts.stdin);
    const theirs = docker(d, args, opts.stdin);
    const view = (r: Result) => ({ code: r.code, stdout: settle(r.stdout), ...(opts.alsoStderr === false ? {} : { stderr: settle(r.stderr) }) });
    expect(view(mine), `wharf ${args.join(" ")}`).toEqual(view(theirs));
    return mine;
  };

  beforeAll(async () => {
    d = await startDaemon();
    loadBusybox(d);
    docker(d, ["tag", "busybox", "busybox:extra"]);
    docker(d, ["run", "--name", "done0", "-l", "app=web", "busybox", "sh", "-c", "echo out; echo err >&2"]);
    docker(d, ["run", "--name", "done3", "busybox", "sh", "-c", "exit 3"]);
    docker(d, ["run", "-d", "--name", "up1", "-l", "app=db", "-e", "A=1", "-p", "127.0.0.1::80", "busybox", "sleep", "300"]);
    docker(d, ["create", "--name", "fresh", "busybox", "echo", "a long command line that will be cut"]);
    docker(d, ["volume", "create", "--label", "k=v", "vol1"]);
    docker(d, ["network", "create", "--label", "n=1", "net1"]);
  }, 120_000);
  afterAll(async () => {
    for (const n of ["net1", "prunenet-a", "prunenet-b"]) docker(d, ["network", "rm", n]);
    await removeAllAndCleanup(d);
  });

  it("run: output, exit codes, 125/126/127 and their messages", () => {
    same(["run", "--rm", "busybox", "echo", "hello", "world"]);
    same(["run", "--rm", "busybox", "sh", "-c", "echo to-err >&2; exit 7"]);
    same(["run", "--rm", "-i", "busybox", "cat"], { stdin: "piped in\n" });
    same(["run", "--rm", "busybox", "nosuchcmd"]);
    same(["run", "--rm", "busybox", "/etc"]);
    same(["run", "--rm", "nosuchimage:1"], { alsoStderr: false });
    expect(w(["run", "--rm", "nosuchimage:1"]).stderr).toMatch(/Unable to find image 'nosuchimage:1' locally/);
    same(["run", "--rm", "--memory", "bogus", "busybox"], { alsoStderr: false });
    // What follows the image is the container's command, flags and all.
    same(["run", "--rm", "busybox", "echo", "-n", "--help", "-d", "--rm"]);
    same(["container", "run", "--rm", "-e", "X=1", "busybox", "sh", "-c", "echo $X", "-h"]);
  });

  it("ps: table, -a, -q, --no-trunc, -n, filters, --format (table, json, {{json .}}, range, index, join, printf)", () => {
    same(["ps"]);
    same(["ps", "-a"]);
    same(["ps", "-q"]);
    same(["ps", "-aq"]);
    same(["ps", "-a", "--no-trunc"]);
    same(["ps", "-a", "-n", "2"]);
    same(["ps", "-a", "--filter", "status=exited"]);
    same(["ps", "-a", "--filter", "label=app=web"]);
    same(["ps", "-a", "-f", "name=done", "-f", "exited=3"]);
    same(["ps", "-a", "--format", "{{.Names}}\t{{.Status}}\t{{.Label \"app\"}}"]);
    same(["ps", "-a", "--format", "table {{.ID}}\t{{.Names}}\t{{.Command}}"]);
    same(["ps", "-a", "--format", "json"]);
    same(["ps", "--format", "{{json .}}"]);
    same(["ps", "-a", "--format", "{{range $i, $n := split .Names \",\"}}{{$i}}={{$n}};{{end}}|{{len .Names}}|{{printf \"%.5s|%-8s|%d\" .Image .State 42}}{{upper .Names}}"]);
    same(["ps", "--format", "{{.Ports}} {{.Mounts}} {{.Networks}}"]);
    // Template mistakes are docker's errors, word for word.
    same(["ps", "-a", "--format", "{{.Nope}}"]);
    same(["ps", "-a", "--format", "{{.Names"]);
    same(["images", "--format", "{{.Nope}}"]);
  });

  it("images: table, -q, -a, --digests, --format, a reference", () => {
    same(["images"]);
    same(["images", "-q"]);
    same(["images", "--digests"]);
    same(["images", "--no-trunc"]);
    same(["images", "busybox:extra"]);
    same(["images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}} {{.ID}}"]);
    same(["images", "--format", "table {{.Repository}}\t{{.Tag}}\t{{.CreatedSince}}"]);
    same(["images", "--format", "json"]);
  });

  it("logs, exec, inspect -f with index, join, range, json and printf", () => {
    same(["logs", "done0"]);
    same(["logs", "--tail", "1", "done0"]);
    same(["logs", "nosuch"]);
    same(["exec", "up1", "sh", "-c", "echo $A; echo e >&2; exit 4"]);
    same(["exec", "done0", "true"]);
    same(["inspect", "-f", "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{index .Config.Cmd 0}} {{join .Config.Cmd \",\"}}", "done0", "done3", "up1"]);
    same(["inspect", "-f", "{{range .Config.Env}}{{.}};{{end}} {{json .Config.Labels}} {{printf \"%q\" .Config.Image}}", "up1"]);
    same(["inspect", "--format", "{{json .HostConfig.PortBindings}}", "up1"]);
    same(["inspect", "-f", "{{.Id}}", "busybox", "net1", "done0"]);
    // A key the object lacks: Go's missingkey error, the others still printed.
    same(["inspect", "-f", "{{.Id}}", "busybox", "vol1", "net1", "nosuch"]);
    same(["inspect", "-f", "{{.Config.Nope}} x", "busybox"]);
    same(["volume", "inspect", "-f", "{{.Name}} {{.Foo}}", "vol1"]);
    same(["inspect", "nosuch"]);
    same(["container", "inspect", "-f", "{{.Config.Hostname}}", "fresh"]);
    same(["image", "inspect", "-f", "{{.Os}}/{{.Architecture}} {{.RepoTags}}", "busybox"]);
    expect(JSON.parse(w(["inspect", "up1"]).stdout)).toEqual(JSON.parse(docker(d, ["inspect", "up1"]).stdout));
  });

  it("rm and rmi: what they print, errors for the missing, exit codes", () => {
    docker(d, ["create", "--name", "gone1", "busybox"]);
    docker(d, ["create", "--name", "gone2", "busybox"]);
    const mine = w(["rm", "gone1", "nosuch1"]);
    const theirs = docker(d, ["rm", "gone2", "nosuch1"]);
    expect({ ...mine, stdout: mine.stdout.replace("gone1", "X") }).toEqual({ ...theirs, stdout: theirs.stdout.replace("gone2", "X") });
    same(["rm", "up1"]);
    docker(d, ["tag", "busybox", "rmi:a"]);
    docker(d, ["tag", "busybox", "rmi:b"]);
    const ra = w(["rmi", "rmi:a"]);
    const rb = docker(d, ["rmi", "rmi:b"]);
    expect({ ...ra, stdout: ra.stdout.replace("rmi:a", "X") }).toEqual({ ...rb, stdout: rb.stdout.replace("rmi:b", "X") });
    same(["rmi", "nosuch:9"]);
  });

  it("network ls/inspect, volume ls/inspect", () => {
    same(["network", "ls"]);
    same(["network", "ls", "-q"]);
    same(["network", "ls", "--no-trunc", "--filter", "label=n=1"]);
    same(["network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{.IPv6}} {{.Labels}}"]);
    same(["network", "inspect", "net1"]);
    same(["network", "inspect", "-f", "{{.Name}} {{range .IPAM.Config}}{{.Subnet}}{{end}}", "bridge", "net1"]);
    same(["network", "inspect", "nosuch"]);
    same(["volume", "ls"]);
    same(["volume", "ls", "-q"]);
    same(["volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Labels}} {{.Mountpoint}}"]);
    same(["volume", "inspect", "vol1"]);
    same(["volume", "inspect", "-f", "{{.Name}} {{.Labels}}", "vol1"]);
    same(["volume", "inspect", "nosuch"]);
  });

  it("system df and df -v", () => {
    same(["system", "df"]);
    same(["system", "df", "-v"]);
    same(["system", "df", "--format", "{{.Type}}: {{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}"]);
    same(["system", "df", "--format", "json"]);
  });

  it("events --since/--until: the same lines, and --format", () => {
    const since = (Date.now() / 1000 - 0.2).toFixed(3);
    docker(d, ["run", "--rm", "--name", "evt", "busybox", "true"]);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const mine = same(["events", "--since", since, "--until", until]);
    expect(mine.stdout).toMatch(/^\S+Z container create [0-9a-f]{64} \(image=busybox, name=evt\)$/m);
    expect(mine.stdout).toMatch(/container die [0-9a-f]{64} \(exitCode=0, image=busybox, name=evt\)$/m);
    same(["events", "--since", since, "--until", until, "--filter", "event=die", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Status}}"]);
    same(["events", "--since", since, "--until", until, "--format", "{{json .}}"]);
    same(["system", "events", "--since", "10m", "--until", until, "--filter", "type=network"]);
  });

  it("pull, push, search, login report the daemon's answer as docker does; logout edits config.json", () => {
    same(["pull", "127.0.0.1:1/nothing:1"]);
    same(["pull", "busybox"]);
    same(["push", "127.0.0.1:1/nothing:1"]);
    same(["search", "busybox"]);
    same(["login", "-u", "a", "-p", "b", "127.0.0.1:1"]);
    same(["login", "127.0.0.1:1"], { stdin: "" });
    // Both CLIs read and write the same config.json (DOCKER_CONFIG for docker, --config for wharf).
    const cfg = join(d.dir, "docker-config");
    mkdirSync(cfg, { recursive: true });
    const creds = { auths: { "127.0.0.1:1": { auth: "YTpi" }, "127.0.0.1:2": { auth: "YzpkOmU=" } } };
    writeFileSync(join(cfg, "config.json"), JSON.stringify(creds));
    expect(w(["--config", cfg, "logout", "127.0.0.1:1"])).toEqual({ code: 0, stdout: "Removing login credentials for 127.0.0.1:1\n", stderr: "" });
    const mine = readFileSync(join(cfg, "config.json"), "utf8");
    writeFileSync(join(cfg, "config.json"), JSON.stringify(creds));
    expect(docker(d, ["logout", "127.0.0.1:1"]).code).toBe(0);
    expect(JSON.parse(mine)).toEqual(JSON.parse(readFileSync(join(cfg, "config.json"), "utf8")));
    expect(JSON.parse(mine)).toEqual({ auths: { "127.0.0.1:2": { auth: "YzpkOmU=" } } });
    same(["logout", "127.0.0.1:9"]);
  });

  it("system prune: the same sections, prompt and answer as docker's", () => {
    const setup = (n: string) => {
      docker(d, ["create", "--name", `prune-${n}`, "busybox"]);
      docker(d, ["network", "create", `prunenet-${n}`]);
    };
    // Only the containers and networks made here are stopped or unused by now.
    for (const c of ["done0", "done3", "fresh"]) docker(d, ["rm", "-f", c]);
    docker(d, ["network", "rm", "net1"]);
    setup("a");
    const mine = w(["system", "prune", "-f"]);
    setup("b");
    const theirs = docker(d, ["system", "prune", "-f"]);
    const ids = (r: Result) => ({ ...r, stdout: r.stdout.replace(/^[0-9a-f]{64}$/m, "ID").replace(/prunenet-[ab]/, "NET") });
    expect(ids(mine)).toEqual(ids(theirs));
    expect(mine.stdout).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n\nDeleted Networks:\nprunenet-a\n\n/);
    same(["system", "prune"], { stdin: "n\n" });
  });

  it("version and info: the server's part is the same; the client's part names wharf", () => {
    const mine = w(["version"]);
    const theirs = docker(d, ["version"]);
    expect(mine.code).toBe(0);
    const server = (s: string) => s.slice(s.indexOf("\nServer:"));
    expect(server(mine.stdout)).toBe(server(theirs.stdout));
    expect(mine.stdout).toMatch(/^Client:\n Version: +\d+\.\d+\.\d+\n API version: +1\.45\n/);
    same(["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}/{{.Server.Arch}}"]);
    same(["info", "--format", "{{.Containers}} {{.Images}} {{.Driver}} {{.ServerVersion}} {{json .Plugins}}"]);
    // The docker CLI lists runtimes in Go's map order, which changes from run to run.
    const info = (s: string) =>
      s.slice(s.indexOf("Server:")).replace(/^( Runtimes:)(.*)$/m, (_, head: string, names: string) => `${head} ${names.trim().split(/\s+/).sort().join(" ")}`);
    const mi = w(["info"]);
    expect(mi.code).toBe(0);
    expect(info(mi.stdout)).toBe(info(docker(d, ["info"]).stdout));
  });
});
