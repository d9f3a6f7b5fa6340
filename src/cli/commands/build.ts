// `wharf build`: the context directory sent as a tar (with .dockerignore applied here,
// as the docker CLI does), `-` a tar or a Dockerfile on stdin; the classic builder's
// lines printed as they come (compact on a terminal).
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, list, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { errorFromResponse, readAll, type ApiResponse } from "../../client/client.ts";
import { keyValues } from "../common.ts";
import { ignored, parseDockerignore } from "../../builder/dockerignore.ts";

export const build: Runner = async (p) => {
  const buildArgs: Record<string, string | null> = {};
  for (const a of list(p, "build-arg")) {
    const eq = a.indexOf("=");
    if (eq >= 0) buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
    else buildArgs[a] = process.env[a] ?? null;
  }
  const quiet = bool(p, "quiet");
  const query: Record<string, string | string[]> = {
    t: list(p, "tag"),
    buildargs: JSON.stringify(buildArgs),
    labels: JSON.stringify(keyValues(list(p, "label"))),
    q: quiet ? "1" : "0",
    nocache: bool(p, "no-cache") ? "1" : "0",
    pull: bool(p, "pull") ? "1" : "0",
    rm: p.flags.get("rm") === false ? "0" : "1",
    forcerm: bool(p, "force-rm") ? "1" : "0",
    extrahosts: list(p, "add-host"),
  };
  const opt = (k: string, v: string | undefined) => void (v && (query[k] = v));
  opt("target", str(p, "target"));
  opt("networkmode", str(p, "network"));
  opt("platform", str(p, "platform"));
  opt("shmsize", str(p, "shm-size"));
  const { body, dockerfile, cleanup } = contextStream(p.positionals[0]!, str(p, "file"));
  opt("dockerfile", dockerfile);
  try {
    const res = await getClient().request("POST", "/build", { query, headers: { "Content-Type": "application/x-tar" }, body });
    const id = await printStream(res, quiet, !!process.stdout.isTTY && !quiet);
    const iid = str(p, "iidfile");
    if (iid && id) writeFileSync(iid, id);
  } finally {
    cleanup();
  }
};

/** The context as a tar stream: the directory minus what .dockerignore excludes, plus a Dockerfile from elsewhere. */
function contextStream(path: string, file: string | undefined): { body: AsyncIterable<Uint8Array>; dockerfile?: string; cleanup(): void } {
  if (path === "-") {
    if (file === "-") throw new ExitError(1, "invalid argument: can't use stdin for both build context and dockerfile");
    return { body: Readable.toWeb(process.stdin) as unknown as AsyncIterable<Uint8Array>, dockerfile: file, cleanup() {} };
  }
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ExitError(1, `unable to prepare context: path "${path}" not found`);
  let dockerfile = file ?? "Dockerfile";
  let extra: { dir: string; name: string } | undefined;
  const tmp = mkdtempSync(join(tmpdir(), "wharf-build-"));
  const inside = file && file !== "-" ? relative(dir, resolve(file)) : dockerfile;
  if (file === "-" || inside.startsWith("..")) {
    // A Dockerfile from stdin or from outside the context goes in under a name of its own, as the docker CLI does it.
    const name = `.dockerfile.${randomBytes(10).toString("hex")}`;
    if (file === "-") writeFileSync(join(tmp, name), readFileSync(0));
    else copyFileSync(resolve(file!), join(tmp, name));
    extra = { dir: tmp, name };
    dockerfile = name;
  } else dockerfile = inside;
  if (!extra && !existsSync(join(dir, dockerfile))) throw new ExitError(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${join(dir, dockerfile)}: no such file or directory`);
  const ignoreFile = [join(dir, `${dockerfile}.dockerignore`), join(dir, ".dockerignore")].find((f) => existsSync(f));
  const rules = ignoreFile ? parseDockerignore(readFileSync(ignoreFile, "utf8")) : [];
  const keep = new Set([dockerfile, ".dockerignore", `${dockerfile}.dockerignore`]);
  const names: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(rel ? join(dir, rel) : dir).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const isDir = lstatSync(join(dir, r)).isDirectory();
      const skip = !keep.has(r) && ignored(rules, r);
      if (!skip) names.push(r);
      // An excluded directory is still walked: a `!` exception may keep something below it.
      if (isDir) walk(r);
    }
  };
  walk("");
  writeFileSync(join(tmp, "list"), names.map((n) => n + "\0").join(""));
  const args = ["-cf", "-", "--no-recursion", "-C", dir, "--null", "-T", join(tmp, "list")];
  if (extra) args.push("-C", extra.dir, extra.name);
  const tar = spawn("tar", args, { stdio: ["ignore", "pipe", "inherit"] });
  return { body: Readable.toWeb(tar.stdout) as unknown as AsyncIterable<Uint8Array>, dockerfile, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/**
 * Prints the build's messages; returns the image id from the aux message. Compact (a
 * terminal): one line per step, " (cached)" after a step the cache gave, the RUN
 * output, the result; the ` ---> id` and intermediate-container lines are left out.
 */
async function printStream(res: ApiResponse, quiet: boolean, compact: boolean): Promise<string | undefined> {
  if (res.statusCode >= 400) throw errorFromResponse(res.statusCode, await readAll(res));
  let id: string | undefined;
  let buf = "";
  // Compact: a step's line is printed; its newline waits to see whether the cache gave it.
  let stepOpen = false;
  let afterStep = false;
  const endStep = (suffix = "") => {
    if (!stepOpen) return;
    stepOpen = false;
    process.stdout.write(`${suffix}\n`);
  };
  const show = (text: string) => {
    if (!compact) return void process.stdout.write(text);
    if (/^Step \d+\/\d+ : /.test(text) && !text.endsWith("\n")) {
      endStep();
      process.stdout.write(text);
      afterStep = true;
      return;
    }
    const justStepped = afterStep;
    afterStep = false;
    if (text === "\n" && justStepped) {
      stepOpen = true;
      return;
    }
    if (text === " ---> Using cache\n") return endStep(" (cached)");
    if (/^ ---> |^Removing intermediate container /.test(text)) return endStep();
    endStep();
    process.stdout.write(text);
  };
  const handle = (line: string) => {
    if (!line.trim()) return;
    const m = JSON.parse(line) as { stream?: string; status?: string; id?: string; progressDetail?: { current?: number }; aux?: { ID?: string }; error?: string; errorDetail?: { code?: number; message?: string } };
    if (m.error) {
      endStep();
      throw new ExitError(m.errorDetail?.code ?? 1, m.errorDetail?.message ?? m.error);
    }
    if (m.aux?.ID) id = m.aux.ID;
    if (quiet) return;
    // A base image's pull: its status lines, not the byte counts.
    if (m.status !== undefined && m.stream === undefined) {
      if (m.progressDetail?.current !== undefined) return;
      endStep();
      process.stdout.write(`${m.id ? `${m.id}: ` : ""}${m.status}\n`);
      return;
    }
    if (m.stream !== undefined) show(m.stream);
  };
  const dec = new TextDecoder();
  for await (const c of res) {
    buf += dec.decode(c, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      handle(line);
    }
  }
  handle(buf);
  endStep();
  if (quiet && id) process.stdout.write(`${id}\n`);
  return id;
}
