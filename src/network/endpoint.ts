// Endpoint settings as dockerd keeps them in NetworkSettings.Networks: what a create or
// connect request asked for (kept as given until start), and the checks dockerd makes
// of a request body before acting on it.
import type { EndpointSettings } from "../api/types/index.ts";
import { invalidParameter } from "../errors.ts";
import { emptyEndpoint } from "../container/container.ts";

/** A requested EndpointSettings as dockerd stores it before the endpoint exists. */
export function requestedEndpoint(given: EndpointSettings | null | undefined): EndpointSettings {
  const g: EndpointSettings = given ?? {};
  return {
    ...emptyEndpoint(),
    IPAMConfig: g.IPAMConfig ?? null,
    Links: g.Links ?? null,
    Aliases: g.Aliases ?? null,
    MacAddress: g.MacAddress ?? "",
    NetworkID: g.NetworkID ?? "",
    DriverOpts: g.DriverOpts ?? null,
  };
}

/** What a start leaves in an entry once the endpoint is gone (dockerd's cleanOperationalData). */
export const operationalBlank = { EndpointID: "", Gateway: "", IPAddress: "", IPPrefixLen: 0, IPv6Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0, MacAddress: "", DNSNames: null };

/** Docker's DNSNames: name, aliases, short id, hostname, without repeats. */
export function dnsNames(name: string, id: string, hostname: string | undefined, aliases: string[] | null | undefined): string[] {
  return [...new Set([name, ...(aliases ?? []), id.slice(0, 12), ...(hostname ? [hostname] : [])])];
}

/** `db:database` → [db, database]; `db` → [db, db]. */
export function parseLinkSpec(s: string): [name: string, alias: string] {
  const [name = "", alias] = s.split(":");
  return [name.replace(/^\//, ""), (alias ?? name).replace(/^\//, "")];
}

type GoKind = "string" | "number" | "bool" | "array" | "object";

function goKind(v: unknown): GoKind {
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  return "object";
}

/**
 * dockerd decodes the create body into Go types; a field of the wrong JSON type fails
 * the whole request with encoding/json's message.
 */
export function checkCreateTypes(body: { [field: string]: unknown }): void {
  const fail = (v: unknown, field: string, type: string) => {
    throw invalidParameter(`invalid JSON: json: cannot unmarshal ${goKind(v)} into Go struct field NetworkCreateRequest.${field} of type ${type}`);
  };
  const stringMap = (field: string, v: unknown) => {
    if (v === null || v === undefined) return;
    if (typeof v !== "object" || Array.isArray(v)) fail(v, field, "map[string]string");
    for (const x of Object.values(v as Record<string, unknown>)) if (typeof x !== "string") fail(x, field, "string");
  };
  if (body.Name !== undefined && body.Name !== null && typeof body.Name !== "string") fail(body.Name, "Name", "string");
  if (body.Driver !== undefined && body.Driver !== null && typeof body.Driver !== "string") fail(body.Driver, "Driver", "string");
  stringMap("Labels", body.Labels);
  stringMap("Options", body.Options);
  for (const f of ["Internal", "Attachable", "Ingress", "EnableIPv6", "CheckDuplicate", "ConfigOnly"]) {
    const v = body[f];
    if (v !== undefined && v !== null && typeof v !== "boolean") fail(v, f, f === "EnableIPv6" ? "*bool" : "bool");
  }
  if (body.IPAM !== undefined && body.IPAM !== null) {
    if (typeof body.IPAM !== "object" || Array.isArray(body.IPAM)) fail(body.IPAM, "IPAM", "network.IPAM");
    const ipam = body.IPAM as { Options?: unknown; Config?: unknown };
    stringMap("IPAM.Options", ipam.Options);
    if (ipam.Config !== undefined && ipam.Config !== null && !Array.isArray(ipam.Config)) fail(ipam.Config, "IPAM.Config", "[]network.IPAMConfig");
  }
}
