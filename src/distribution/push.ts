// docker push (filled in next).
import { notImplemented } from "../errors.ts";
import type { AuthConfig } from "./auth.ts";
import type { ProgressOut } from "./progress.ts";
import type { DistributionContext } from "./pull.ts";

export interface PreparedPush {
  run(out: ProgressOut, signal?: AbortSignal): Promise<void>;
}

export async function preparePush(_ctx: DistributionContext, _name: string, _tag: string | undefined, _auth: AuthConfig): Promise<PreparedPush> {
  throw notImplemented("push is not implemented yet");
}
