import type { Runner } from "../command.ts";
import { str } from "../flags.ts";
import { localDate, prepareLocalZone } from "../localtime.ts";
import { getClient } from "../context.ts";
import { kvBlock } from "../render/kv.ts";
import { apiVersion, buildTime, gitCommit, wharfVersion } from "../../version.ts";
import { formatOne } from "../render/format.ts";
import { out } from "../output.ts";

/** Go's time.ANSIC in local time (`Fri Dec  4 14:34:42 2026`), as the docker CLI shows build times. */
/** GOARCH for this process (node:os is not loaded for so little). */
const goArch = () => ({ x64: "amd64", arm64: "arm64", ia32: "386" } as Record<string, string>)[process.arch] ?? process.arch;

export function ansic(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  const t = localDate(ms);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][t.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][t.getUTCMonth()];
  const two = (n: number) => String(n).padStart(2, "0");
  return `${day} ${month} ${String(t.getUTCDate()).padStart(2, " ")} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ${t.getUTCFullYear()}`;
}

/** GET /version as the daemon answers it (what the text form prints). */
interface VersionAnswer {
  Platform?: { Name?: string };
  Components?: { Name: string; Version: string; Details?: Record<string, string> }[];
  ApiVersion: string;
  MinAPIVersion: string;
  GoVersion?: string;
  GitCommit: string;
  BuildTime: string;
  Os: string;
  Arch: string;
}

export const version: Runner = async (p) => {
  const format = str(p, "format");
  if (format) {
    const server = await getClient().json<VersionAnswer>("GET", "/version");
    const clientInfo = { Version: wharfVersion, ApiVersion: apiVersion, GitCommit: gitCommit, Os: "linux", Arch: goArch() };
    out(formatOne(format, { Client: clientInfo, Server: { ...server, APIVersion: server.ApiVersion } }, { structOrder: true }));
    return;
  }
  const [v, negotiated] = await Promise.all([getClient().json<VersionAnswer>("GET", "/version"), getClient().apiVersion(), prepareLocalZone()]);
  const client = kvBlock(
    [
      ["Version", wharfVersion],
      ["API version", negotiated === apiVersion ? apiVersion : `${negotiated} (downgraded from ${apiVersion})`],
      ["Go version", `bun ${Bun.version}`],
      ["Git commit", gitCommit],
      ...(buildTime ? [["Built", ansic(buildTime)] as [string, string]] : []),
      ["OS/Arch", `linux/${goArch()}`],
      ["Context", "default"],
    ],
    " ",
    19,
  );
  out(`Client:\n${client}\n\n`);
  const lines = [`Server:${v.Platform?.Name ? ` ${v.Platform.Name}` : ""}`];
  for (const c of v.Components ?? []) {
    lines.push(` ${c.Name}:`);
    if (c.Name === "Engine") {
      lines.push(
        kvBlock(
          [
            ["Version", c.Version],
            ["API version", `${v.ApiVersion} (minimum version ${v.MinAPIVersion})`],
            ...(v.GoVersion ? [["Go version", v.GoVersion] as [string, string]] : []),
            ["Git commit", v.GitCommit],
            ["Built", ansic(v.BuildTime)],
            ["OS/Arch", `${v.Os}/${v.Arch}`],
            ["Experimental", c.Details?.Experimental ?? "false"],
          ],
          "  ",
        ),
      );
    } else {
      lines.push(kvBlock([["Version", c.Version], ...Object.entries(c.Details ?? {}).map(([k, d]) => [k, String(d)] as [string, string])], "  "));
    }
  }
  out(lines.join("\n") + "\n");
};
