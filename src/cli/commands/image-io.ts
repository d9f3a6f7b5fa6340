// `wharf load`, `wharf save`, `wharf import`: archives streamed to and from the daemon
// without holding them in memory.
import http from "node:http";
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, list, parseFlags, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { ConnectError, errorFromResponse, readAll } from "../../client/client.ts";
import { apiVersion } from "../../version.ts";
import { familiarName, parseNormalized } from "../../image/reference.ts";
import { needArgs } from "../common.ts";

/** A request whose body is a stream (the Client sends whole buffers only). */
function upload(path: string, query: Record<string, string | string[] | undefined>, body: Readable, contentType: string): Promise<http.IncomingMessage> {
  const client = getClient();
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const x of v === undefined ? [] : Array.isArray(v) ? v : [v]) qs.append(k, x);
  const { send, where } = client.connection();
  return new Promise((resolve, reject) => {
    const req = send(
      { ...where, method: "POST", path: `/v${apiVersion}${path}${qs.size ? `?${qs}` : ""}`, headers: { "Content-Type": contentType, "Transfer-Encoding": "chunked" } },
      resolve,
    );
    req.on("error", (err) => reject(new ConnectError(client.host, err)));
    body.on("error", (err) => req.destroy(err));
    body.pipe(req);
  });
}

/** Prints a JSON-lines progress stream (`{"stream"}`, `{"status"}`, `{"error"}`). */
async function printJsonLines(res: http.IncomingMessage): Promise<void> {
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  let buf = "";
  const flush = (line: string) => {
    if (!line.trim()) return;
    const m = JSON.parse(line);
    if (m.error) throw new ExitError(1, m.errorDetail?.message ?? m.error);
    if (m.stream) process.stdout.write(m.stream);
    else if (m.status) process.stdout.write(`${m.status}\n`);
  };
  for await (const c of res) {
    buf += String(c);
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      flush(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
  flush(buf);
}

function input(file: string | undefined, what: string): Readable {
  if (file && file !== "-") {
    try {
      statSync(file);
    } catch (err) {
      throw new ExitError(1, `open ${file}: no such file or directory`);
    }
    return createReadStream(file, { highWaterMark: 1 << 20 });
  }
  if (process.stdin.isTTY) throw new ExitError(1, `requested ${what} from stdin, but stdin is empty`);
  return process.stdin;
}

export const load = defineCommand({
  meta: { name: "load", description: "Load an image from a tar archive or STDIN" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "input", short: "i", type: "string" }, { name: "quiet", short: "q", type: "bool" }, { name: "platform", type: "list" }], {
      stopAtPositional: false,
    });
    needArgs("load", p.positionals, 0, 0);
    const res = await upload("/images/load", { quiet: bool(p, "quiet") ? "1" : "0" }, input(str(p, "input"), "load"), "application/x-tar");
    await printJsonLines(res);
  },
});

export const save = defineCommand({
  meta: { name: "save", description: "Save one or more images to a tar archive (streamed to STDOUT by default)" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "output", short: "o", type: "string" }, { name: "platform", type: "list" }], { stopAtPositional: false });
    needArgs("save", p.positionals, 1, Infinity, "[OPTIONS] IMAGE [IMAGE...]");
    const out = str(p, "output");
    if (!out && process.stdout.isTTY) throw new ExitError(1, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
    const res = await getClient().request("GET", "/images/get", { query: { names: p.positionals.join(",") } });
    if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
    if (out) {
      // Written beside the target and renamed, so a failed save leaves no half file.
      const tmp = `${out}.${process.pid}.tmp`;
      try {
        await pipeline(res, createWriteStream(tmp));
        if (!res.complete) throw new ExitError(1, "the daemon ended the archive early");
        renameSync(tmp, out);
      } finally {
        rmSync(tmp, { force: true });
      }
    } else await pipeline(res, process.stdout);
  },
});

export const importCmd = defineCommand({
  meta: { name: "import", description: "Import the contents from a tarball to create a filesystem image" },
  async run({ rawArgs }) {
    const p = parseFlags(
      rawArgs,
      [{ name: "change", short: "c", type: "list" }, { name: "message", short: "m", type: "string" }, { name: "platform", type: "string" }],
      { stopAtPositional: false },
    );
    needArgs("import", p.positionals, 1, 2, "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]");
    const [src, target] = p.positionals as [string, string | undefined];
    let repo: string | undefined;
    let tag: string | undefined;
    if (target) {
      const ref = parseNormalized(target);
      repo = familiarName(ref);
      tag = ref.tag;
    }
    const isUrl = /^https?:\/\//.test(src);
    const body = isUrl ? (await import("node:stream")).Readable.from([]) : input(src, "import");
    const res = await upload(
      "/images/create",
      { fromSrc: isUrl ? src : "-", repo, tag, message: str(p, "message"), changes: list(p, "change"), platform: str(p, "platform") },
      body,
      "application/x-tar",
    );
    await printJsonLines(res);
  },
});
