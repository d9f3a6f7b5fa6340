// `wharf network VERB`: create, ls, inspect, rm, connect, disconnect, prune.
import type { Network } from "../../api/types/index.ts";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, list, str } from "../flags.ts";
import { writeList } from "../render/format.ts";
import { errorMessage, WharfError } from "../../errors.ts";
import { confirm, filtersQuery, forEachRef, shortId, keyValues } from "../common.ts";
import { inspect as inspectObjects } from "./inspect.ts";
import { out } from "../output.ts";

const path = (ref: string) => `/networks/${encodeURIComponent(ref)}`;

export const create: Runner = async (p) => {
  const subnets = list(p, "subnet");
  const gateways = list(p, "gateway");
  const ranges = list(p, "ip-range");
  const config = subnets.map((Subnet, i) => ({ Subnet, ...(gateways[i] ? { Gateway: gateways[i] } : {}), ...(ranges[i] ? { IPRange: ranges[i] } : {}) }));
  const r = await getClient().json<{ Id: string; Warning: string }>("POST", "/networks/create", {
    body: {
      Name: p.positionals[0],
      CheckDuplicate: true,
      Driver: str(p, "driver") ?? "bridge",
      Internal: bool(p, "internal"),
      Attachable: bool(p, "attachable"),
      EnableIPv6: bool(p, "ipv6"),
      IPAM: { Driver: str(p, "ipam-driver") ?? "default", Config: config, Options: keyValues(list(p, "ipam-opt")) },
      Options: keyValues(list(p, "opt")),
      Labels: keyValues(list(p, "label")),
    },
  });
  out(`${r.Id}\n`);
};

export const ls: Runner = async (p) => {
  const nets = await getClient().json<(Network & { Id: string; Name: string })[]>("GET", "/networks", { query: { filters: filtersQuery(p) } });
  const trunc = !bool(p, "no-trunc");
  const rows = nets
    .sort((a, b) => (a.Name < b.Name ? -1 : 1))
    .map((n) => ({ ID: trunc ? shortId(n.Id) : n.Id, Name: n.Name, Driver: n.Driver, Scope: n.Scope, IPv6: String(n.EnableIPv6), Internal: String(n.Internal), Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","), CreatedAt: n.Created }));
  writeList(rows, { quiet: bool(p, "quiet"), format: str(p, "format"), headers: { ID: "NETWORK ID", Name: "NAME", Driver: "DRIVER", Scope: "SCOPE" }, cols: ["ID", "Name", "Driver", "Scope"] });
};

export const inspect: Runner = (p) => inspectObjects(p, "network");

export const rm: Runner = async (p) => {
  await forEachRef(
    p.positionals,
    async (ref) => {
      await getClient().json("DELETE", path(ref));
      out(`${ref}\n`);
    },
    // -f passes over networks that are not there.
    (err) => (bool(p, "force") && err instanceof WharfError && err.kind === "notFound" ? undefined : errorMessage(err)),
  );
};

export const connect: Runner = async (p) => {
  const ip = str(p, "ip");
  await getClient().json("POST", `${path(p.positionals[0]!)}/connect`, {
    body: {
      Container: p.positionals[1],
      EndpointConfig: { Aliases: list(p, "alias"), Links: list(p, "link").length ? list(p, "link") : null, IPAMConfig: ip ? { IPv4Address: ip } : null, DriverOpts: keyValues(list(p, "driver-opt")) },
    },
  });
};

export const disconnect: Runner = async (p) => {
  await getClient().json("POST", `${path(p.positionals[0]!)}/disconnect`, { body: { Container: p.positionals[1], Force: bool(p, "force") } });
};

export const prune: Runner = async (p) => {
  if (!bool(p, "force")) await confirm("This will remove all custom networks not used by at least one container.");
  const r = await getClient().json<{ NetworksDeleted: string[] | null }>("POST", "/networks/prune", { query: { filters: filtersQuery(p) } });
  const deleted: string[] = r.NetworksDeleted ?? [];
  if (deleted.length) out(`Deleted Networks:\n${deleted.join("\n")}\n\n`);
};

