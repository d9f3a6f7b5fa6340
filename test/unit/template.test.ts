import { describe, expect, it } from "vitest";
import { compileTemplate, goString } from "../../src/cli/render/template.ts";
import { renderTable, ellipsis } from "../../src/cli/render/table.ts";
import { formatList } from "../../src/cli/render/format.ts";
import { readFileSync } from "node:fs";

const inspect = JSON.parse(
  readFileSync(new URL("../../docs/reference/dockerd-20.10/container-inspect-running.json", import.meta.url), "utf8"),
);
const c = Array.isArray(inspect) ? inspect[0] : inspect;
const run = (src: string, data: unknown = c) => compileTemplate(src).execute(data);

describe("Go template subset", () => {
  it("reads fields and chains", () => {
    expect(run("{{.State.ExitCode}} {{.Name}}")).toBe(`${c.State.ExitCode} ${c.Name}`);
    expect(run("{{.State.Running}}")).toBe(String(c.State.Running));
  });
  it("json, index, len, join", () => {
    expect(JSON.parse(run("{{json .Config.Labels}}"))).toEqual(c.Config.Labels);
    expect(run('{{index .Config.Labels "app"}}')).toBe("demo");
    expect(run('{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}')).toBe("8080");
    expect(run("{{len .Config.Env}}")).toBe(String(c.Config.Env.length));
    expect(run('{{join .Config.Cmd " "}}')).toBe(c.Config.Cmd.join(" "));
  });
  it("if / else if / else, with, range with variables", () => {
    expect(run("{{if .State.Running}}up{{else}}down{{end}}")).toBe("up");
    expect(run('{{if eq .State.Status "exited"}}x{{else if eq .State.Status "running"}}r{{else}}?{{end}}')).toBe("r");
    expect(run("{{with .HostConfig.RestartPolicy}}{{.Name}}:{{.MaximumRetryCount}}{{end}}")).toBe("on-failure:3");
    expect(run("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}")).toBe("app=demo;");
    expect(run("{{range .Mounts}}{{.Source}}->{{.Destination}}{{end}}")).toBe("/tmp->/hosttmp");
    expect(run("{{range .Nothing}}x{{else}}empty{{end}}", {})).toBe("empty");
  });
  it("pipelines, printf, upper, trimming markers, $ and declarations", () => {
    expect(run("{{.Name | upper}}")).toBe(c.Name.toUpperCase());
    expect(run('{{printf "%s-%d" .Name .State.ExitCode}}')).toBe(`${c.Name}-0`);
    expect(run("a  {{- .State.Status -}}  b")).toBe("arunningb");
    expect(run("{{$n := .Name}}{{range .Mounts}}{{$n}}{{end}}")).toBe(c.Name);
    expect(run("{{range .Mounts}}{{$.Name}}{{end}}")).toBe(c.Name);
  });
  it("prints like Go's fmt", () => {
    expect(goString({ b: 1, a: "x" })).toBe("map[a:x b:1]");
    expect(goString(["a", "b"])).toBe("[a b]");
    expect(run("{{.Missing}}", {})).toBe("<no value>");
  });
  it("reports template errors clearly", () => {
    expect(() => compileTemplate("{{if .X}}")).toThrow(/want \{\{end\}\}/);
    expect(() => run("{{nosuchfunc .X}}", {})).toThrow(/function "nosuchfunc" not defined/);
    expect(() => compileTemplate("{{.X")).toThrow(/unclosed action/);
  });
});

describe("tables", () => {
  it("pads like docker's tabwriter (minwidth 10, padding 3)", () => {
    const ref = readFileSync(new URL("../../docs/reference/dockerd-20.10/docker-images.txt", import.meta.url), "utf8");
    const rows = ref.trimEnd().split("\n").map((l) => l.split(/ {2,}/));
    expect(renderTable(rows)).toBe(ref.replace(/\n?$/, "\n"));
  });
  it("table formats take a header from the column names", () => {
    const out = formatList("table {{.ID}}\\t{{.Name}}", [{ ID: "abc", Name: "web" }], { ID: "CONTAINER ID", Name: "NAMES" });
    expect(out).toBe("CONTAINER ID   NAMES\nabc            web\n");
  });
  it("cuts with an ellipsis as docker ps cuts a command", () => {
    const ps = readFileSync(new URL("../../docs/reference/dockerd-20.10/docker-ps.txt", import.meta.url), "utf8");
    const shown = `"${ellipsis("sh -c 'echo out; echo err >&2; exit 3'", 20)}"`;
    expect(ps).toContain(shown);
    expect(ellipsis("short", 20)).toBe("short");
  });
});
