// Volume names as Docker's local driver accepts them. A name becomes a directory under
// the data root, so anything else (`/`, `..`) must be refused before it reaches a path.
import { randomBytes } from "node:crypto";
import { invalidParameter } from "../errors.ts";

const validName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export const anonymousLabel = "com.docker.volume.anonymous";

export function isValidVolumeName(name: string): boolean {
  return validName.test(name);
}

/** Docker's message for a bad local volume name (`create ../x: …`). */
export function checkVolumeName(name: string): void {
  if (isValidVolumeName(name)) return;
  throw invalidParameter(
    `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
  );
}

export function anonymousName(): string {
  return randomBytes(32).toString("hex");
}
