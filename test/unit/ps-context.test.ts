// `ps` rows as the docker CLI's ContainerContext renders them.
import { describe, expect, it } from "vitest";
import { PsRow, displayablePorts, humanSize3 } from "../../src/cli/render/pscontext.ts";
import { formatList } from "../../src/cli/render/format.ts";
import { compileTemplate } from "../../src/cli/render/template.ts";

const summary = {
  Id: "b7d2b8f7b8e3645bc667889db753080b865cca7d2e4a084e552d2b5960d41ddd",
  Names: ["/db", "/web/database"],
  Image: "sha256:d6240d91e29b57d92ecfc072547b2b6040f720aa305090ac7ead11b0457dfeec",
  Command: "sh -c 'echo out; echo err >&2; exit 3'",
  Created: 1795417988,
  Ports: [
    { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 8080, Type: "tcp" },
    { IP: "::", PrivatePort: 80, PublicPort: 8080, Type: "tcp" },
  ],
  SizeRw: 12,
  SizeRootFs: 4_261_000,
  Labels: { "com.example.app": "demo" },
  State: "exited",
  Status: "Exited (3) 2 seconds ago",
  NetworkSettings: { Networks: { bridge: {}, alpha: {} } },
  Mounts: [{ Type: "volume", Name: "a-rather-long-volume-name", Source: "/x", Driver: "local" }, { Type: "bind", Source: "/tmp" }],
};

describe("ps rows", () => {
  it("renders the reference's texts", () => {
    const r = new PsRow(summary, true);
    expect(r.ID).toBe("b7d2b8f7b8e3");
    expect(r.Image).toBe("d6240d91e29b");
    expect(r.Command).toBe('"sh -c \'echo out; ec…"');
    expect(r.Ports).toBe("0.0.0.0:8080->80/tcp, [::]:8080->80/tcp");
    expect(r.Names).toBe("db");
    expect(new PsRow(summary, false).Names).toBe("db,web/database");
    expect(r.Size).toBe("12B (virtual 4.26MB)");
    expect(r.Networks).toBe("alpha,bridge");
    expect(r.Mounts).toBe("a-rather-long-…,/tmp");
    expect(r.LocalVolumes).toBe("1");
    expect(r.CreatedAt).toBe("2026-11-23 07:13:08 +0000 UTC");
    expect(r.Label("com.example.app")).toBe("demo");
    expect(Object.keys(JSON.parse(JSON.stringify(r)))).toEqual([
      "Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names", "Networks", "Platform", "Ports", "RunningFor",
      "Size", "State", "Status",
    ]);
  });

  it("groups consecutive ports as the docker CLI does", () => {
    const p = (PrivatePort: number, Type = "tcp", IP?: string, PublicPort?: number) => ({ PrivatePort, Type, IP, PublicPort });
    // A closed range is printed at once, open ones at the end in first-seen order: the CLI's quirk.
    expect(displayablePorts([p(81), p(80), p(82), p(53, "udp"), p(90)])).toBe("80-82/tcp, 53/udp, 90/tcp");
    expect(displayablePorts([p(80, "tcp", "0.0.0.0", 80), p(81, "tcp", "0.0.0.0", 81)])).toBe("0.0.0.0:80-81->80-81/tcp");
    expect(displayablePorts([])).toBe("");
    expect(humanSize3(0)).toBe("0B");
    expect(humanSize3(12_345)).toBe("12.3kB");
    expect(humanSize3(4_261_000)).toBe("4.26MB");
  });

  it("calls methods with arguments in templates and heads their columns", () => {
    const rows = [new PsRow(summary, true)];
    expect(compileTemplate('{{.Label "com.example.app"}} {{.Names}}').execute(rows[0])).toBe("demo db");
    expect(formatList('table {{.ID}}\t{{.Label "com.example.app"}}', rows, { ID: "CONTAINER ID" })).toBe(
      "CONTAINER ID   app\nb7d2b8f7b8e3   demo\n",
    );
    expect(formatList("{{json .}}", rows, {})).toContain('"Names":"db"');
  });
});
