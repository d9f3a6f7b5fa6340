// `wharf load`, `wharf save`, `wharf import`: archives streamed to and from the daemon
// without holding them in memory.
import { createWriteStream, renameSync, rmSync, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, list, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { errorFromResponse, readAll, type ApiResponse } from "../../client/client.ts";
import { showProgress } from "../progress.ts";
import { familiarName, parseNormalized } from "../../image/reference.ts";


/** A request whose body is a stream (an archive). */
function upload(path: string, query: Record<string, string | string[] | undefined>, body: AsyncIterable<Uint8Array> | Blob, contentType: string): Promise<ApiResponse> {
  return getClient().request("POST", path, { query, headers: { "Content-Type": contentType }, body });
}

function input(file: string | undefined, what: string): AsyncIterable<Uint8Array> | Blob {
  if (file && file !== "-") {
    try {
      statSync(file);
    } catch (err) {
      throw new ExitError(1, `open ${file}: no such file or directory`);
    }
    return Bun.file(file);
  }
  if (process.stdin.isTTY) throw new ExitError(1, `requested ${what} from stdin, but stdin is empty`);
  return Bun.stdin.stream() as unknown as AsyncIterable<Uint8Array>;
}

export const load: Runner = async (p) => {
  const res = await upload("/images/load", { quiet: bool(p, "quiet") || !process.stdout.isTTY ? "1" : "0" }, input(str(p, "input"), "load"), "application/x-tar");
  await showProgress(res, { quiet: bool(p, "quiet") });
};

export const save: Runner = async (p) => {
  const out = str(p, "output");
  if (!out && process.stdout.isTTY) throw new ExitError(1, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  const res = await getClient().request("GET", "/images/get", { query: { names: p.positionals.join(",") } });
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  if (out) {
    // Written beside the target and renamed, so a failed save leaves no half file.
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      // A connection cut before the end fails the body stream, so no half archive is renamed.
      await pipeline(res, createWriteStream(tmp));
      renameSync(tmp, out);
    } finally {
      rmSync(tmp, { force: true });
    }
  } else await pipeline(res, process.stdout);
};

export const importCmd: Runner = async (p) => {
  const [src, target] = p.positionals as [string, string | undefined];
  let repo: string | undefined;
  let tag: string | undefined;
  if (target) {
    const ref = parseNormalized(target);
    repo = familiarName(ref);
    tag = ref.tag;
  }
  const isUrl = /^https?:\/\//.test(src);
  const body = isUrl ? new Blob([]) : input(src, "import");
  const res = await upload(
    "/images/create",
    { fromSrc: isUrl ? src : "-", repo, tag, message: str(p, "message"), changes: list(p, "change"), platform: str(p, "platform") },
    body,
    "application/x-tar",
  );
  await showProgress(res, { quiet: bool(p, "quiet") });
};
