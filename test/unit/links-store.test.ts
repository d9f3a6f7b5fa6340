// Links through the container store: start-time environment and hosts lines, inspect's
// HostConfig.Links, link removal, and parents' hosts files following a child's address.
import { afterEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GraphDb } from "../../src/names/graphdb.ts";
import { ContainerStore } from "../../src/container/store.ts";
import { testRecord } from "../helpers/records.ts";
import { inspectLinks, removeLink, resolveCreateLinks, startLinks, updateParentHosts } from "../../src/daemon/containers/links.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "wharf-links-"));
  dirs.push(dir);
  const db = GraphDb.open(join(dir, "graph.db"));
  const store = new ContainerStore(db, join(dir, "containers"));
  const add = (name: string, hc: Record<string, unknown> = {}, env: string[] = [], ports: Record<string, object> = {}) => {
    const id = name.padEnd(64, "0").replace(/[^0-9a-f]/g, "a");
    const rec = testRecord(id, name, { config: { Env: env, ExposedPorts: ports }, hostConfig: hc });
    const c = store.add(rec, resolveCreateLinks(store, rec.HostConfig));
    mkdirSync(c.paths.root, { recursive: true });
    return c;
  };
  return { db, store, add };
}

describe("links in the store", () => {
  it("gives a starting parent the child's variables and hosts line, and shows the link in inspect", () => {
    const { store, add, db } = setup();
    const child = add("db", {}, ["PGPASS=x", "PATH=/bin"], { "5432/tcp": {} });
    const parent = add("web", { Links: ["db:database"] });
    expect(inspectLinks(store, parent)).toEqual([`/db:/web/database`]);
    expect(inspectLinks(store, child)).toBeNull();
    expect(store.namesOf(child.id)).toEqual(["/db", "/web/database"]);
    expect(() => startLinks(store, parent)).toThrow("Cannot link to a non running container: /db AS /web/database");
    child.state.setRunning(42);
    (child.rec as any).NetworkSettings = { IPAddress: "172.17.0.2", Networks: { bridge: { IPAddress: "172.17.0.2" } } };
    const { env, hosts } = startLinks(store, parent);
    expect(env).toEqual([
      "DATABASE_PORT=tcp://172.17.0.2:5432",
      "DATABASE_PORT_5432_TCP=tcp://172.17.0.2:5432",
      "DATABASE_PORT_5432_TCP_ADDR=172.17.0.2",
      "DATABASE_PORT_5432_TCP_PORT=5432",
      "DATABASE_PORT_5432_TCP_PROTO=tcp",
      "DATABASE_NAME=/web/database",
      "DATABASE_ENV_PGPASS=x",
    ]);
    expect(hosts).toEqual([`172.17.0.2\tdatabase ${child.id.slice(0, 12)} db`]);
    db.close();
  });

  it("rewrites running parents' hosts lines when the child comes back with a new address", () => {
    const { store, add, db } = setup();
    const child = add("db");
    const parent = add("web", { Links: ["db:database"] });
    parent.state.setRunning(7);
    const before = `127.0.0.1\tlocalhost\n172.17.0.2\tdatabase ${child.id.slice(0, 12)} db\n172.17.0.3\t${parent.id.slice(0, 12)}\n`;
    writeFileSync(parent.paths.hostsPath, before);
    (child.rec as any).NetworkSettings = { Networks: { bridge: { IPAddress: "172.17.0.9" } } };
    updateParentHosts(store, child);
    expect(readFileSync(parent.paths.hostsPath, "utf8")).toBe(before.replace("172.17.0.2", "172.17.0.9"));
    db.close();
  });

  it("refuses what dockerd refuses and removes a link by its name", () => {
    const { store, add, db } = setup();
    add("db");
    expect(() => add("x1", { Links: ["nope:n"] })).toThrow("could not get container for nope: No such container: nope");
    expect(() => add("x2", { Links: ["db"], NetworkMode: "host" })).toThrow(/host type networking can't be used with links/);
    expect(() => add("x3", { Links: ["db"], NetworkMode: "container:db" })).toThrow(/container type network can't be used with links/);
    const web = add("web", { Links: ["db:database"] });
    expect(() => removeLink(store, "db")).toThrow("Conflict, cannot remove the default link name of the container");
    removeLink(store, "/web/database");
    expect(inspectLinks(store, web)).toBeNull();
    expect(() => removeLink(store, "/web/database")).toThrow("No such container: /web/database");
    db.close();
  });
});
