// Issue 6: names under races and kill -9, links, container list filters and inspect
// shapes, through the API and the real docker CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { Database } from "bun:sqlite";
import { docker, startDaemon, root, wharf, wharfBin, type TestDaemon } from "../helpers/daemon.ts";

const busybox = resolve(root, "test/fixtures/busybox-docker-save.tar");
const reference = (f: string) => JSON.parse(readFileSync(resolve(root, "docs/reference/dockerd-20.10", f), "utf8"));

function api(sock: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolveIt, reject) => {
    const req = request(
      { socketPath: sock, method, path, headers: body === undefined ? {} : { "Content-Type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolveIt({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

function lines(s: string): string[] {
  return s.trim().split("\n").filter(Boolean);
}

async function load(d: TestDaemon): Promise<void> {
  const l = docker(d, ["load", "-i", busybox]);
  if (l.code !== 0) throw new Error(`docker load failed: ${l.stderr}`);
}

describe("names", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    await load(d);
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  it("50 creates racing for one name: one 201, 49 409s naming the winner", async () => {
    const rs = await Promise.all(
      Array.from({ length: 50 }, () => api(d.sock, "POST", "/containers/create?name=racer", { Image: "busybox", Cmd: ["true"] })),
    );
    const won = rs.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    const id = won[0]!.json.Id;
    const lost = rs.filter((r) => r.status !== 201);
    expect(lost.map((r) => r.status)).toEqual(Array(49).fill(409));
    for (const r of lost) {
      expect(r.json.message).toBe(
        `Conflict. The container name "/racer" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    const list = (await api(d.sock, "GET", "/containers/json?all=1")).json as any[];
    expect(list.filter((c) => c.Names.includes("/racer")).map((c) => c.Id)).toEqual([id]);
    // The losers left no directory behind.
    expect(readdirSync(join(d.dataRoot, "containers"))).toEqual([id]);
    ok(docker(d, ["rm", "racer"]));
  });

  it("50 concurrent creates without a name all succeed, each with its own generated name", async () => {
    const rs = await Promise.all(Array.from({ length: 50 }, () => api(d.sock, "POST", "/containers/create", { Image: "busybox" })));
    expect(rs.map((r) => r.status)).toEqual(Array(50).fill(201));
    const list = (await api(d.sock, "GET", "/containers/json?all=1")).json as any[];
    const names = list.map((c) => c.Names[0]);
    expect(new Set(names).size).toBe(50);
    for (const n of names) expect(n).toMatch(/^\/([a-z]+_[a-z]+\d?|[0-9a-f]{12})$/);
    ok(docker(d, ["rm", ...rs.map((r) => r.json.Id)]));
  });

  it("rename moves the name and keeps links pointing at the same container", async () => {
    ok(docker(d, ["create", "--name", "rdb", "busybox", "true"]));
    ok(docker(d, ["create", "--name", "rweb", "--link", "rdb:database", "busybox", "true"]));
    ok(docker(d, ["rename", "rdb", "rpg"]));
    expect(docker(d, ["inspect", "rdb"]).code).toBe(1);
    expect(ok(docker(d, ["inspect", "-f", "{{json .HostConfig.Links}}", "rweb"]))).toBe('["/rpg:/rweb/database"]');
    ok(docker(d, ["rename", "rweb", "rsite"]));
    expect(ok(docker(d, ["inspect", "-f", "{{json .HostConfig.Links}}", "rsite"]))).toBe('["/rpg:/rsite/database"]');
    const names = ok(docker(d, ["ps", "-a", "--no-trunc", "--filter", "name=rpg", "--format", "{{.Names}}"]));
    expect(names).toBe("rpg,rsite/database");
    expect(docker(d, ["rename", "rsite", "rpg"]).stderr).toContain('Conflict. The container name "/rpg" is already in use by container');
    ok(docker(d, ["rm", "rsite", "rpg"]));
  });

  it("an ambiguous id prefix is an error; a unique prefix and the name find the container", () => {
    const ids = Array.from({ length: 20 }, (_, i) => ok(docker(d, ["create", "--name", `amb${i}`, "busybox", "true"])));
    // With 20 ids, some pair shares its first hex digit.
    const first = ids.map((i) => i[0]);
    const dup = first.find((c, i) => first.indexOf(c) !== i)!;
    const r = docker(d, ["inspect", "--type", "container", dup]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`multiple IDs found with provided prefix: ${dup}`);
    expect(ok(docker(d, ["inspect", "-f", "{{.Name}}", ids[0]!.slice(0, 12)]))).toBe("/amb0");
    expect(ok(docker(d, ["inspect", "-f", "{{.Id}}", "amb1"]))).toBe(ids[1]);
    ok(docker(d, ["rm", ...ids]));
  });
});

describe("kill -9 during a burst of creates and removes", () => {
  it("a restarted daemon lists exactly the containers whose create succeeded, each with its name", async () => {
    const d = await startDaemon();
    let second: ReturnType<typeof spawn> | undefined;
    try {
      await load(d);
      // Some containers to remove during the burst.
      const pre: string[] = [];
      for (let i = 0; i < 10; i++) pre.push(ok(docker(d, ["create", "--name", `pre${i}`, "busybox", "true"])));
      const created = new Map<string, string>(); // name → id, for every 201
      const removed = new Set<string>(); // ids with a 204
      const inflight = new Set<string>(); // creates with no answer
      const creates = Array.from({ length: 60 }, async (_, i) => {
        const name = `burst${i}`;
        inflight.add(name);
        await Bun.sleep(i * 4);
        try {
          const r = await api(d.sock, "POST", `/containers/create?name=${name}`, { Image: "busybox", Cmd: ["true"] });
          if (r.status === 201) created.set(name, r.json.Id);
          inflight.delete(name);
        } catch {
          // The daemon died under this request: no answer.
        }
      });
      const removes = pre.map(async (id, i) => {
        await Bun.sleep(i * 15);
        try {
          const r = await api(d.sock, "DELETE", `/containers/${id}`);
          if (r.status === 204) removed.add(id);
        } catch {}
      });
      await Bun.sleep(120);
      d.proc.kill("SIGKILL");
      await Promise.all([...creates, ...removes]);
      // The kill landed inside the burst: some creates were answered, some not.
      expect(created.size).toBeGreaterThan(0);
      expect(created.size).toBeLessThan(60);

      // Restart on the same data root and exec root.
      second = spawn(wharfBin, ["-d", "-H", `unix://${d.sock}`, "--data-root", d.dataRoot, "--exec-root", d.execRoot, "--bridge", d.bridge, "--bip", d.bip], {
        stdio: "ignore",
      });
      let list: any[] | undefined;
      for (let i = 0; i < 200 && !list; i++) {
        await Bun.sleep(50);
        list = await api(d.sock, "GET", "/containers/json?all=1").then((r) => (r.status === 200 ? r.json : undefined), () => undefined);
      }
      expect(list).toBeDefined();
      const listed = new Map(list!.map((c) => [c.Id as string, c.Names as string[]]));
      // Every acknowledged create is there under its name...
      for (const [name, id] of created) expect(listed.get(id), name).toEqual([`/${name}`]);
      // ...every acknowledged remove is gone, and nothing else appears but creates that
      // were committed just before the kill and never answered.
      for (const id of removed) expect(listed.has(id)).toBe(false);
      const knownIds = new Set([...created.values(), ...pre]);
      for (const [id, names] of listed) {
        if (knownIds.has(id)) continue;
        expect(inflight.has(names[0]!.slice(1)), `unexpected ${names}`).toBe(true);
      }
      // The container directories agree with the database: nothing half-made is left.
      expect(readdirSync(join(d.dataRoot, "containers")).sort()).toEqual([...listed.keys()].sort());
      const rwDir = readdirSync(d.dataRoot).map((x) => join(d.dataRoot, x, "rw")).find((p) => existsSync(p));
      if (rwDir) expect(readdirSync(rwDir).sort()).toEqual([...listed.keys()].sort());
      // Names of the survivors are still reserved; removed ones are free again.
      const anyName = [...created.keys()].find((n) => listed.has(created.get(n)!))!;
      const again = await api(d.sock, "POST", `/containers/create?name=${anyName}`, { Image: "busybox" });
      expect(again.status).toBe(409);
    } finally {
      if (second && second.exitCode === null) {
        second.kill("SIGTERM");
        await new Promise((r) => second!.on("exit", r));
      }
      await d.cleanup();
    }
  });
});

describe("half-made containers", () => {
  it("files no record owns (a create or remove cut short) are removed at start", async () => {
    const d = await startDaemon();
    let second: ReturnType<typeof spawn> | undefined;
    try {
      await load(d);
      const kept = ok(docker(d, ["create", "--name", "kept", "busybox", "true"]));
      const cut = ok(docker(d, ["create", "--name", "cut", "busybox", "true"]));
      await d.stop();
      // The state a crash between making the rw layer and committing the record leaves.
      const db = new Database(join(d.dataRoot, "graph.db"));
      for (const t of ["container WHERE id", "edge WHERE entity_id", "entity WHERE id"]) db.run(`DELETE FROM ${t} = ?`, [cut]);
      db.close();
      const rwDir = readdirSync(d.dataRoot).map((x) => join(d.dataRoot, x, "rw")).find((p) => existsSync(p))!;
      expect(readdirSync(rwDir).sort()).toEqual([kept, cut].sort());
      second = spawn(wharfBin, ["-d", "-H", `unix://${d.sock}`, "--data-root", d.dataRoot, "--exec-root", d.execRoot, "--bridge", d.bridge, "--bip", d.bip], { stdio: "ignore" });
      let list: any[] | undefined;
      for (let i = 0; i < 200 && !list; i++) {
        await Bun.sleep(50);
        list = await api(d.sock, "GET", "/containers/json?all=1").then((r) => (r.status === 200 ? r.json : undefined), () => undefined);
      }
      expect(list!.map((c) => c.Names)).toEqual([["/kept"]]);
      expect(readdirSync(join(d.dataRoot, "containers"))).toEqual([kept]);
      expect(readdirSync(rwDir)).toEqual([kept]);
      // The name of the half-made one is free.
      expect((await api(d.sock, "POST", "/containers/create?name=cut", { Image: "busybox" })).status).toBe(201);
    } finally {
      if (second && second.exitCode === null) {
        second.kill("SIGTERM");
        await new Promise((r) => second!.on("exit", r));
      }
      await d.cleanup();
    }
  });
});

describe("links, list and inspect", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    await load(d);
  });
  afterAll(async () => {
    if (d) {
      const ids = lines(docker(d, ["ps", "-aq"]).stdout);
      if (ids.length) docker(d, ["rm", "-f", ...ids]);
      await d.cleanup();
    }
  });

  it("links: stored as Docker shows them, names in the list, removed with rm --link", () => {
    ok(docker(d, ["run", "-d", "--name", "db", "-e", "PGPASS=s3cret", "--expose", "5432", "busybox", "sleep", "300"]));
    const out = ok(docker(d, ["run", "--name", "web", "--link", "db:database", "busybox", "sh", "-c", "env"]));
    expect(out).toContain("DATABASE_NAME=/web/database");
    expect(out).toContain("DATABASE_ENV_PGPASS=s3cret");
    expect(out).toContain("DATABASE_PORT_5432_TCP_PORT=5432");
    expect(out).toContain("DATABASE_PORT_5432_TCP_PROTO=tcp");
    expect(out).not.toMatch(/DATABASE_ENV_PATH=/);
    expect(ok(docker(d, ["inspect", "-f", "{{json .HostConfig.Links}}", "web"]))).toBe('["/db:/web/database"]');
    expect(ok(docker(d, ["inspect", "-f", "{{json .HostConfig.Links}}", "db"]))).toBe("null");
    // The API lists every name; the docker CLI shows link names only with --no-trunc.
    expect(ok(docker(d, ["ps", "--filter", "name=db", "--format", "{{.Names}}"]))).toBe("db");
    expect(ok(docker(d, ["ps", "--no-trunc", "--filter", "name=db", "--format", "{{.Names}}"]))).toBe("db,web/database");
    // The link's name finds the child.
    expect(ok(docker(d, ["inspect", "-f", "{{.Name}}", "web/database"]))).toBe("/db");

    const r = docker(d, ["rm", "--link", "db"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Conflict, cannot remove the default link name of the container");
    ok(docker(d, ["rm", "--link", "/web/database"]));
    expect(ok(docker(d, ["inspect", "-f", "{{json .HostConfig.Links}}", "web"]))).toBe("null");
    expect(ok(docker(d, ["inspect", "-f", "{{.State.Running}}", "db"]))).toBe("true");
    expect(docker(d, ["rm", "--link", "/web/database"]).stderr).toContain("No such container: /web/database");
    ok(docker(d, ["rm", "web"]));
  });

  it("links: a missing child is a 400 at create; a stopped child fails the start; conflicting modes are refused", () => {
    let r = docker(d, ["create", "--link", "nope:x", "busybox"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("could not get container for nope: No such container: nope");
    ok(docker(d, ["create", "--name", "sleeper", "busybox", "sleep", "300"]));
    ok(docker(d, ["create", "--name", "needs", "--link", "sleeper:s", "busybox", "true"]));
    r = docker(d, ["start", "needs"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Cannot link to a non running container: /sleeper AS /needs/s");
    r = docker(d, ["create", "--network", "host", "--link", "sleeper", "busybox"]);
    expect(r.stderr).toContain("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
    r = docker(d, ["create", "--network", "container:sleeper", "--link", "sleeper", "busybox"]);
    expect(r.stderr).toMatch(/conflicting options: container type network can't be used with links/);
    // Removing the child drops the link; the parent then starts without it.
    ok(docker(d, ["rm", "sleeper"]));
    expect(ok(docker(d, ["inspect", "-f", "{{json .HostConfig.Links}}", "needs"]))).toBe("null");
    ok(docker(d, ["start", "-a", "needs"]));
    ok(docker(d, ["rm", "needs"]));
  });

  it("docker ps filters return what Docker returns", async () => {
    const imageId = ok(docker(d, ["image", "inspect", "-f", "{{.Id}}", "busybox"]));
    ok(docker(d, ["run", "-d", "--name", "f-up", "--label", "app=demo", "--label", "tier", "--expose", "80", "busybox", "sleep", "300"]));
    expect(docker(d, ["run", "--name", "f-three", "--label", "app=other", "busybox", "sh", "-c", "exit 3"]).code).toBe(3);
    expect(docker(d, ["run", "--name", "f-three-b", "busybox", "sh", "-c", "exit 3"]).code).toBe(3);
    ok(docker(d, ["run", "--name", "f-zero", "busybox", "true"]));
    ok(docker(d, ["create", "--name", "f-new", "-v", "/tmp:/hosttmp:ro", "busybox", "true"]));
    const ps = (...args: string[]) => lines(ok(docker(d, ["ps", "--format", "{{.Names}}", ...args])));
    const mine = (names: string[]) => names.filter((n) => n.startsWith("f-"));

    expect(mine(ps())).toEqual(["f-up"]);
    expect(mine(ps("-a"))).toEqual(["f-new", "f-zero", "f-three-b", "f-three", "f-up"]);
    expect(mine(ps("-a", "-n", "2"))).toEqual(["f-new", "f-zero"]);
    expect(mine(ps("-l"))).toEqual(["f-new"]);
    expect(ps("-a", "--filter", "name=f-three")).toEqual(["f-three-b", "f-three"]);
    expect(ps("-a", "--filter", "name=^/f-three$")).toEqual(["f-three"]);
    const upId = ok(docker(d, ["inspect", "-f", "{{.Id}}", "f-up"]));
    expect(ps("-a", "--filter", `id=${upId.slice(0, 10)}`)).toEqual(["f-up"]);
    expect(mine(ps("-a", "--filter", "label=app"))).toEqual(["f-three", "f-up"]);
    expect(mine(ps("-a", "--filter", "label=app=demo"))).toEqual(["f-up"]);
    expect(mine(ps("-a", "--filter", "label=tier", "--filter", "label=app=demo"))).toEqual(["f-up"]);
    expect(mine(ps("--filter", "status=exited"))).toEqual(["f-zero", "f-three-b", "f-three"]);
    expect(mine(ps("--filter", "status=created"))).toEqual(["f-new"]);
    expect(mine(ps("--filter", "status=running"))).toEqual(["f-up"]);
    expect(mine(ps("--filter", "status=paused"))).toEqual([]);
    expect(mine(ps("--filter", "status=dead"))).toEqual([]);
    expect(mine(ps("--filter", "status=restarting"))).toEqual([]);
    expect(mine(ps("-a", "--filter", "exited=3"))).toEqual(["f-three-b", "f-three"]);
    expect(mine(ps("-a", "--filter", "exited=0"))).toEqual(["f-zero"]);
    // exited alone does not reach stopped containers (no -a): as dockerd.
    expect(mine(ps("--filter", "exited=3"))).toEqual([]);
    expect(mine(ps("-a", "--filter", "ancestor=busybox"))).toHaveLength(5);
    expect(mine(ps("-a", "--filter", "ancestor=busybox:latest"))).toHaveLength(5);
    expect(mine(ps("-a", "--filter", `ancestor=${imageId}`))).toHaveLength(5);
    expect(mine(ps("-a", "--filter", "ancestor=nosuchimage"))).toEqual([]);
    expect(mine(ps("-a", "--filter", "before=f-zero"))).toEqual(["f-three-b", "f-three", "f-up"]);
    expect(mine(ps("-a", "--filter", "since=f-three"))).toEqual(["f-new", "f-zero", "f-three-b"]);
    expect(mine(ps("-a", "--filter", "since=f-three", "--filter", "before=f-new"))).toEqual(["f-zero", "f-three-b"]);
    expect(mine(ps("-a", "--filter", "health=none"))).toHaveLength(5);
    expect(mine(ps("-a", "--filter", "health=healthy"))).toEqual([]);
    expect(mine(ps("-a", "--filter", "network=bridge"))).toHaveLength(5);
    expect(mine(ps("-a", "--filter", "network=host"))).toEqual([]);
    expect(mine(ps("-a", "--filter", "volume=/hosttmp"))).toEqual(["f-new"]);
    expect(mine(ps("-a", "--filter", "volume=/tmp"))).toEqual(["f-new"]);
    expect(mine(ps("-a", "--filter", "expose=80"))).toEqual(["f-up"]);
    expect(mine(ps("-a", "--filter", "expose=79-81/tcp"))).toEqual(["f-up"]);
    expect(mine(ps("-a", "--filter", "expose=80/udp"))).toEqual([]);
    expect(mine(ps("-a", "--filter", "is-task=false"))).toHaveLength(5);
    expect(mine(ps("-a", "--filter", "is-task=true"))).toEqual([]);

    let r = docker(d, ["ps", "--filter", "bogus=1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("invalid filter 'bogus'");
    r = docker(d, ["ps", "--filter", "status=sleeping"]);
    expect(r.stderr).toContain("invalid filter 'status=sleeping'");
    r = docker(d, ["ps", "--filter", "before=nosuch"]);
    expect(r.stderr).toContain("No such container: nosuch");
    const api400 = await api(d.sock, "GET", `/containers/json?filters=${encodeURIComponent('{"x":["1"]}')}`);
    expect(api400).toEqual({ status: 400, json: { message: "invalid filter 'x'" } });
  });

  it("volume filters match a named volume by name and by destination", () => {
    ok(docker(d, ["create", "--name", "v-named", "-v", "v-data:/data", "busybox", "true"]));
    const ps = (...args: string[]) => lines(ok(docker(d, ["ps", "-a", "--format", "{{.Names}} {{.Mounts}}", ...args])));
    expect(ps("--filter", "volume=v-data")).toEqual(["v-named v-data"]);
    expect(ps("--filter", "volume=/data")).toEqual(["v-named v-data"]);
    expect(ps("--filter", "volume=/nothing")).toEqual([]);
    ok(docker(d, ["rm", "v-named"]));
  });

  it("the list has Docker's shape: every field of the reference with the same type", async () => {
    const list = (await api(d.sock, "GET", "/containers/json?all=1&size=1")).json as any[];
    const ref = reference("containers-list.json")[0];
    for (const c of list) {
      for (const [k, v] of Object.entries(ref)) {
        expect(c, k).toHaveProperty([k]);
        expect(typeof c[k], k).toBe(typeof v);
      }
      expect(typeof c.SizeRw).toBe("number");
      expect(c.SizeRootFs).toBeGreaterThan(c.SizeRw);
      expect(c.Names[0]).toMatch(/^\//);
    }
    const up = list.find((c) => c.Names.includes("/f-up"));
    expect(up.Status).toMatch(/^Up (Less than a second|\d+ seconds?)$/);
    expect(up.Ports).toEqual([{ PrivatePort: 80, Type: "tcp" }]);
    expect(up.Labels).toEqual({ app: "demo", tier: "" });
    expect(up.Command).toBe("sleep 300");
    const three = list.find((c) => c.Names.includes("/f-three"));
    expect(three.Status).toMatch(/^Exited \(3\) (Less than a second|\d+ seconds?) ago$/);
    expect(three.Ports).toEqual([]);
    expect(three.Command).toBe("sh -c 'exit 3'");
    const fresh = list.find((c) => c.Names.includes("/f-new"));
    expect(fresh.Status).toBe("Created");
    expect(fresh.Mounts).toEqual([
      { Type: "bind", Source: "/tmp", Destination: "/hosttmp", Mode: "ro", RW: false, Propagation: "rprivate" },
    ]);
    ok(docker(d, ["pause", "f-up"]));
    expect(ok(docker(d, ["ps", "--filter", "name=f-up", "--format", "{{.Status}}"]))).toMatch(/^Up .* \(Paused\)$/);
    expect(lines(ok(docker(d, ["ps", "--filter", "status=paused", "--format", "{{.Names}}"])))).toEqual(["f-up"]);
    ok(docker(d, ["unpause", "f-up"]));
  });

  it("inspect has every field of Docker's, with the same types, for running and exited containers", () => {
    ok(docker(d, ["run", "-d", "--name", "shape-up", "--expose", "80", "-e", "FOO=bar", "--label", "app=demo", "-m", "64m", "--restart", "on-failure:3", "busybox", "httpd", "-f", "-p", "80"]));
    const shapes: [string, string][] = [
      ["shape-up", "container-inspect-running.json"],
      ["f-three", "container-inspect-exited.json"],
    ];
    // Fields API 1.45 no longer has.
    const gone = new Set([".HostConfig.KernelMemory", ".HostConfig.KernelMemoryTCP"]);
    for (const [name, file] of shapes) {
      const ours = JSON.parse(ok(docker(d, ["inspect", "-s", name])))[0];
      const theirs = [reference(file)].flat()[0];
      const walk = (o: any, t: any, path: string) => {
        for (const [k, v] of Object.entries(t)) {
          const p = `${path}.${k}`;
          if (gone.has(p)) continue;
          expect(o, `${name}: ${p}`).toHaveProperty([k]);
          const mine = o[k];
          if (v === null || mine === null) continue;
          expect(Array.isArray(mine), `${name}: ${p} array`).toBe(Array.isArray(v));
          expect(typeof mine, `${name}: ${p}`).toBe(typeof v);
          // Maps keyed by data (labels, ports) are compared as maps only; driver data when the driver is Docker's.
          const keyed = /^(Labels|Ports|PortBindings|ExposedPorts|Volumes)$/.test(k) || (k === "Data" && ours.Driver !== theirs.Driver);
          if (typeof v === "object" && !Array.isArray(v) && !keyed) walk(mine, v, p);
        }
      };
      walk(ours, theirs, "");
      expect(typeof ours.SizeRw).toBe("number");
      expect(typeof ours.SizeRootFs).toBe("number");
    }
    expect(ok(docker(d, ["inspect", "-f", "{{.State.ExitCode}} {{.Name}}", "f-three"]))).toBe("3 /f-three");
    const r = docker(d, ["inspect", "nosuchthing"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("Error: No such object: nosuchthing");
  });

  it("wharf ps and inspect print what docker prints", () => {
    const env = { DOCKER_HOST: d.host };
    const fmt = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Ports}}\t{{.Names}}\t{{.State}}\t{{.Label \"app\"}}\t{{.Networks}}\t{{.Mounts}}";
    for (const args of [["-a", "--format", fmt], ["-a", "--no-trunc", "--format", fmt], ["-q"], ["-aq", "--filter", "exited=3"], ["-a", "--format", "{{.Names}} {{.Size}}", "-s"]]) {
      const theirs = docker(d, ["ps", ...args]);
      const ours = wharf(["ps", ...args], env);
      expect(ours.stderr).toBe("");
      expect(ours.stdout, args.join(" ")).toBe(theirs.stdout);
    }
    // The default table: same header and columns (times may tick between the two runs).
    // Column widths follow the STATUS texts, which may age a second between the runs.
    const header = (s: string) => s.split("\n")[0]!.split(/\s{2,}/);
    expect(header(wharf(["ps", "-a"], env).stdout)).toEqual(header(docker(d, ["ps", "-a"]).stdout));
    expect(header(wharf(["ps", "-a", "-s"], env).stdout)).toEqual(header(docker(d, ["ps", "-a", "-s"]).stdout));
    const jsonKeys = (s: string) => Object.keys(JSON.parse(s.split("\n")[0]!)).sort();
    expect(jsonKeys(wharf(["ps", "-a", "--format", "{{json .}}"], env).stdout)).toEqual(
      jsonKeys(docker(d, ["ps", "-a", "--format", "{{json .}}"]).stdout),
    );
    for (const args of [["-f", "{{.State.ExitCode}} {{.Name}}", "f-three"], ["--type", "image", "-f", "{{.Id}}", "busybox"], ["-f", "{{.Id}}", "busybox"]]) {
      expect(wharf(["inspect", ...args], env).stdout).toBe(docker(d, ["inspect", ...args]).stdout);
    }
    for (const t of ["container", "image"]) {
      const theirs = docker(d, ["inspect", "--type", t, "nosuchthing"]);
      const ours = wharf(["inspect", "--type", t, "nosuchthing"], env);
      expect([ours.code, ours.stdout, ours.stderr]).toEqual([theirs.code, theirs.stdout, theirs.stderr]);
    }
    for (const args of [["container", "inspect", "-f", "{{.Name}}", "f-three", "nosuchthing"], ["container", "inspect", "busybox"]]) {
      const theirs = docker(d, args);
      const ours = wharf(args, env);
      expect([ours.code, ours.stdout, ours.stderr], args.join(" ")).toEqual([theirs.code, theirs.stdout, theirs.stderr]);
    }
    const miss = wharf(["inspect", "nosuchthing"], env);
    expect(miss.code).toBe(1);
    expect(miss.stderr.trim()).toBe("Error: No such object: nosuchthing");
  });
});
