// The one table from error kind to HTTP status.
import { errorKind, errorMessage, type ErrorKind } from "../errors.ts";

const statusOf: Record<ErrorKind, number> = {
  notFound: 404,
  invalidParameter: 400,
  conflict: 409,
  notModified: 304,
  unauthorized: 401,
  forbidden: 403,
  notImplemented: 501,
  unavailable: 503,
  system: 500,
};

export function httpStatus(err: unknown): number {
  return statusOf[errorKind(err)];
}

export function errorBody(err: unknown): { message: string } {
  return { message: errorMessage(err) };
}
