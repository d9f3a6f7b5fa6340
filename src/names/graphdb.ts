// The graph database of the classic daemon, on bun:sqlite (WAL). Containers are
// entities; a name is an edge from a parent entity to a child: `/web` is the edge
// (root, "web") → web, a link `/web/db` is the edge (web, "db") → db. Container
// records live in the same database, so a name and its container are written and
// removed in one transaction and a crash can never leave one without the other.
//
//   entity(id PK, kind)
//   edge(parent_id, name, entity_id; PK(parent_id, name))     parent "0" is the root
//   container(id PK → entity, record JSON)
//
// Migrations are ordered; `user_version` records how many have run.
import { Database } from "bun:sqlite";
import { conflict, notFound } from "../errors.ts";

const ROOT = "0";

const migrations = [
  `CREATE TABLE entity (id TEXT PRIMARY KEY, kind TEXT NOT NULL);
   CREATE TABLE edge (
     parent_id TEXT NOT NULL,
     name TEXT NOT NULL,
     entity_id TEXT NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
     PRIMARY KEY (parent_id, name)
   );
   CREATE INDEX edge_entity ON edge(entity_id);
   CREATE TABLE container (id TEXT PRIMARY KEY REFERENCES entity(id) ON DELETE CASCADE, record TEXT NOT NULL);`,
];

export interface Link {
  parentId: string;
  alias: string;
  childId: string;
}

function isConstraint(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === "string" && (err as { code: string }).code.startsWith("SQLITE_CONSTRAINT");
}

export class GraphDb {
  private constructor(private readonly db: Database) {}

  static open(path: string): GraphDb {
    const db = new Database(path, { create: true, strict: true });
    // Freed pages go back to the file system at each commit, so the file shrinks when
    // records do (a 200 MB config removed). It must be set before WAL; an existing
    // file converts with one VACUUM.
    const { auto_vacuum } = db.query("PRAGMA auto_vacuum").get() as { auto_vacuum: number };
    if (auto_vacuum !== 1) {
      db.run("PRAGMA journal_mode = DELETE");
      db.run("PRAGMA auto_vacuum = FULL");
      db.run("VACUUM");
    }
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    db.run("PRAGMA foreign_keys = ON");
    db.run("PRAGMA busy_timeout = 5000");
    const { user_version } = db.query("PRAGMA user_version").get() as { user_version: number };
    for (let v = user_version; v < migrations.length; v++) {
      db.transaction(() => {
        db.run(migrations[v]!);
        db.run(`PRAGMA user_version = ${v + 1}`);
      })();
    }
    return new GraphDb(db);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Registers a container, its name and its links (alias → child id) atomically; a
   * taken name is a 409 naming its holder.
   */
  createContainer(id: string, name: string, record: unknown, links: { alias: string; childId: string }[] = []): void {
    try {
      this.db.transaction(() => {
        this.db.query("INSERT INTO entity (id, kind) VALUES (?, 'container')").run(id);
        this.db.query("INSERT INTO edge (parent_id, name, entity_id) VALUES (?, ?, ?)").run(ROOT, name, id);
        this.db.query("INSERT INTO container (id, record) VALUES (?, ?)").run(id, JSON.stringify(record));
        // Docker ignores a second link under an alias the parent already uses.
        for (const l of links) this.db.query("INSERT OR IGNORE INTO edge (parent_id, name, entity_id) VALUES (?, ?, ?)").run(id, l.alias, l.childId);
      })();
    } catch (err) {
      if (isConstraint(err)) {
        const holder = this.idByName(name);
        if (holder) throw nameInUse(name, holder);
      }
      throw err;
    }
  }

  saveContainer(id: string, record: unknown): void {
    const r = this.db.query("UPDATE container SET record = ? WHERE id = ?").run(JSON.stringify(record), id);
    if (r.changes === 0) throw notFound(`No such container: ${id}`);
  }

  /** Removes the container, its name, its links and links to it, in one transaction. */
  removeContainer(id: string): void {
    this.db.transaction(() => {
      this.db.query("DELETE FROM edge WHERE parent_id = ? OR entity_id = ?").run(id, id);
      this.db.query("DELETE FROM entity WHERE id = ?").run(id);
    })();
  }

  containers(): { id: string; name: string; record: string }[] {
    return this.db
      .query(
        `SELECT c.id AS id, e.name AS name, c.record AS record FROM container c
         JOIN edge e ON e.entity_id = c.id AND e.parent_id = '${ROOT}'`,
      )
      .all() as { id: string; name: string; record: string }[];
  }

  /**
   * Every name of every container, as Docker lists them: `/web` for a container's own
   * name, `/web/database` for a link to it. Sorted, as dockerd's name index is.
   */
  allNames(): Map<string, string[]> {
    const rows = this.db
      .query(
        `SELECT e.entity_id AS id, CASE WHEN e.parent_id = '${ROOT}' THEN '/' || e.name ELSE '/' || p.name || '/' || e.name END AS full
         FROM edge e LEFT JOIN edge p ON e.parent_id != '${ROOT}' AND p.parent_id = '${ROOT}' AND p.entity_id = e.parent_id
         ORDER BY full`,
      )
      .all() as { id: string; full: string }[];
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const l = out.get(r.id);
      if (l) l.push(r.full);
      else out.set(r.id, [r.full]);
    }
    return out;
  }

