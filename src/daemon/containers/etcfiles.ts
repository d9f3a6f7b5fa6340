// /etc/hosts and /etc/resolv.conf as Docker writes them for a container.
import { readFileSync, writeFileSync } from "node:fs";
import { hostname as hostHostname } from "node:os";
import type { HostConfig } from "../../api/types/index.ts";
import type { Container, ContainerRecord } from "../../container/container.ts";
import { withDefaultDns } from "./daemon-defaults.ts";

/** The container's own hostname, hosts and resolv.conf, bound over /etc at start. */
export function writeEtcFiles(rec: ContainerRecord, paths: Container["paths"]): void {
  const hostname = rec.Config.Hostname as string;
  const host = rec.HostConfig.NetworkMode === "host";
  writeFileSync(paths.hostnamePath, `${host ? hostHostname() : hostname}\n`);
  const extra = (rec.HostConfig.ExtraHosts ?? []).map((h: string) => h.replace(/:host-gateway$/, `:${hostGatewayIp}`));
  const ep = rec.NetRuntime?.endpoints?.[0];
  writeFileSync(paths.hostsPath, hostsFile(hostname, rec.Config.Domainname ?? "", extra, host, ep?.ip, ep?.ip6));
  writeFileSync(paths.resolvConfPath, resolvConf(withDefaultDns(rec.HostConfig), host, rec.NetRuntime?.dns));
}

/** What `host-gateway` in --add-host stands for: the default bridge's gateway (set by the network controller). */
let hostGatewayIp = "";
export function setHostGateway(ip: string): void {
  hostGatewayIp = ip;
}

export function hostsFile(hostname: string, domainname: string, extraHosts: string[], hostNetwork: boolean, ip?: string, ip6?: string): string {
  if (hostNetwork) {
    try {
      return readFileSync("/etc/hosts", "utf8");
    } catch {}
  }
  const lines = [
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "ff00::0\tip6-mcastprefix",
    "ff02::1\tip6-allnodes",
    "ff02::2\tip6-allrouters",
  ];
  for (const h of extraHosts) {
    // name:address, the address maybe IPv6 (`db:fd00::5`): a name has no colon.
    const i = h.indexOf(":");
    if (i > 0) lines.push(`${h.slice(i + 1)}\t${h.slice(0, i)}`);
  }
  const names = `${domainname ? `${hostname}.${domainname} ` : ""}${hostname}`;
  if (ip) lines.push(`${ip}\t${names}`);
  if (ip6) lines.push(`${ip6}\t${names}`);
  return lines.join("\n") + "\n";
}

/** The host's resolv.conf, minus loopback resolvers a container cannot reach, plus --dns*. */
export function resolvConf(hc: HostConfig, hostNetwork: boolean, embeddedDns?: string): string {
  let host = "";
  try {
    host = readFileSync("/etc/resolv.conf", "utf8");
  } catch {}
  const lines = host.split("\n");
  let servers = lines.filter((l) => /^\s*nameserver\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]!);
  let search = lines.filter((l) => /^\s*search\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
  let options = lines.filter((l) => /^\s*options\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
  if (!hostNetwork) servers = servers.filter((s) => !/^127\.|^::1$/.test(s));
  // Docker's fallback when only loopback resolvers were left (a file is written, nothing sent).
  if (!hostNetwork && !servers.length) servers = ["8.8.8.8", "8.8.4.4"];
  if (hc.Dns?.length) servers = hc.Dns;
  if (hc.DnsSearch?.length) search = hc.DnsSearch;
  if (hc.DnsOptions?.length) options = hc.DnsOptions;
  // User networks: the daemon's resolver on the gateway answers container names and relays the rest.
  if (embeddedDns) {
    servers = [embeddedDns];
    if (!hc.DnsOptions?.length) options = ["ndots:0", ...options.filter((o) => !o.startsWith("ndots:"))];
  }
  const out = [
    ...(search.length ? [`search ${search.join(" ")}`] : []),
    ...servers.map((s) => `nameserver ${s}`),
    ...(options.length ? [`options ${options.join(" ")}`] : []),
  ];
  return out.join("\n") + "\n";
}
