// top, diff, port, commit, export: the docker CLI's output for each.
import type { ContainerInspect } from "../../api/types/index.ts";
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { once } from "node:events";
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, list, str } from "../flags.ts";
import { ExitError } from "../exit.ts";

import { errorFromResponse, readAll } from "../../client/client.ts";
import { out } from "../output.ts";

const enc = encodeURIComponent;

/** Go's tabwriter as `docker top` sets it up: minwidth 20, padding 3. */
function topTable(rows: string[][]): string {
  const cols = Math.max(...rows.map((r) => r.length));
  const len = (s: string) => [...s].length;
  const w = Array.from({ length: cols - 1 }, (_, c) => Math.max(20, ...rows.map((r) => len(r[c] ?? "") + 3)));
  return rows.map((r) => r.map((cell, c) => (c < r.length - 1 ? cell + " ".repeat(w[c]! - len(cell)) : cell)).join("")).join("\n") + "\n";
}

export const top: Runner = async (p) => {
  const [ref, ...ps] = p.positionals;
  const r = await getClient().json<{ Titles: string[]; Processes: string[][] }>("GET", `/containers/${enc(ref!)}/top`, { query: { ps_args: ps.length ? ps.join(" ") : undefined } });
  out(topTable([r.Titles, ...(r.Processes ?? [])]));
};

const kinds = ["C", "A", "D"];

export const diff: Runner = async (p) => {
  const changes: { Path: string; Kind: number }[] = (await getClient().json("GET", `/containers/${enc(p.positionals[0]!)}/changes`)) ?? [];
  out(changes.map((c) => `${kinds[c.Kind] ?? "?"} ${c.Path}\n`).join(""));
};

function bindingText(b: { HostIp: string; HostPort: string }): string {
  const ip = b.HostIp || "0.0.0.0";
  return `${ip.includes(":") ? `[${ip}]` : ip}:${b.HostPort}`;
}

export const port: Runner = async (p) => {
  const [ref, want] = p.positionals as [string, string | undefined];
  const info = await getClient().json<ContainerInspect>("GET", `/containers/${enc(ref)}/json`);
  const ports = (info.NetworkSettings?.Ports ?? {}) as Record<string, { HostIp: string; HostPort: string }[] | null>;
  if (want) {
    const [num, proto = "tcp"] = want.split("/");
    if (!/^\d+$/.test(num!)) throw new ExitError(1, `Error: invalid port (${num}): strconv.ParseUint: parsing "${num}": invalid syntax`);
    const key = `${num}/${proto}`;
    const bindings = ports[key];
    if (!bindings?.length) throw new ExitError(1, `Error: No public port '${want}' published for ${ref}`);
    out(bindings.map((b) => bindingText(b) + "\n").join(""));
    return;
  }
  out(portLines(ports).join(""));
};

/** `docker port CONTAINER`: each binding as `80/tcp -> 0.0.0.0:8080`, ports in numeric order. */
export function portLines(ports: Record<string, { HostIp: string; HostPort: string }[] | null>): string[] {
  const keys = Object.keys(ports).sort((a, b) => {
    const [pa, qa] = a.split("/");
    const [pb, qb] = b.split("/");
    return Number(pa) - Number(pb) || (qa ?? "").localeCompare(qb ?? "");
  });
  const lines: string[] = [];
  for (const k of keys) for (const b of ports[k] ?? []) lines.push(`${k} -> ${bindingText(b)}\n`);
  return lines;
}

/** `repo[:tag]`: the tag is what follows the last colon after the last slash. */
export function splitRepoTag(s: string): { repo: string; tag?: string } {
  const at = s.lastIndexOf(":");
  if (at > s.lastIndexOf("/")) return { repo: s.slice(0, at), tag: s.slice(at + 1) };
  return { repo: s };
}

export const commit: Runner = async (p) => {
  const [ref, name] = p.positionals as [string, string | undefined];
  const rt = name ? splitRepoTag(name) : undefined;
  const pause = p.flags.has("pause") ? bool(p, "pause") : true;
  const client = getClient();
  const qs = new URLSearchParams();
  qs.set("container", ref);
  if (rt) qs.set("repo", rt.repo);
  if (rt?.tag) qs.set("tag", rt.tag);
  if (str(p, "message")) qs.set("comment", str(p, "message")!);
  if (str(p, "author")) qs.set("author", str(p, "author")!);
  qs.set("pause", pause ? "1" : "0");
  for (const c of list(p, "change")) qs.append("changes", c);
  // The client's request() takes a flat query; repeated `changes` go in the path.
  const r = await client.json<{ Id: string }>("POST", `/commit?${qs}`, { body: {} });
  out(`${r.Id}\n`);
};

export const exportCmd: Runner = async (p) => {
  const out = str(p, "output");
  if (!out && process.stdout.isTTY) throw new ExitError(1, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  const res = await getClient().request("GET", `/containers/${enc(p.positionals[0]!)}/export`);
  if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
  if (!out) {
    for await (const chunk of res) if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
    return;
  }
  // Written beside the target and renamed, so a failed export leaves no half file.
  const tmp = `${out}.wharf-tmp-${process.pid}`;
  const w = createWriteStream(tmp);
  try {
    for await (const chunk of res) if (!w.write(chunk)) await once(w, "drain");
    await new Promise<void>((r, j) => w.end((e?: Error | null) => (e ? j(e) : r())));
    renameSync(tmp, out);
  } catch (err) {
    w.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
};
