// Containers in memory, backed by the graph db: every mutation is persisted before the
// caller reports success, and names are reserved in the same transaction as the record.
import { join } from "node:path";
import { Container, type ContainerRecord, type ContainerPaths } from "./container.ts";
import { GraphDb, type Link } from "../names/graphdb.ts";
import { invalidParameter, notFound } from "../errors.ts";

export class ContainerStore {
  private readonly byId = new Map<string, Container>();
  /** Every container's names (own and link names), rebuilt after a change to names or links. */
  private names: Map<string, string[]> | undefined;
  /** Top-level name → id, rebuilt from the database after any change to names. */
  private byName: Map<string, string> | undefined;
  /** Each parent's links, dropped with `names` on every change to names or links. */
  private readonly linkCache = new Map<string, Link[]>();
  private readonly parentCache = new Map<string, Link[]>();
  private readonly versions = new WeakMap<Container, number>();
  private namesGen = 0;
  private sorted: Container[] | undefined;

  constructor(
    private readonly db: GraphDb,
    readonly containersDir: string,
  ) {}

  paths(id: string): ContainerPaths {
    const root = join(this.containersDir, id);
    return {
      root,
      logPath: join(root, `${id}-json.log`),
      hostnamePath: join(root, "hostname"),
      hostsPath: join(root, "hosts"),
      resolvConfPath: join(root, "resolv.conf"),
    };
  }

  /** Loads every record the database holds (daemon start). */
  load(): Container[] {
    for (const row of this.db.containers()) {
      const rec = JSON.parse(row.record) as ContainerRecord;
      rec.Name = row.name;
      this.byId.set(row.id, new Container(rec, this.paths(row.id)));
    }
    this.sorted = undefined;
    return this.all();
  }

  /** Registers a new container and its links; refuses a taken name with Docker's 409. */
  add(rec: ContainerRecord, links: { alias: string; childId: string }[] = []): Container {
    this.db.createContainer(rec.ID, rec.Name, rec, links);
    this.invalidateNames();
    const c = new Container(rec, this.paths(rec.ID));
    this.byId.set(rec.ID, c);
    this.sorted = undefined;
    return c;
  }

  save(c: Container): void {
    this.db.saveContainer(c.id, c.toRecord());
    this.versions.set(c, (this.versions.get(c) ?? 0) + 1);
  }

  /** Bumped by every save: views cached from a record are valid while it holds. */
  version(c: Container): number {
    return this.versions.get(c) ?? 0;
  }

  /** Bumped by every change to names or links. */
  get namesVersion(): number {
    return this.namesGen;
  }

  remove(c: Container): void {
    this.db.removeContainer(c.id);
    this.byId.delete(c.id);
    this.sorted = undefined;
    this.invalidateNames();
  }

  rename(c: Container, newName: string): void {
    this.db.rename(c.id, newName);
    c.rec.Name = newName;
    this.invalidateNames();
  }

  private invalidateNames(): void {
    this.namesGen++;
    this.names = undefined;
    this.byName = undefined;
    this.linkCache.clear();
    this.parentCache.clear();
  }

  /** A lookup by name is a map read, not a query: inspect by name is a hot path. */
  private idByName(name: string): string | undefined {
    if (!this.byName) {
      this.byName = new Map();
      this.names ??= this.db.allNames();
      for (const [id, names] of this.names) for (const n of names) if (n.lastIndexOf("/") === 0) this.byName.set(n.slice(1), id);
    }
    return this.byName.get(name);
  }

  /** All names of a container, sorted: `/db`, `/web/database`. */
  namesOf(id: string): string[] {
    this.names ??= this.db.allNames();
    return this.names.get(id) ?? [];
  }

  /** The containers `parent` links to, by alias (read from the database once per change). */
  children(parent: Container): { alias: string; child: Container }[] {
    let links = this.linkCache.get(parent.id);
    if (!links) this.linkCache.set(parent.id, (links = this.db.links(parent.id, "children")));
    return links.flatMap((l) => (this.byId.has(l.childId) ? [{ alias: l.alias, child: this.byId.get(l.childId)! }] : []));
  }

  /** The containers linking to `child`, with the alias each uses (read once per change; every start asks). */
  parents(child: Container): { alias: string; parent: Container }[] {
    let links = this.parentCache.get(child.id);
    if (!links) this.parentCache.set(child.id, (links = this.db.links(child.id, "parents")));
    return links.flatMap((l) => (this.byId.has(l.parentId) ? [{ alias: l.alias, parent: this.byId.get(l.parentId)! }] : []));
  }

  /** Drops the link `alias` of `parent`; false when there was none. */
  removeLink(parent: Container, alias: string): boolean {
    const done = this.db.removeLink(parent.id, alias);
    this.invalidateNames();
    return done;
  }

  /** The ids of every registered container (start-up cleaning compares against them). */
  ids(): Set<string> {
    return new Set(this.byId.keys());
  }

  /** Newest first; the order is kept until a container comes or goes (Created never changes). */
  all(): Container[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => (a.rec.Created < b.rec.Created ? 1 : -1));
    return [...this.sorted];
  }

  get size(): number {
    return this.byId.size;
  }

  /** Docker's lookup: full id, then exact name, then a unique id prefix. */
  lookup(ref: string): Container {
    const c = this.find(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  find(ref: string): Container | undefined {
    if (!ref) return undefined;
    const full = this.byId.get(ref);
    if (full) return full;
    const byName = this.idByName(ref.replace(/^\//, ""));
    if (byName && this.byId.has(byName)) return this.byId.get(byName);
    if (ref.includes("/", 1)) {
      const linked = this.db.idByLinkPath(ref);
      return linked ? this.byId.get(linked) : undefined;
    }
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.byId.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw invalidParameter(`multiple IDs found with provided prefix: ${ref}`);
    return matches.length ? this.byId.get(matches[0]!) : undefined;
  }

  nameTaken(name: string): boolean {
    return this.db.idByName(name) !== undefined;
  }
}
