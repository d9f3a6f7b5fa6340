// `wharf network VERB`: create, ls, inspect, rm, connect, disconnect, prune.
import { defineCommand } from "citty";
import { getClient } from "../context.ts";
import { bool, list, parseFlags, str, type FlagSpec } from "../flags.ts";
import { writeList } from "../render/format.ts";
import { errorMessage, WharfError } from "../../errors.ts";
import { confirm, filtersQuery, forEachRef, needArgs, shortId, keyValues } from "../common.ts";
import { inspect as inspectObjects } from "./inspect.ts";

const path = (ref: string) => `/networks/${encodeURIComponent(ref)}`;

const create = defineCommand({
  meta: { name: "create", description: "Create a network" },
  async run({ rawArgs }) {
    const specs: FlagSpec[] = [
      { name: "driver", short: "d", type: "string" },
      { name: "subnet", type: "list" },
      { name: "gateway", type: "list" },
      { name: "ip-range", type: "list" },
      { name: "internal", type: "bool" },
      { name: "attachable", type: "bool" },
      { name: "ipv6", type: "bool" },
      { name: "label", type: "list" },
      { name: "opt", short: "o", type: "list" },
      { name: "ipam-driver", type: "string" },
      { name: "ipam-opt", type: "list" },
    ];
    const p = parseFlags(rawArgs, specs, { stopAtPositional: false });
    needArgs("network create", p.positionals, 1, 1, "[OPTIONS] NETWORK");
    const subnets = list(p, "subnet");
    const gateways = list(p, "gateway");
    const ranges = list(p, "ip-range");
    const config = subnets.map((Subnet, i) => ({ Subnet, ...(gateways[i] ? { Gateway: gateways[i] } : {}), ...(ranges[i] ? { IPRange: ranges[i] } : {}) }));
    const r = await getClient().json("POST", "/networks/create", {
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
    process.stdout.write(`${r.Id}\n`);
  },
});

const ls = defineCommand({
  meta: { name: "ls", description: "List networks" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "quiet", short: "q", type: "bool" }, { name: "filter", short: "f", type: "list" }, { name: "format", type: "string" }, { name: "no-trunc", type: "bool" }], { stopAtPositional: false });
    const nets: any[] = await getClient().json("GET", "/networks", { query: { filters: filtersQuery(p) } });
    const trunc = !bool(p, "no-trunc");
    const rows = nets
      .sort((a, b) => (a.Name < b.Name ? -1 : 1))
      .map((n) => ({ ID: trunc ? shortId(n.Id) : n.Id, Name: n.Name, Driver: n.Driver, Scope: n.Scope, IPv6: String(n.EnableIPv6), Internal: String(n.Internal), Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","), CreatedAt: n.Created }));
    writeList(rows, { quiet: bool(p, "quiet"), format: str(p, "format"), headers: { ID: "NETWORK ID", Name: "NAME", Driver: "DRIVER", Scope: "SCOPE" }, cols: ["ID", "Name", "Driver", "Scope"] });
  },
});

const inspect = defineCommand({
  meta: { name: "inspect", description: "Display detailed information on one or more networks" },
  run: ({ rawArgs }) =>
    inspectObjects(rawArgs, {
      type: "network",
      command: "network inspect",
      usage: "[OPTIONS] NETWORK [NETWORK...]",
      flags: [{ name: "verbose", short: "v", type: "bool" }],
    }),
});

const rm = defineCommand({
  meta: { name: "rm", description: "Remove one or more networks" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "force", short: "f", type: "bool" }], { stopAtPositional: false });
    needArgs("network rm", p.positionals, 1, Infinity, "NETWORK [NETWORK...]");
    await forEachRef(
      p.positionals,
      async (ref) => {
        await getClient().json("DELETE", path(ref));
        process.stdout.write(`${ref}\n`);
      },
      // -f passes over networks that are not there.
      (err) => (bool(p, "force") && err instanceof WharfError && err.kind === "notFound" ? undefined : errorMessage(err)),
    );
  },
});

const connect = defineCommand({
  meta: { name: "connect", description: "Connect a container to a network" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "alias", type: "list" }, { name: "ip", type: "string" }, { name: "link", type: "list" }, { name: "driver-opt", type: "list" }], { stopAtPositional: false });
    needArgs("network connect", p.positionals, 2, 2, "[OPTIONS] NETWORK CONTAINER");
    const ip = str(p, "ip");
    await getClient().json("POST", `${path(p.positionals[0]!)}/connect`, {
      body: {
        Container: p.positionals[1],
        EndpointConfig: { Aliases: list(p, "alias"), Links: list(p, "link").length ? list(p, "link") : null, IPAMConfig: ip ? { IPv4Address: ip } : null, DriverOpts: keyValues(list(p, "driver-opt")) },
      },
    });
  },
});

const disconnect = defineCommand({
  meta: { name: "disconnect", description: "Disconnect a container from a network" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "force", short: "f", type: "bool" }], { stopAtPositional: false });
    needArgs("network disconnect", p.positionals, 2, 2, "[OPTIONS] NETWORK CONTAINER");
    await getClient().json("POST", `${path(p.positionals[0]!)}/disconnect`, { body: { Container: p.positionals[1], Force: bool(p, "force") } });
  },
});

const prune = defineCommand({
  meta: { name: "prune", description: "Remove all unused networks" },
  async run({ rawArgs }) {
    const p = parseFlags(rawArgs, [{ name: "force", short: "f", type: "bool" }, { name: "filter", type: "list" }], { stopAtPositional: false });
    if (!bool(p, "force")) await confirm("This will remove all custom networks not used by at least one container.");
    const r = await getClient().json("POST", "/networks/prune", { query: { filters: filtersQuery(p) } });
    const deleted: string[] = r.NetworksDeleted ?? [];
    if (deleted.length) process.stdout.write(`Deleted Networks:\n${deleted.join("\n")}\n\n`);
  },
});

export default defineCommand({
  meta: { name: "network", description: "Manage networks" },
  subCommands: { create, ls, list: ls, inspect, rm, remove: rm, connect, disconnect, prune },
});
