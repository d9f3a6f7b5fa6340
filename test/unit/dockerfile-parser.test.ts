import { describe, expect, it } from "vitest";
import { parseInstructions, type Instruction } from "../../src/builder/dockerfile/instructions.ts";
import { DockerfileError } from "../../src/builder/dockerfile/parser.ts";
import { processWord, processWords } from "../../src/builder/dockerfile/lex.ts";

const parse = (s: string) => parseInstructions(s);
const cmds = (s: string): Instruction[] => parse(s).stages.flatMap((st) => st.commands);
const errorOf = (s: string): string => {
  try {
    parse(s);
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileError);
    return (err as Error).message;
  }
  throw new Error("no error");
};

describe("Dockerfile parser", () => {
  it("reads every instruction with its line", () => {
    const df = parse(`# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM --platform=linux/amd64 \${BASE} AS build
MAINTAINER someone <a@b>
RUN echo hi
RUN ["echo", "exec"]
CMD ["sh"]
ENTRYPOINT echo x
ENV A=1 B="two words"
ENV OLD style value
LABEL a=b "c d"=e
EXPOSE 80 443/udp
VOLUME ["/data", "/logs"]
VOLUME /one /two
USER 1000:1000
WORKDIR /app
COPY --chown=1:2 --chmod=0755 --link a b /dst/
ADD --checksum=sha256:abc x.tar /opt/
SHELL ["/bin/bash", "-c"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/
ONBUILD RUN echo later
FROM scratch
COPY --from=build --exclude=*.tmp --parents /out /
`);
    expect(df.syntax).toBe("docker/dockerfile:1");
    expect(df.metaArgs).toEqual([{ name: "BASE", value: "busybox" }]);
    expect(df.stages.map((s) => [s.name, s.base, s.platform, s.line])).toEqual([
      ["build", "${BASE}", "linux/amd64", 3],
      [undefined, "scratch", undefined, 23],
    ]);
    const c = df.stages[0]!.commands;
    expect(c.map((i) => i.kind)).toEqual([
      "MAINTAINER", "RUN", "RUN", "CMD", "ENTRYPOINT", "ENV", "ENV", "LABEL", "EXPOSE", "VOLUME", "VOLUME",
      "USER", "WORKDIR", "COPY", "ADD", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD",
    ]);
    expect(c[1]).toMatchObject({ kind: "RUN", cmd: ["echo hi"], shellForm: true, line: 5 });
    expect(c[2]).toMatchObject({ cmd: ["echo", "exec"], shellForm: false });
    expect(c[5]).toMatchObject({ pairs: [["A", "1"], ["B", '"two words"']] });
    expect(c[6]).toMatchObject({ pairs: [["OLD", "style value"]] });
    expect(c[7]).toMatchObject({ pairs: [["a", "b"], ['"c d"', "e"]] });
    expect(c[8]).toMatchObject({ ports: ["80", "443/udp"] });
    expect(c[9]).toMatchObject({ paths: ["/data", "/logs"] });
    expect(c[10]).toMatchObject({ paths: ["/one", "/two"] });
    expect(c[13]).toMatchObject({ kind: "COPY", srcs: ["a", "b"], dest: "/dst/", chown: "1:2", chmod: "0755", link: true });
    expect(c[14]).toMatchObject({ kind: "ADD", srcs: ["x.tar"], checksum: "sha256:abc" });
    expect(c[15]).toMatchObject({ shell: ["/bin/bash", "-c"] });
    expect(c[17]).toMatchObject({ health: { test: ["CMD-SHELL", "curl -f http://x/"], intervalNs: 5e9, retries: 3 } });
    expect(c[18]).toMatchObject({ expression: "RUN echo later" });
    expect(df.stages[1]!.commands[0]).toMatchObject({ from: "build", exclude: ["*.tmp"], parents: true, srcs: ["/out"], dest: "/" });
  });

  it("joins continuations, drops comments inside them, and keeps the original for the Step line", () => {
    const c = cmds("FROM busybox\nRUN echo a \\\n# a comment\n  && echo b\n\n# c\nCMD x\n");
    expect(c[0]).toMatchObject({ kind: "RUN", cmd: ["echo a   && echo b"], line: 2, original: "RUN echo a   && echo b" });
    expect(c[1]).toMatchObject({ kind: "CMD", line: 7 });
  });

  it("honours the escape directive", () => {
    const df = parse("# escape=`\nFROM busybox\nRUN echo a `\n  b\nCOPY a\\b c\n");
    expect(df.escape).toBe("`");
    expect(df.stages[0]!.commands[0]).toMatchObject({ cmd: ["echo a   b"] });
    expect(df.stages[0]!.commands[1]).toMatchObject({ srcs: ["a\\b"] });
  });

  it("reads heredocs for RUN and COPY", () => {
    const c = cmds("FROM busybox\nRUN <<EOF\necho one\necho two\nEOF\nCOPY <<-\"END\" /f.txt\n\tliteral $X\n\tEND\nRUN echo after\n");
    expect(c[0]).toMatchObject({ kind: "RUN", heredocs: [{ name: "EOF", content: "echo one\necho two\n", expand: true }] });
    expect(c[1]).toMatchObject({ kind: "COPY", srcs: [], contents: [{ name: "END", data: "literal $X\n", expand: false }], dest: "/f.txt" });
    expect(c[2]).toMatchObject({ kind: "RUN", cmd: ["echo after"], line: 9 });
  });

  it("reads RUN --mount and --network", () => {
    const c = cmds("FROM busybox\nRUN --mount=type=cache,target=/root/.cache,id=c1,sharing=locked --mount=type=tmpfs,target=/t --mount=type=bind,source=x,target=/x,rw --network=none echo\n");
    expect(c[0]).toMatchObject({
      network: "none",
      mounts: [
        { type: "cache", target: "/root/.cache", id: "c1", sharing: "locked", readonly: false },
        { type: "tmpfs", target: "/t" },
        { type: "bind", source: "x", target: "/x", readonly: false },
      ],
    });
  });

  it("fails with the line and Docker's wording", () => {
    expect(errorOf("FROM busybox\nNOTANINSTRUCTION foo\n")).toBe("dockerfile parse error line 2: unknown instruction: NOTANINSTRUCTION");
    expect(errorOf("FROM busybox\n\nfoo bar\n")).toBe("dockerfile parse error line 3: unknown instruction: FOO");
    expect(errorOf("RUN echo\n")).toBe("dockerfile parse error line 1: no build stage in current context");
    expect(errorOf("FROM a b\n")).toBe("dockerfile parse error line 1: FROM requires either one or three arguments");
    expect(errorOf("FROM a AS 1x\n")).toMatch(/line 1: invalid name for build stage: "1x"/);
    expect(errorOf("FROM a\nCOPY x\n")).toMatch(/^dockerfile parse error line 2: COPY requires at least two arguments/);
    expect(errorOf("FROM a\nENV A\n")).toBe("dockerfile parse error line 2: ENV must have two arguments");
    expect(errorOf("FROM a\nENV A=1 B\n")).toMatch(/line 2: Syntax error - can't find = in "B"/);
    expect(errorOf("FROM a\nSHELL sh -c\n")).toBe("dockerfile parse error line 2: SHELL requires the arguments to be in JSON form");
    expect(errorOf("FROM a\nCOPY --bogus=1 a b\n")).toBe("dockerfile parse error line 2: Unknown flag: bogus");
    expect(errorOf("FROM a\nRUN --mount=type=nfs,target=/x true\n")).toMatch(/line 2: unsupported mount type "nfs"/);
    expect(errorOf("FROM a\nONBUILD ONBUILD RUN x\n")).toMatch(/line 2: Chaining ONBUILD/);
    expect(errorOf("FROM a\nHEALTHCHECK --interval=1 CMD x\n")).toMatch(/line 2: time: invalid duration "1"/);
    expect(errorOf("FROM a\nRUN <<EOF\necho\n")).toBe("dockerfile parse error line 2: unterminated heredoc: EOF");
    expect(errorOf("# comment\n")).toMatch(/file with no instructions/);
  });
});

describe("variable substitution", () => {
  const env = new Map([["A", "x"], ["E", ""], ["SP", "a b"]]);
  it("expands $V, ${V} and the modifiers", () => {
    expect(processWord("$A-${A}", env).word).toBe("x-x");
    expect(processWord("${B:-def}|${E:-def}|${E-def}", env).word).toBe("def|def|");
    expect(processWord("${A:+alt}|${E:+alt}|${E+alt}|${B+alt}", env).word).toBe("alt||alt|");
    expect(processWord("${B:-${A}y}", env).word).toBe("xy");
    expect(() => processWord("${B:?must be set}", env)).toThrow(/B: must be set/);
  });
  it("removes quotes and honours escapes", () => {
    expect(processWord(`'$A' "$A" \\$A "a\\"b"`, env).word).toBe(`$A x $A a"b`);
    expect(processWord("$", env).word).toBe("$");
    expect(processWords(`$SP "c d" e`, env).words).toEqual(["a", "b", "c d", "e"]);
  });
  it("trims and replaces as the newer frontend does (#, ##, %, %%, /, //)", () => {
    const e = new Map([["P", "a/b/c.tar.gz"]]);
    expect(processWord("${P#*/}|${P##*/}|${P%.*}|${P%%.*}", e).word).toBe("b/c.tar.gz|c.tar.gz|a/b/c.tar|a/b/c");
    expect(processWord("${P/\\//-}|${P//\\//-}|${P/x/y}", e).word).toBe("a-b/c.tar.gz|a-b-c.tar.gz|a/b/c.tar.gz");
  });
  it("records the names it read", () => {
    expect([...processWord("${A}${B:-1}", env).used]).toEqual(["A", "B"]);
  });
});

describe("config steps", async () => {
  const { applyConfigStep, emptyConfig } = await import("../../src/builder/config-steps.ts");
  const apply = (line: string, env: [string, string][] = []) => {
    const ins = cmds(`FROM x\n${line}\n`)[0]!;
    return applyConfigStep(ins, { ...emptyConfig(), Env: env.map(([k, v]) => `${k}=${v}`) }, new Map(env), "\\", new Set(), false)!;
  };
  it("ENV pairs see the values from before the instruction, and history reads as Docker's", () => {
    const r = apply("ENV abc=bye def=$abc", [["abc", "hello"]]);
    expect(r.config.Env).toEqual(["abc=bye", "def=hello"]);
    expect(r.comment).toBe("ENV abc=bye def=hello");
  });
  it("CMD and ENTRYPOINT comments quote as Go's %q of a slice; ENTRYPOINT drops an inherited CMD", () => {
    expect(apply('CMD ["world"]').comment).toBe('CMD ["world"]');
    expect(apply("CMD echo hi").config.Cmd).toEqual(["/bin/sh", "-c", "echo hi"]);
    const ep = apply('ENTRYPOINT ["/bin/sh", "/x.sh"]');
    expect(ep.comment).toBe('ENTRYPOINT ["/bin/sh" "/x.sh"]');
    expect(ep.config.Cmd).toBeNull();
    expect(apply("EXPOSE 8080").comment).toBe("EXPOSE 8080/tcp");
    expect(apply("VOLUME /app/data").comment).toBe("VOLUME [/app/data]");
  });
});