  idByName(name: string): string | undefined {
    const row = this.db.query("SELECT entity_id FROM edge WHERE parent_id = ? AND name = ?").get(ROOT, name) as
      | { entity_id: string }
      | null;
    return row?.entity_id;
  }

  /** Resolves `/web/database` (a link name) to the child's id. */
  idByLinkPath(path: string): string | undefined {
    const parts = path.replace(/^\//, "").split("/");
    if (parts.length !== 2) return undefined;
    const parent = this.idByName(parts[0]!);
    if (!parent) return undefined;
    const row = this.db.query("SELECT entity_id FROM edge WHERE parent_id = ? AND name = ?").get(parent, parts[1]!) as
      | { entity_id: string }
      | null;
    return row?.entity_id;
  }

  nameOf(id: string): string | undefined {
    const row = this.db.query("SELECT name FROM edge WHERE parent_id = ? AND entity_id = ?").get(ROOT, id) as
      | { name: string }
      | null;
    return row?.name;
  }

  rename(id: string, newName: string): void {
    try {
      const r = this.db.query("UPDATE edge SET name = ? WHERE parent_id = ? AND entity_id = ?").run(newName, ROOT, id);
      if (r.changes === 0) throw notFound(`No such container: ${id}`);
    } catch (err) {
      if (isConstraint(err)) throw nameInUse(newName, this.idByName(newName) ?? "");
      throw err;
    }
  }

  addLink(parentId: string, alias: string, childId: string): void {
    try {
      this.db.query("INSERT INTO edge (parent_id, name, entity_id) VALUES (?, ?, ?)").run(parentId, alias, childId);
    } catch (err) {
      if (isConstraint(err)) throw conflict(`Conflict. A link with the alias ${alias} already exists`);
      throw err;
    }
  }

  removeLink(parentId: string, alias: string): boolean {
    return this.db.query("DELETE FROM edge WHERE parent_id = ? AND name = ?").run(parentId, alias).changes > 0;
  }

  /** Links a container holds (its children) or that point at it (its parents). */
  links(id: string, dir: "children" | "parents"): Link[] {
    const where = dir === "children" ? "parent_id = ?" : "entity_id = ? AND parent_id != '0'";
    return (this.db.query(`SELECT parent_id, name, entity_id FROM edge WHERE ${where}`).all(id) as {
      parent_id: string;
      name: string;
      entity_id: string;
    }[]).map((r) => ({ parentId: r.parent_id, alias: r.name, childId: r.entity_id }));
  }
}

function nameInUse(name: string, holder: string): Error {
  return conflict(
    `Conflict. The container name "/${name}" is already in use by container "${holder}". ` +
      "You have to remove (or rename) that container to be able to reuse that name.",
  );
}
