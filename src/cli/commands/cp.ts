// docker cp: both directions, `-` for a tar on stdin/stdout, -a (keep owners), -L
// (follow a symlink source). The naming rules are the docker CLI's: into an existing
// directory the source keeps its name, `SRC/.` copies a directory's content, a new
// destination name renames the source.
import { once } from "node:events";
import { lstatSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { humanSize } from "../common.ts";
import { errorFromResponse, readAll, type ApiResponse } from "../../client/client.ts";
import { archive, treeEntries } from "../../archive/tarwriter.ts";
import { extractInto } from "../../archive/extract.ts";

const ModeDir = 2 ** 31;
const ModeSymlink = 2 ** 27;

interface Stat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** `CONTAINER:PATH`, or a local path (absolute or starting with `.` is always local). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith("/") || arg.startsWith(".")) return { path: arg };
  const i = arg.indexOf(":");
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

const isDir = (s: Stat) => s.mode >= ModeDir;
const isLink = (s: Stat) => Math.floor(s.mode / ModeSymlink) % 2 === 1 && !isDir(s);

async function statPath(container: string, path: string): Promise<Stat | undefined> {
  const res = await getClient().request("HEAD", `/containers/${encodeURIComponent(container)}/archive`, { query: { path } });
  await readAll(res);
  if (res.statusCode === 404) {
    // The daemon answers a missing container and a missing path alike; tell them apart.
    await getClient().json("GET", `/containers/${encodeURIComponent(container)}/json`);
    return undefined;
  }
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, "");
  const h = res.headers["x-docker-container-path-stat"];
  return JSON.parse(Buffer.from(String(h), "base64").toString());
}

function put(container: string, path: string, body: AsyncIterable<Uint8Array>, copyUIDGID: boolean): Promise<ApiResponse> {
  return getClient().request("PUT", `/containers/${encodeURIComponent(container)}/archive`, {
    query: { path, noOverwriteDirNonDir: "true", ...(copyUIDGID ? { copyUIDGID: "true" } : {}) },
    headers: { "Content-Type": "application/x-tar" },
    body,
  });
}

async function* counted(src: AsyncIterable<Uint8Array>, n: { bytes: number }): AsyncGenerator<Uint8Array> {
  for await (const c of src) {
    n.bytes += c.length;
    yield c;
  }
}

async function copyIn(src: string, container: string, dest: string, o: { archive: boolean; follow: boolean; quiet: boolean }): Promise<void> {
  const n = { bytes: 0 };
  if (src === "-") {
    const res = await put(container, dest, counted(process.stdin, n), o.archive);
    if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
    await readAll(res);
    return;
  }
  let source = src;
  const st = lstatSync(source, { throwIfNoEntry: false });
  if (!st) throw new ExitError(1, `lstat ${src}: no such file or directory`);
  if (o.follow && st.isSymbolicLink()) source = realpathSync(source);
  const srcIsDir = statSync(source, { throwIfNoEntry: false })?.isDirectory() && !lstatSync(source).isSymbolicLink();
  const contentOnly = src.endsWith("/.");
  let dst = await statPath(container, dest);
  let target = dest;
  if (dst && isLink(dst)) {
    target = dst.linkTarget;
    dst = await statPath(container, target);
  }
  let into: string;
  let name: string;
  if (dst && isDir(dst)) {
    into = target;
    name = contentOnly ? "./" : basename(source);
  } else if (dst) {
    if (srcIsDir) throw new ExitError(1, "cannot copy directory");
    into = dirname(target) || "/";
    name = basename(target);
  } else {
    if (dest.endsWith("/")) throw new ExitError(1, `Error response from daemon: Could not find the file ${dest} in container ${container}`);
    into = dirname(target) || "/";
    name = basename(target);
  }
  const body = counted(archive(treeEntries(contentOnly ? source.replace(/\/\.$/, "") || "/" : source, name)), n);
  const res = await put(container, into, body, o.archive);
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  await readAll(res);
  if (!o.quiet) process.stderr.write(`Successfully copied ${humanSize(n.bytes)} to ${container}:${dest}\n`);
}

async function copyOut(container: string, src: string, dest: string, o: { archive: boolean; follow: boolean; quiet: boolean }): Promise<void> {
  let path = src;
  if (o.follow) {
    const s = await statPath(container, src);
    if (s && isLink(s)) path = s.linkTarget;
  }
  const client = getClient();
  const res = await client.request("GET", `/containers/${encodeURIComponent(container)}/archive`, { query: { path } });
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  if (dest === "-") {
    for await (const chunk of res) if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
    return;
  }
  const stat: Stat = JSON.parse(Buffer.from(String(res.headers["x-docker-container-path-stat"]), "base64").toString());
  const n = { bytes: 0 };
  const owner = o.archive ? undefined : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const extract = (dir: string) => extractInto(dir, counted(res, n), { noOverwriteDirNonDir: true, owner });
  const contentOnly = path.endsWith("/.");
  const dst = statSync(dest, { throwIfNoEntry: false });
  if (dst?.isDirectory()) {
    await extract(dest);
  } else {
    if (dst && isDir(stat)) throw new ExitError(1, "cannot copy directory");
    if (!dst && dest.endsWith("/")) throw new ExitError(1, `destination directory ${dest} does not exist`);
    const parent = dirname(dest);
    if (!statSync(parent, { throwIfNoEntry: false })?.isDirectory()) throw new ExitError(1, `lstat ${parent}: no such file or directory`);
    // Extracted beside the target, then renamed into place: a failed copy leaves nothing.
    const tmp = mkdtempSync(join(parent, ".wharf-cp-"));
    try {
      await extract(tmp);
      const top = contentOnly ? tmp : join(tmp, readdirSync(tmp)[0] ?? "");
      if (contentOnly) {
        renameSync(tmp, dest);
      } else {
        if (dst) rmSync(dest, { force: true });
        renameSync(top, dest);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (!o.quiet) process.stderr.write(`Successfully copied ${humanSize(n.bytes)} to ${dest}\n`);
}

export const cp: Runner = async (p) => {
  const [from, to] = p.positionals.map(splitCpArg) as [ReturnType<typeof splitCpArg>, ReturnType<typeof splitCpArg>];
  const o = { archive: bool(p, "archive"), follow: bool(p, "follow-link"), quiet: bool(p, "quiet") };
  if (from.container && to.container) throw new ExitError(1, "copying between containers is not supported");
  if (!from.container && !to.container) throw new ExitError(1, "must specify at least one container source");
  if (from.container) {
    if (!from.path) throw new ExitError(1, "filepath cannot be empty");
    await copyOut(from.container, from.path, to.path, o);
  } else {
    if (!to.path) throw new ExitError(1, "filepath cannot be empty");
    await copyIn(from.path, to.container!, to.path, o);
  }
};
