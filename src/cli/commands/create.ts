import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { buildCreateRequest, type CreateRequest } from "../runopts.ts";
import { ExitError } from "../exit.ts";
import { WharfError } from "../../errors.ts";
import type { Client } from "../../client/client.ts";
import { out, err } from "../output.ts";
import { bool, str } from "../flags.ts";
import { familiarString, parseNormalized, withDefaultTag, type Reference } from "../../image/reference.ts";
import { pullImage } from "./pull.ts";

/** Failures exit 125 under `run` (docker's convention) and 1 under `create`; docker 28's words. */
export const runFailure = (code: number, message: string) =>
  code === 1 ? message : `wharf: ${message}\n\nRun 'wharf run --help' for more information`;

type PullPolicy = "always" | "missing" | "never";

function pullPolicy(req: CreateRequest, failCode: number): PullPolicy {
  const v = str(req.parsed, "pull") ?? "missing";
  if (v === "always" || v === "missing" || v === "never") return v;
  // docker 28 refuses it as a flag error of the command: 125 for create too.
  const cmd = failCode === 1 ? "create" : "run";
  throw new ExitError(125, `wharf: invalid pull option: '${v}': must be one of "always", "missing" or "never"\n\nRun 'wharf ${cmd} --help' for more information`);
}

/** The image as a name with its default tag (undefined for an image id, which is never pulled). */
function namedImage(image: string): Reference | undefined {
  // As docker: only a full id is not a name (a short hex string is one, and gets pulled).
  if (/^(sha256:)?[0-9a-f]{64}$/.test(image)) return undefined;
  try {
    return withDefaultTag(parseNormalized(image));
  } catch {
    return undefined;
  }
}

/** As docker's CLI: the pull's progress on stderr, bars when stderr is a terminal; nothing with -q. */
async function pullFor(req: CreateRequest, ref: Reference, failCode: number): Promise<void> {
  const quiet = bool(req.parsed, "quiet");
  try {
    await pullImage(ref, { platform: req.platform, out: process.stderr, quiet });
  } catch (e) {
    if (e instanceof WharfError) throw new ExitError(failCode, runFailure(failCode, e.message));
    if (e instanceof ExitError && e.message) throw new ExitError(failCode, runFailure(failCode, e.message));
    throw e;
  }
}

export async function createContainer(client: Client, req: CreateRequest, failCode = 125): Promise<string> {
  const policy = pullPolicy(req, failCode);
  const ref = namedImage(String(req.body.Image));
  const call = () => client.json<{ Id: string; Warnings: string[] | null }>("POST", "/containers/create", { query: { name: req.name, platform: req.platform }, body: req.body });
  try {
    if (policy === "always" && ref) await pullFor(req, ref, failCode);
    let r;
    try {
      r = await call();
    } catch (e) {
      if (!(e instanceof WharfError && e.kind === "notFound" && /No such image/.test(e.message) && ref && policy === "missing")) throw e;
      if (!bool(req.parsed, "quiet")) err(`Unable to find image '${familiarString(ref)}' locally\n`);
      await pullFor(req, ref, failCode);
      r = await call();
    }
    for (const w of r.Warnings ?? []) err(`WARNING: ${w}\n`);
    return r.Id as string;
  } catch (e) {
    if (e instanceof WharfError) throw new ExitError(failCode, runFailure(failCode, e.message));
    throw e;
  }
}

export const create: Runner = async (p) => {
  const id = await createContainer(getClient(), buildCreateRequest(p), 1);
  out(`${id}
`);
};
