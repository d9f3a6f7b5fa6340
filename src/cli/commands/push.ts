// wharf push: POST /images/{name}/push with the stored credentials, progress per layer.
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { showProgress } from "../progress.ts";
import { registryAuthHeader } from "../auth.ts";
import { familiarName } from "../../image/reference.ts";
import { parseRef } from "./pull.ts";

export const push: Runner = async (p) => {
  const ref = parseRef(p.positionals[0]!);
  const allTags = bool(p, "all-tags");
  if (!ref.tag && !allTags && !bool(p, "quiet")) process.stdout.write("Using default tag: latest\n");
  const tag = allTags ? undefined : (ref.tag ?? "latest");
  const res = await getClient().request("POST", `/images/${encodeURIComponent(familiarName(ref))}/push`, {
    query: { tag, platform: str(p, "platform") },
    headers: { "X-Registry-Auth": registryAuthHeader(ref.domain) },
  });
  // docker push -q discards the stream: only errors and the name.
  await showProgress(res, { silent: bool(p, "quiet") });
  if (bool(p, "quiet")) process.stdout.write(`${p.positionals[0]}\n`);
};
