// The `local` driver's volumes on disk, in Docker's layout: `<root>/<name>/_data` holds
// the data, `opts.json` the driver options, `meta.json` creation time and labels. Every
// file is written to a temporary name and renamed, and `_data` is made last, so a crash
// never leaves a half-made volume that lists; removal renames the directory away first.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { invalidParameter, notFound, systemError } from "../errors.ts";
import { isValidVolumeName } from "./names.ts";
import { mountsUnder } from "./devmount.ts";

export interface VolumeOptions {
  type?: string;
  device?: string;
  o?: string;
}

export interface Volume {
  Name: string;
  Driver: "local";
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
  /** Host path of `_data`. */
  Mountpoint: string;
}

const allowedOptions = ["type", "device", "o", "size"];

export function validateOptions(opts: Record<string, string>): void {
  for (const k of Object.keys(opts)) if (!allowedOptions.includes(k)) throw invalidParameter(`invalid option: "${k}"`);
  if (opts.size !== undefined) throw invalidParameter(`quota size requested but no quota support`);
  const any = opts.type || opts.device || opts.o;
  if (any && !opts.device) throw invalidParameter(`missing required option: "device"`);
  if (any && !opts.type && !/(^|,)r?bind(,|$)/.test(opts.o ?? "")) throw invalidParameter(`missing required option: "type"`);
}

function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

export class VolumeStore {
  private readonly cache = new Map<string, Volume>();

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true, mode: 0o701 });
    this.load();
  }

  private load(): void {
    for (const name of readdirSync(this.root)) {
      if (!isValidVolumeName(name)) {
        // A trash directory left by a crash during removal.
        if (name.startsWith(".trash-")) this.purge(join(this.root, name));
        continue;
      }
      const dir = join(this.root, name);
      if (!existsSync(join(dir, "_data"))) continue;
      const meta = readJson<{ CreatedAt?: string; Labels?: Record<string, string> | null }>(join(dir, "meta.json")) ?? {};
      const opts = readJson<Record<string, string>>(join(dir, "opts.json")) ?? null;
      this.cache.set(name, {
        Name: name,
        Driver: "local",
        CreatedAt: meta.CreatedAt ?? new Date().toISOString(),
        Labels: meta.Labels ?? null,
        Options: opts,
        Mountpoint: join(dir, "_data"),
      });
    }
  }

  get(name: string): Volume | undefined {
    // An invalid name is never looked up on disk.
    return isValidVolumeName(name) ? this.cache.get(name) : undefined;
  }

  lookup(name: string): Volume {
    const v = this.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  all(): Volume[] {
    return [...this.cache.values()];
  }

  create(name: string, labels: Record<string, string> | null, options: Record<string, string> | null): Volume {
    if (!isValidVolumeName(name)) throw invalidParameter(`invalid volume name: ${name}`);
    const dir = join(this.root, name);
    try {
      mkdirSync(dir, { mode: 0o701 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // A directory without _data is a create that crashed half-way: start over.
    }
    const v: Volume = {
      Name: name,
      Driver: "local",
      CreatedAt: rfc3339(new Date()),
      Labels: labels,
      Options: options,
      Mountpoint: join(dir, "_data"),
    };
    try {
      writeAtomic(join(dir, "meta.json"), JSON.stringify({ CreatedAt: v.CreatedAt, Labels: labels }));
      writeAtomic(join(dir, "opts.json"), JSON.stringify(options));
      mkdirSync(v.Mountpoint, { mode: 0o755 });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.cache.set(name, v);
    return v;
  }

  /** Takes the volume out of the list, then deletes its files; never through a mount. */
  remove(v: Volume): void {
    const dir = join(this.root, v.Name);
    if (mountsUnder(dir).length) throw systemError(`remove ${v.Name}: volume is still mounted`);
    const trash = join(this.root, `.trash-${v.Name}-${randomBytes(4).toString("hex")}`);
    renameSync(dir, trash);
    this.cache.delete(v.Name);
    this.purge(trash);
  }

  private purge(dir: string): void {
    if (mountsUnder(dir).length) return; // never delete through a mount: leave it for a human
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The one parse of a volume's own files (written by this store); undefined when unreadable. */
function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** Docker's CreatedAt: RFC 3339 with seconds and the local offset (Z here). */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}
