import type { Runner } from "../tree.ts";
import { str } from "../flags.ts";
import { getClient } from "../context.ts";
import { kvBlock } from "../render/kv.ts";
import { apiVersion, gitCommit, wharfVersion } from "../../version.ts";
import { goArch } from "../../sys/host.ts";
import { formatOne } from "../render/format.ts";

export const version: Runner = async (p) => {
  const format = str(p, "format");
  if (format) {
    const server = await getClient().json("GET", "/version");
    const clientInfo = { Version: wharfVersion, ApiVersion: apiVersion, GitCommit: gitCommit, Os: "linux", Arch: goArch() };
    process.stdout.write(formatOne(format, { Client: clientInfo, Server: { ...server, APIVersion: server.ApiVersion } }));
    return;
  }
  const client = [
    ` Version:           ${wharfVersion}`,
    ` API version:       ${apiVersion}`,
    ` Git commit:        ${gitCommit}`,
    ` OS/Arch:           linux/${goArch()}`,
  ];
  process.stdout.write(`Client: wharf\n${client.join("\n")}\n\n`);
  const v = await getClient().json("GET", "/version");
  const lines = [`Server: ${v.Platform?.Name ?? ""}`];
  for (const c of v.Components ?? []) {
    lines.push(` ${c.Name}:`);
    if (c.Name === "Engine") {
      lines.push(
        kvBlock(
          [
            ["Version", c.Version],
            ["API version", `${v.ApiVersion} (minimum version ${v.MinAPIVersion})`],
            ["Git commit", v.GitCommit],
            ["Built", v.BuildTime],
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
  process.stdout.write(lines.join("\n") + "\n");
};
