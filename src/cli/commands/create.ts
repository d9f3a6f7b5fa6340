import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { buildCreateRequest, type CreateRequest } from "../runopts.ts";
import { ExitError } from "../exit.ts";
import { WharfError } from "../../errors.ts";
import type { Client } from "../../client/client.ts";
import { out, err } from "../output.ts";

/** Failures exit 125 under `run` (docker's convention) and 1 under `create`; docker 28's words. */
export const runFailure = (code: number, message: string) =>
  code === 1 ? message : `wharf: ${message}\n\nRun 'wharf run --help' for more information`;

export async function createContainer(client: Client, req: CreateRequest, failCode = 125): Promise<string> {
  try {
    const r = await client.json("POST", "/containers/create", { query: { name: req.name, platform: req.platform }, body: req.body });
    for (const w of r.Warnings ?? []) err(`WARNING: ${w}\n`);
    return r.Id as string;
  } catch (err) {
    if (err instanceof WharfError && err.kind === "notFound" && /No such image/.test(err.message)) {
      const ref = String(req.body.Image);
      const shown = ref.includes(":") || ref.includes("@") ? ref : `${ref}:latest`;
      throw new ExitError(failCode, `Unable to find image '${shown}' locally\n${runFailure(failCode, err.message)}`);
    }
    if (err instanceof WharfError) throw new ExitError(failCode, runFailure(failCode, err.message));
    throw err;
  }
}

export const create: Runner = async (p) => {
  const id = await createContainer(getClient(), buildCreateRequest(p), 1);
  out(`${id}
`);
};
