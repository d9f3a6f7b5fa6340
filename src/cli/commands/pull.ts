// wharf pull: POST /images/create with the stored credentials, its progress rendered
// per layer; then the full reference, as the docker CLI prints it. `run` and `create`
// pull a missing image through the same call, rendering to stderr.
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { showProgress } from "../progress.ts";
import { registryAuthHeader } from "../auth.ts";
import { familiarName, parseNormalized, referenceString, type Reference } from "../../image/reference.ts";

export function parseRef(name: string): Reference {
  try {
    return parseNormalized(name);
  } catch (err) {
    throw new ExitError(1, `invalid reference format: ${(err as Error).message}`);
  }
}

export interface PullOptions {
  platform?: string;
  quiet?: boolean;
  /** Where the progress goes (stdout for `pull`, stderr for `run`). */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Whether to draw bars (docker asks the stream it writes to). */
  terminal?: boolean;
}

/** Pulls a reference; without tag or digest every tag of the repository (`-a`). */
export async function pullImage(ref: Reference, o: PullOptions = {}): Promise<void> {
  const res = await getClient().request("POST", "/images/create", {
    query: { fromImage: familiarName(ref), tag: ref.digest ?? ref.tag ?? "", platform: o.platform },
    headers: { "X-Registry-Auth": registryAuthHeader(ref.domain) },
  });
  await showProgress(res, { silent: o.quiet, out: o.out, terminal: o.terminal });
}

export const pull: Runner = async (p) => {
  const ref = parseRef(p.positionals[0]!);
  const allTags = bool(p, "all-tags");
  if (allTags && (ref.tag || ref.digest)) throw new ExitError(1, "tag can't be used with --all-tags/-a");
  const quiet = bool(p, "quiet");
  if (!ref.tag && !ref.digest && !allTags) {
    ref.tag = "latest";
    if (!quiet) process.stdout.write("Using default tag: latest\n");
  }
  await pullImage(ref, { platform: str(p, "platform"), quiet });
  process.stdout.write(`${referenceString(ref)}\n`);
};
