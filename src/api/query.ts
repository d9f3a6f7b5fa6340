// Query parameter parsing with Docker's rules and errors that name the parameter.
import { invalidParameter } from "../errors.ts";
import { checkJsonLimits } from "./jsonlimits.ts";

/** Docker's BoolValue: "", "0", "no", "false", "none" are false; anything else is true. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !["", "0", "no", "false", "none"].includes(v.trim().toLowerCase());
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidParameter(`invalid value for ${name}: ${v}: want an integer`);
  return Number(v);
}

export async function jsonBody(body: Buffer, what: string): Promise<{ [field: string]: unknown }> {
  if (body.length === 0) return {};
  checkJsonLimits(body, what);
  try {
    const v = JSON.parse(body.toString("utf8"));
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
    return v as { [field: string]: unknown };
  } catch (err) {
    throw invalidParameter(`invalid JSON in ${what}: ${(err as Error).message}`);
  }
}
