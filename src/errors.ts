// Errors carry a kind; the one table that turns kinds into HTTP status lives in api/errors.ts.
export type ErrorKind =
  | "notFound"
  | "invalidParameter"
  | "conflict"
  | "notModified"
  | "unauthorized"
  | "forbidden"
  | "notImplemented"
  | "unavailable"
  | "system";

export class WharfError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "WharfError";
  }
}

export const notFound = (msg: string) => new WharfError("notFound", msg);
export const invalidParameter = (msg: string) => new WharfError("invalidParameter", msg);
export const conflict = (msg: string) => new WharfError("conflict", msg);
export const notModified = (msg = "") => new WharfError("notModified", msg);
export const forbidden = (msg: string) => new WharfError("forbidden", msg);
export const notImplemented = (msg: string) => new WharfError("notImplemented", msg);
export const unavailable = (msg: string) => new WharfError("unavailable", msg);
export const systemError = (msg: string, cause?: unknown) => new WharfError("system", msg, { cause });

export function errorKind(err: unknown): ErrorKind {
  return err instanceof WharfError ? err.kind : "system";
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
