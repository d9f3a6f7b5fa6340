// docker pull -a (fromImage without a tag): every tag the registry lists, pulled one
// after another as dockerd's pullRepository does. A tag that fails is skipped (dockerd
// logs it and goes on); one `Status:` line for the repository ends the stream.
import { familiarString, type Reference } from "../image/reference.ts";
import type { AuthConfig } from "./auth.ts";
import type { RegistrySession } from "./client.ts";
import { registryError } from "./errors.ts";
import { sessionFor, type DistributionContext } from "./pull.ts";
import { preparePullAnywhere } from "./mirrors.ts";
import { translatePullError } from "./resolve.ts";
import { status, type ProgressOut } from "./progress.ts";
import { logger } from "../log.ts";

const log = logger("distribution");

/** GET /v2/NAME/tags/list, following `Link: <…>; rel="next"` pages. */
export async function listTags(s: RegistrySession, repo: string): Promise<string[]> {
  const tags: string[] = [];
  let path: string | null = `/v2/${repo}/tags/list`;
  while (path) {
    const res = await s.request(path, { repo, actions: ["pull"] });
    if (!res.ok) throw await registryError(res);
    const j = (await res.json()) as { tags?: string[] | null };
    tags.push(...(j.tags ?? []));
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get("link") ?? "");
    path = next ? next[1]! : null;
  }
  return tags;
}

export interface PreparedPullAll {
  run(out: ProgressOut, signal?: AbortSignal): Promise<void>;
}

export async function preparePullAll(ctx: DistributionContext, repo: Reference, platform: string | undefined, auth: AuthConfig): Promise<PreparedPullAll> {
  const s = sessionFor(ctx, repo.domain, auth);
  let tags: string[];
  try {
    tags = await listTags(s, repo.path);
  } catch (e) {
    throw translatePullError(e, repo);
  }
  return {
    run: async (out, signal) => {
      let downloaded = false;
      const perTag: ProgressOut = (m) => {
        if (m.status?.startsWith("Status: ")) {
          downloaded ||= m.status.startsWith("Status: Downloaded newer image");
          return;
        }
        out(m);
      };
      for (const tag of tags) {
        if (signal?.aborted) break;
        try {
          const p = await preparePullAnywhere(ctx, { ref: { ...repo, tag }, platform, auth });
          await p.run(perTag, signal);
        } catch (e) {
          if (signal?.aborted) throw e;
          log.warn(`pull ${familiarString({ ...repo, tag })}: ${(e as Error).message}`);
        }
      }
      out(status(`Status: ${downloaded ? "Downloaded newer image" : "Image is up to date"} for ${familiarString(repo)}`));
    },
  };
}
