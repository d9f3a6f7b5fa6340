// A container's network namespace, made by the daemon before the container starts and
// kept as a bind mount of the namespace file under the exec root (`ip netns` style), so
// it outlives the daemon and is found again after a restart.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { umount2 } from "../sys/libc.ts";
import { ipBatch, runCmd } from "./cmd.ts";
import { isFdShortage } from "../sys/fds.ts";

const MNT_DETACH = 2;

export interface Iface {
  /** Name inside the container: eth0, eth1, … */
  name: string;
  /** Host end of the veth pair. */
  hostVeth: string;
  bridge: string;
  mac: string;
  /** a.b.c.d/len */
  cidr: string;
  gateway?: string;
  mtu: number;
  /** IPv6 address (x::y/len) and default route, on EnableIPv6 networks. */
  cidr6?: string;
  gateway6?: string;
  /** Link-local addresses asked for (IPAMConfig.LinkLocalIPs), with their masks. */
  linkLocal?: string[];
}

/** `ip` lines giving an interface its addresses (no DAD: usable at once, as dockerd's). */
function addressLines(i: Iface): string[] {
  const lines = [`addr add ${i.cidr} dev ${i.name}`];
  if (i.cidr6) lines.push(`addr add ${i.cidr6} dev ${i.name} nodad`);
  for (const ll of i.linkLocal ?? []) lines.push(ll.includes(":") ? `addr add ${ll} dev ${i.name} nodad` : `addr add ${ll} dev ${i.name}`);
  return lines;
}

/**
 * Makes the namespace and configures it in one `ip -batch` run inside it (veth pairs are
 * created from inside, their host ends sent to the daemon's namespace), then enslaves
 * the host ends: two spawns per container.
 */
export async function createSandbox(path: string, ifaces: Iface[]): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, "");
  const self = `/proc/${process.pid}/ns/net`;
  const inside = ["link set lo up"];
  let defaultRoute: string | undefined;
  let defaultRoute6: string | undefined;
  for (const i of ifaces) {
    inside.push(`link add ${i.name} address ${i.mac} mtu ${i.mtu} type veth peer name ${i.hostVeth} mtu ${i.mtu} netns ${self}`, ...addressLines(i), `link set ${i.name} up`);
    if (i.gateway && !defaultRoute) defaultRoute = `route add default via ${i.gateway} dev ${i.name}`;
    if (i.gateway6 && !defaultRoute6) defaultRoute6 = `route add default via ${i.gateway6} dev ${i.name}`;
  }
  if (defaultRoute) inside.push(defaultRoute);
  if (defaultRoute6) inside.push(defaultRoute6);
  try {
    await ipBatch(inside, ["unshare", `--net=${path}`]);
    await ipBatch(ifaces.map((i) => `link set ${i.hostVeth} master ${i.bridge} up`));
  } catch (err) {
    await destroySandbox(path, ifaces.map((i) => i.hostVeth));
    throw err;
  }
}

/** Adds one interface to a running container's namespace (network connect). */
export async function addIface(path: string, i: Iface): Promise<void> {
  const self = `/proc/${process.pid}/ns/net`;
  await ipBatch(
    [`link add ${i.name} address ${i.mac} mtu ${i.mtu} type veth peer name ${i.hostVeth} mtu ${i.mtu} netns ${self}`, ...addressLines(i), `link set ${i.name} up`],
    ["nsenter", `--net=${path}`],
  );
  try {
    await ipBatch([`link set ${i.hostVeth} master ${i.bridge} up`]);
  } catch (err) {
    await runCmd(["ip", "link", "del", i.hostVeth]);
    throw err;
  }
}

export async function removeIface(hostVeth: string): Promise<void> {
  await runCmd(["ip", "link", "del", hostVeth]);
}

/** Deletes the host ends (and so the pairs) and releases the namespace. Idempotent. */
export async function destroySandbox(path: string, hostVeths: string[]): Promise<void> {
  if (hostVeths.length) await ipBatch(hostVeths.map((v) => `link del ${v}`)).catch(async (err) => {
    if (isFdShortage(err)) throw err; // the caller waits for descriptors and tries again
    for (const v of hostVeths) await runCmd(["ip", "link", "del", v]);
  });
  try {
    umount2(path, MNT_DETACH);
  } catch {}
  rmSync(path, { force: true });
}
