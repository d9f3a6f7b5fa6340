// wharf pull: POST /images/create with the stored credentials, its progress rendered
// per layer; then the full reference, as the docker CLI prints it.
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

export const pull: Runner = async (p) => {
  const ref = parseRef(p.positionals[0]!);
  const allTags = bool(p, "all-tags");
  if (allTags && (ref.tag || ref.digest)) throw new ExitError(1, "tag can't be used with --all-tags/-a");
  const quiet = bool(p, "quiet");
  if (!ref.tag && !ref.digest && !allTags) {
    ref.tag = "latest";
    if (!quiet) process.stdout.write("Using default tag: latest\n");
  }
  const res = await getClient().request("POST", "/images/create", {
    query: { fromImage: familiarName(ref), tag: ref.digest ?? ref.tag, platform: str(p, "platform") },
    headers: { "X-Registry-Auth": registryAuthHeader(ref.domain) },
  });
  await showProgress(res, { quiet });
  if (!allTags) process.stdout.write(`${referenceString(ref)}\n`);
};
