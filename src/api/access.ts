// Checks every request passes before routing: on TCP a Host header (HTTP/1.1 requires one),
// no browser (an Origin header, or a Host naming something other than this machine:
// DNS rebinding), and a JSON Content-Type where an endpoint reads a JSON body, with
// dockerd's CheckForJSON message. A web page can then neither send a "simple" CORS
// request (text/plain) nor reach the API through a name it controls.
import { hostname } from "node:os";
import { forbidden, invalidParameter } from "../errors.ts";
import { maxJsonBody, tooLarge } from "./jsonlimits.ts";

/** Endpoints whose body dockerd decodes as JSON after CheckForJSON. */
const jsonEndpoints: RegExp[] = [
  /^\/containers\/create$/,
  /^\/containers\/[^/]+\/update$/,
  /^\/containers\/[^/]+\/exec$/,
  /^\/exec\/[^/]+\/start$/,
  /^\/networks\/create$/,
  /^\/networks\/[^/]+\/(connect|disconnect)$/,
  /^\/volumes\/create$/,
  /^\/commit$/,
];

export interface RequestFacts {
  method: string;
  /** Without the /vX.Y prefix. */
  path: string;
  headers: Record<string, string | string[]>;
  /** The request carries body bytes (Content-Length > 0 or chunked). */
  hasBody: boolean;
  httpMinor: number;
  /** The listener it came in on. */
  listener: { proto: "unix" | "tcp" | "fd"; addr: string; inet?: boolean };
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function checkRequest(r: RequestFacts): void {
  const host = one(r.headers.host);
  // A unix socket is out of a browser's reach; only TCP (bound or passed by systemd)
  // needs the Host checks.
  const tcp = r.listener.proto === "tcp" || r.listener.inet === true;
  if (!tcp) {
    // nothing to check
  } else if (host === undefined || host === "") {
    if (r.httpMinor >= 1) throw invalidParameter("missing required Host header");
  } else if (!allowedHost(host, r.listener.proto === "tcp" ? r.listener.addr : "")) {
    throw forbidden(`Host ${JSON.stringify(host)} is not this daemon's: requests through another name (DNS rebinding from a web page) are refused`);
  }
  if (one(r.headers.origin) !== undefined) {
    throw forbidden("requests from a web browser (with an Origin header) are refused: the API gives root on this host");
  }
  if (r.method === "POST" && jsonEndpoints.some((e) => e.test(r.path))) {
    checkForJSON(one(r.headers["content-type"]), r.hasBody);
    const length = Number(one(r.headers["content-length"]) ?? 0);
    if (length > maxJsonBody) throw tooLarge("the request body", length);
  }
}

/** dockerd's httputils.CheckForJSON. */
export function checkForJSON(contentType: string | undefined, hasBody: boolean): void {
  if ((contentType === undefined || contentType === "") && !hasBody) return;
  const ct = contentType ?? "";
  const media = ct.split(";", 1)[0]!.trim().toLowerCase();
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(media)) {
    throw invalidParameter(`malformed Content-Type header (${ct}): mime: no media type`);
  }
  if (media !== "application/json") throw invalidParameter(`unsupported Content-Type header (${ct}): must be 'application/json'`);
}

/** An IP literal, a localhost name, this machine's name, or the name the listener was given. */
function allowedHost(host: string, listenerAddr: string): boolean {
  const name = hostPart(host).toLowerCase();
  if (name === "") return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":")) return true; // IPv4, or IPv6 (was bracketed)
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (name === hostname().toLowerCase()) return true;
  return name === hostPart(listenerAddr).toLowerCase();
}

function hostPart(hostPort: string): string {
  if (hostPort.startsWith("[")) return hostPort.slice(1, hostPort.indexOf("]") >>> 0);
  const i = hostPort.lastIndexOf(":");
  return i >= 0 && hostPort.indexOf(":") === i ? hostPort.slice(0, i) : hostPort;
}
