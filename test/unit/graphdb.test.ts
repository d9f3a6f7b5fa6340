import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GraphDb } from "../../src/names/graphdb.ts";

const dirs: string[] = [];
function open() {
  const dir = mkdtempSync(join(tmpdir(), "wharf-graph-"));
  dirs.push(dir);
  return { dir, db: GraphDb.open(join(dir, "graph.db")) };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("graph db", () => {
  it("keeps names unique with Docker's conflict message", () => {
    const { db } = open();
    db.createContainer("a".repeat(64), "web", { n: 1 });
    let err: any;
    try {
      db.createContainer("b".repeat(64), "web", { n: 2 });
    } catch (e) {
      err = e;
    }
    expect(err.kind).toBe("conflict");
    expect(err.message).toBe(
      `Conflict. The container name "/web" is already in use by container "${"a".repeat(64)}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
    // The failed create left nothing behind.
    expect(db.containers().map((c) => c.id)).toEqual(["a".repeat(64)]);
    db.close();
  });

  it("renames, links, and removes a container with its name and links in one go", () => {
    const { dir, db } = open();
    db.createContainer("web1", "web", {});
    db.createContainer("db1", "db", {});
    db.addLink("web1", "database", "db1");
    expect(db.links("web1", "children")).toEqual([{ parentId: "web1", alias: "database", childId: "db1" }]);
    db.rename("db1", "postgres");
    expect(db.nameOf("db1")).toBe("postgres");
    expect(db.idByName("db")).toBeUndefined();
    // The link still points at the same container after the rename.
    expect(db.links("db1", "parents")).toEqual([{ parentId: "web1", alias: "database", childId: "db1" }]);
    expect(() => db.rename("web1", "postgres")).toThrow(/already in use/);
    db.removeContainer("db1");
    expect(db.links("web1", "children")).toEqual([]);
    expect(db.idByName("postgres")).toBeUndefined();
    db.close();
    const again = GraphDb.open(join(dir, "graph.db"));
    expect(again.containers().map((c) => [c.id, c.name])).toEqual([["web1", "web"]]);
    again.close();
  });

  it("stores and updates container records", () => {
    const { db } = open();
    db.createContainer("c1", "one", { State: { Status: "created" } });
    db.saveContainer("c1", { State: { Status: "running" } });
    expect(JSON.parse(db.containers()[0]!.record)).toEqual({ State: { Status: "running" } });
    expect(() => db.saveContainer("nope", {})).toThrow(/No such container/);
    db.close();
  });
});

describe("graph db names and links", () => {
  it("lists every name of a container, own and link names, and resolves link paths", () => {
    const { db } = open();
    db.createContainer("db1", "db", {});
    db.createContainer("web1", "web", {}, [{ alias: "database", childId: "db1" }]);
    db.createContainer("api1", "api", {}, [{ alias: "db", childId: "db1" }]);
    expect(db.allNames().get("db1")).toEqual(["/api/db", "/db", "/web/database"]);
    expect(db.allNames().get("web1")).toEqual(["/web"]);
    expect(db.idByLinkPath("/web/database")).toBe("db1");
    expect(db.idByLinkPath("web/database")).toBe("db1");
    expect(db.idByLinkPath("/web/nope")).toBeUndefined();
    // Renaming the parent renames its link names.
    db.rename("web1", "site");
    expect(db.allNames().get("db1")).toEqual(["/api/db", "/db", "/site/database"]);
    db.close();
  });

  it("a create whose link names a missing container leaves nothing behind", () => {
    const { db } = open();
    expect(() => db.createContainer("web1", "web", {}, [{ alias: "x", childId: "gone" }])).toThrow();
    expect(db.containers()).toEqual([]);
    expect(db.idByName("web")).toBeUndefined();
    db.close();
  });
});
