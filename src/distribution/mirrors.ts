// dockerd's pullEndpoints: a Docker Hub name is tried at each --registry-mirror first,
// then at the origin. Any failure at a mirror (no answer, an error, a blob that does not
// verify) moves on to the next endpoint; the origin's failure is the pull's. A pull
// that fails leaves nothing behind (pull.ts), so starting over elsewhere is safe.
import { logger } from "../log.ts";
import { endpointsFor } from "./endpoint.ts";
import { sweepStalePartials } from "./partial.ts";
import { preparePull, type DistributionContext, type PreparedPull, type PullParams } from "./pull.ts";

const log = logger("distribution");

export async function preparePullAnywhere(ctx: DistributionContext, p: PullParams): Promise<PreparedPull> {
  sweepStalePartials(ctx.partialDir);
  const eps = endpointsFor(p.ref.domain, ctx.options);
  const from = async (i: number): Promise<PreparedPull> => {
    const ep = eps[i]!;
    const next = i + 1 < eps.length && ep.mirror;
    let prepared: PreparedPull;
    try {
      prepared = await preparePull(ctx, { ...p, endpoint: ep });
    } catch (e) {
      if (!next || p.signal?.aborted) throw e;
      log.info(`Attempting next endpoint for pull after error: ${(e as Error).message}`);
      return from(i + 1);
    }
    if (!next) return prepared;
    return {
      resolved: prepared.resolved,
      run: async (out, signal) => {
        try {
          return await prepared.run(out, signal);
        } catch (e) {
          if (signal?.aborted) throw e;
          log.info(`Attempting next endpoint for pull after error: ${(e as Error).message}`);
          const other = await from(i + 1);
          return other.run(out, signal);
        }
      },
    };
  };
  return from(0);
}
