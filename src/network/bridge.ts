// Linux bridges: made once per network, marked with the owning daemon's data root (the
// interface alias) so a daemon never takes over another daemon's bridge.
import { readFileSync, writeFileSync } from "node:fs";
import { conflict } from "../errors.ts";
import { ipBatch, runCmd } from "./cmd.ts";

export function ownerMark(dataRoot: string): string {
  return `wharf:${dataRoot}`;
}

export async function linkAlias(name: string): Promise<string | undefined | null> {
  const r = await runCmd(["ip", "-j", "link", "show", "dev", name]);
  if (r.code !== 0) return undefined; // no such device
  try {
    const [l] = JSON.parse(r.stdout) as { ifalias?: string }[];
    return l?.ifalias ?? null;
  } catch {
    return null;
  }
}

/** Creates (or takes back) the bridge with its gateway address, up, MTU set. */
export async function ensureBridge(name: string, gatewayCidr: string, mtu: number, owner: string): Promise<void> {
  const alias = await linkAlias(name);
  if (alias !== undefined && alias !== owner) {
    throw conflict(`bridge ${name} already exists and is not this daemon's (${alias ? `owned by ${alias}` : "not made by wharf"}): choose another name with --bridge`);
  }
  const lines = alias === undefined ? [`link add ${name} type bridge`] : [];
  lines.push(`link set dev ${name} alias "${owner}"`, `link set dev ${name} mtu ${mtu}`);
  // Taken back after a restart with containers still on it: keep a right address as it is.
  if (alias === undefined || (await addresses(name)).join(" ") !== gatewayCidr) lines.push(`addr flush dev ${name}`, `addr add ${gatewayCidr} dev ${name}`);
  lines.push(`link set dev ${name} up`);
  await ipBatch(lines);
  // 127.0.0.1:port reaches published ports through DNAT to this bridge.
  sysctl(`net/ipv4/conf/${name}/route_localnet`, "1");
}

/** Gives an EnableIPv6 network's bridge its IPv6 gateway address (kept when already there). */
export async function ensureBridge6(name: string, gatewayCidr6: string): Promise<void> {
  sysctl(`net/ipv6/conf/${name}/disable_ipv6`, "0");
  const have = await addresses(name, "-6");
  if (have.includes(gatewayCidr6)) return;
  await ipBatch([`addr add ${gatewayCidr6} dev ${name} nodad`]);
}

/** Whether the kernel has IPv6 and it is not switched off. */
export function ipv6Available(): boolean {
  try {
    return readFileSync("/proc/sys/net/ipv6/conf/all/disable_ipv6", "utf8").trim() === "0";
  } catch {
    return false;
  }
}

async function addresses(name: string, family = "-4"): Promise<string[]> {
  const r = await runCmd(["ip", "-j", family, "addr", "show", "dev", name]);
  try {
    return (JSON.parse(r.stdout) as { addr_info?: { local: string; prefixlen: number }[] }[]).flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
  } catch {
    return [];
  }
}

export async function deleteBridge(name: string, owner: string): Promise<void> {
  if ((await linkAlias(name)) !== owner) return;
  await runCmd(["ip", "link", "del", name]);
}

/** Bridges this daemon made (by their alias), for the sweep at start. */
export async function ownedBridges(owner: string): Promise<string[]> {
  const r = await runCmd(["ip", "-j", "link", "show", "type", "bridge"]);
  if (r.code !== 0) return [];
  try {
    return (JSON.parse(r.stdout) as { ifname: string; ifalias?: string }[]).filter((l) => l.ifalias === owner).map((l) => l.ifname);
  } catch {
    return [];
  }
}

export function sysctl(key: string, value: string): void {
  const path = `/proc/sys/${key}`;
  try {
    if (readFileSync(path, "utf8").trim() === value) return;
    writeFileSync(path, value);
  } catch {}
}

/** The host's IPv4 routes (destinations), so IPAM can avoid them. */
export async function hostRoutes(exceptDevs: string[] = []): Promise<string[]> {
  const r = await runCmd(["ip", "-j", "-4", "route", "show", "table", "all"]);
  if (r.code !== 0) return [];
  try {
    return (JSON.parse(r.stdout) as { dst: string; type?: string; dev?: string }[])
      .filter((x) => x.dst && x.dst !== "default" && (!x.type || x.type === "unicast") && !exceptDevs.includes(x.dev ?? ""))
      .map((x) => (x.dst.includes("/") ? x.dst : `${x.dst}/32`));
  } catch {
    return [];
  }
}
