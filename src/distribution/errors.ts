// Registry failures in Docker's words. A registry answers errors as
// `{"errors":[{"code":"MANIFEST_UNKNOWN","message":…}]}`; Go's errcode prints one as
// `manifest unknown: <message>`, and dockerd's pull wraps the codes that mean "not there"
// into the sentences users know.
import { WharfError, type ErrorKind } from "../errors.ts";

export interface RegistryErrorItem {
  code: string;
  message: string;
}

export class RegistryError extends WharfError {
  constructor(
    kind: ErrorKind,
    message: string,
    readonly status: number,
    readonly items: RegistryErrorItem[],
  ) {
    super(kind, message);
  }

  get code(): string {
    return this.items[0]?.code ?? "";
  }
}

export function describeItem(e: RegistryErrorItem): string {
  const code = e.code.toLowerCase().replaceAll("_", " ");
  return e.message ? `${code}: ${e.message}` : code;
}

const statusText: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  416: "Requested Range Not Satisfiable", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout",
};

export function statusLine(status: number): string {
  return `${status} ${statusText[status] ?? ""}`.trim();
}

/** Reads an error answer's body into a RegistryError (the body is consumed). */
export async function registryError(res: Response): Promise<RegistryError> {
  let text = "";
  try {
    text = await res.text();
  } catch {}
  let items: RegistryErrorItem[] = [];
  try {
    const j = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    items = (j.errors ?? []).map((e) => ({ code: String(e.code ?? "UNKNOWN"), message: typeof e.message === "string" ? e.message : "" }));
  } catch {}
  if (!items.length && res.status === 401) items = [{ code: "UNAUTHORIZED", message: text.trim() || "authentication required" }];
  if (!items.length && res.status === 403) items = [{ code: "DENIED", message: text.trim() || "requested access to the resource is denied" }];
  const message = items.length ? items.map(describeItem).join(", ") : `received unexpected HTTP status: ${statusLine(res.status)}`;
  return new RegistryError(res.status === 404 ? "notFound" : "system", message, res.status, items);
}

/** A request that got no answer (refused, reset, timed out), or could not be signed. */
export class TransportError extends WharfError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super("system", message);
  }
}

/** A transport failure as Go's http client prints it: `Head "url": reason`. */
export function transportError(method: string, url: string, reason: string): WharfError {
  return new TransportError(`${method[0]}${method.slice(1).toLowerCase()} "${url}": ${reason}`, reason);
}

/**
 * dockerd's retryOnError for uploads: a lost connection or a registry error other than
 * "not allowed" is worth another attempt; missing credentials and answers without an
 * error code are not.
 */
export function uploadRetryable(e: unknown): boolean {
  if (e instanceof TransportError) return e.reason !== "no basic auth credentials";
  if (e instanceof RegistryError) {
    const code = e.items[0]?.code;
    return !!code && !["UNAUTHORIZED", "UNSUPPORTED", "DENIED", "TOOMANYREQUESTS", "NAME_UNKNOWN"].includes(code);
  }
  return false;
}
