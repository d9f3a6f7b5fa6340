// The wharf CLI's pull (-a, -q, --platform) and run/create pulling a missing image
// (--pull always|missing|never), each checked side by side with the real docker CLI
// doing the same against the same wharf daemon: the words must be the same (with
// "wharf" for "docker"); on a terminal both draw one line per layer, rewritten in place.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, startDaemon, wharf, type TestDaemon } from "../helpers/daemon.ts";
import { busyboxArchive, busyboxLayerTar, makeImage, multilayerArchive, putManifest, seed, startRegistry, type TestRegistry } from "../helpers/registry.ts";
import { buildTar } from "../helpers/tarbuild.ts";
import { Tmux } from "../helpers/tmux.ts";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ok(r: Run): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const asDocker = (s: string) => s.replaceAll("wharf", "docker");

describe("wharf pull and run against a loopback registry, beside the docker CLI", () => {
  let reg: TestRegistry;
  let d: TestDaemon;
  const w = (args: string[]) => wharf(args, { DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config") });
  const both = (args: string[], reset: () => void): { docker: Run; wharf: Run } => {
    reset();
    const a = docker(d, args);
    reset();
    const b = w(args);
    return { docker: a, wharf: b };
  };
  const rmi = (...refs: string[]) => () => {
    for (const r of refs) docker(d, ["rmi", "-f", r]);
  };
  const ids = () => ok(docker(d, ["images", "-aq", "--no-trunc"])).split("\n").filter(Boolean);
  const clean = () => {
    for (const id of new Set(ids())) docker(d, ["rmi", "-f", id]);
  };

  beforeAll(async () => {
    reg = await startRegistry();
    seed(reg, busyboxArchive, "bb:1");
    seed(reg, busyboxArchive, "bb:2");
    seed(reg, busyboxArchive, "bb:latest");
    seed(reg, multilayerArchive, "multilayer:1.0");
    const base = busyboxLayerTar();
    const amd = await makeImage(reg, "multi", null, [base, buildTar([{ name: "arch.txt", data: "amd64\n" }])], { platform: { os: "linux", architecture: "amd64" } });
    const arm = await makeImage(reg, "multi", null, [base, buildTar([{ name: "arch.txt", data: "arm64\n" }])], {
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    });
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: amd.manifestDigest, size: amd.size, platform: { os: "linux", architecture: "amd64" } },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: arm.manifestDigest, size: arm.size, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      ],
    };
    await putManifest(reg, "multi", "1", index, index.mediaType);
    d = await startDaemon();
  });
  afterAll(async () => {
    const cs = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
    if (cs.length) docker(d, ["rm", "-f", ...cs]);
    await d?.cleanup();
    await reg?.stop();
  });

  it("pull -a pulls every tag with docker's lines; -q prints only the reference", () => {
    const repo = `${reg.host}/bb`;
    const all = both(["pull", "-a", repo], rmi(`${repo}:1`, `${repo}:2`, `${repo}:latest`));
    expect(all.wharf).toEqual(all.docker);
    expect(all.wharf.stdout).toContain(`Status: Downloaded newer image for ${repo}\n${repo}\n`);
    for (const t of ["1", "2", "latest"]) {
      expect(all.wharf.stdout).toContain(`${t}: Pulling from bb`);
      expect(ok(w(["image", "inspect", "-f", "{{.Id}}", `${repo}:${t}`]))).toMatch(/^sha256:/);
    }
    const again = both(["pull", "-a", repo], () => {});
    expect(again.wharf).toEqual(again.docker);
    expect(again.wharf.stdout).toContain(`Status: Image is up to date for ${repo}\n`);

    const quiet = both(["pull", "-q", `${repo}:1`], rmi(`${repo}:1`, `${repo}:2`, `${repo}:latest`));
    expect(quiet.wharf).toEqual(quiet.docker);
    expect(quiet.wharf.stdout).toBe(`${repo}:1\n`);
    const quietAll = both(["pull", "-qa", repo], rmi(`${repo}:1`, `${repo}:2`, `${repo}:latest`));
    expect(quietAll.wharf).toEqual(quietAll.docker);

    const tagged = both(["pull", "-a", `${repo}:1`], () => {});
    expect(tagged.wharf.code).toBe(1);
    expect(tagged.wharf.stderr).toContain("tag can't be used with --all-tags/-a");
  });

  it("pull --platform picks the index entry, and names an absent platform as docker does", () => {
    const ref = `${reg.host}/multi:1`;
    const arm = both(["pull", "--platform", "linux/arm64", ref], rmi(ref));
    expect(arm.wharf).toEqual(arm.docker);
    expect(ok(w(["image", "inspect", "-f", "{{.Architecture}}/{{.Variant}}", ref]))).toBe("arm64/v8\n");
    const host = both(["pull", ref], rmi(ref));
    expect(host.wharf).toEqual(host.docker);
    expect(ok(w(["image", "inspect", "-f", "{{.Architecture}}", ref]))).toBe("amd64\n");
    const none = both(["pull", "--platform", "linux/s390x", ref], () => {});
    expect(none.wharf.code).toBe(1);
    expect(none.wharf.stderr).toBe(none.docker.stderr);
    expect(none.wharf.stderr).toContain("no matching manifest for linux/s390x in the manifest list entries");
  });

  it("run of a missing image: Unable to find image … locally, the pull on stderr, then the container", () => {
    const repo = `${reg.host}/bb`;
    const r = both(["run", "--rm", repo, "echo", "ran"], clean);
    expect(r.wharf).toEqual(r.docker);
    expect(r.wharf.stdout).toBe("ran\n");
    expect(r.wharf.stderr).toMatch(new RegExp(`^Unable to find image '${repo}:latest' locally\nlatest: Pulling from bb\n`));
    expect(r.wharf.stderr).toContain(`: Pull complete\n`);
    expect(r.wharf.stderr).toContain(`Status: Downloaded newer image for ${repo}:latest\n`);

    // -q: nothing of the pull.
    const q = both(["run", "-q", "--rm", repo, "echo", "quiet"], rmi(`${repo}:latest`));
    expect(q.wharf).toEqual(q.docker);
    expect(q.wharf).toEqual({ code: 0, stdout: "quiet\n", stderr: "" });

    // create pulls too, and prints only the id on stdout.
    docker(d, ["rmi", `${repo}:latest`]);
    const c = w(["create", repo, "true"]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(c.stderr).toContain(`Unable to find image '${repo}:latest' locally`);
    ok(w(["rm", c.stdout.trim()]));
  });

  it("--pull never fails on a missing image in docker's words; always pulls a present one; bad values refused", () => {
    const repo = `${reg.host}/bb`;
    const before = clean;
    const never = both(["run", "--rm", "--pull", "never", repo, "true"], before);
    expect(never.wharf.code).toBe(125);
    expect(asDocker(never.wharf.stderr)).toBe(never.docker.stderr);
    expect(never.wharf.stderr).toBe(`wharf: Error response from daemon: No such image: ${repo}:latest\n\nRun 'wharf run --help' for more information\n`);
    const createNever = both(["create", "--pull=never", repo], before);
    expect(createNever.wharf).toEqual(createNever.docker);
    expect(createNever.wharf).toEqual({ code: 1, stdout: "", stderr: `Error response from daemon: No such image: ${repo}:latest\n` });
    expect(ids()).toHaveLength(0);

    ok(w(["pull", "-q", `${repo}:1`]));
    const always = both(["run", "--rm", "--pull=always", `${repo}:1`, "echo", "fresh"], () => {});
    expect(always.wharf).toEqual(always.docker);
    expect(always.wharf.stderr).toContain(`Status: Image is up to date for ${repo}:1`);
    expect(always.wharf.stderr).not.toContain("Unable to find image");
    expect(always.wharf.stdout).toBe("fresh\n");

    const missingTag = both(["run", "--rm", `${repo}:9`, "true"], () => {});
    expect(missingTag.wharf.code).toBe(125);
    expect(asDocker(missingTag.wharf.stderr)).toBe(missingTag.docker.stderr);
    expect(missingTag.wharf.stderr).toContain(`manifest for ${repo}:9 not found: manifest unknown`);

    for (const cmd of ["run", "create"]) {
      const bad = both([cmd, "--pull=sometimes", `${repo}:1`], () => {});
      expect(bad.wharf.code).toBe(125);
      expect(asDocker(bad.wharf.stderr)).toBe(bad.docker.stderr);
      expect(bad.wharf.stderr).toContain(`invalid pull option: 'sometimes': must be one of "always", "missing" or "never"`);
    }
  });

  it("push: the same lines as docker's (in any order where layers run in parallel), -q only the name; login without a password", () => {
    const src = `${reg.host}/bb:1`;
    ok(w(["pull", "-q", src]));
    // Each CLI pushes to a repository of its own, so both start from the same registry state.
    const repo = (who: string) => `${reg.host}/pushed-${who}`;
    for (const who of ["docker", "wharf"]) for (const t of ["1", "2"]) ok(w(["tag", src, `${repo(who)}:${t}`]));
    // The mount source is the newest repository known to hold the blob (the other CLI's, by then).
    const sorted = (r: Run, who: string) => ({
      ...r,
      stderr: r.stderr.replaceAll(repo(who), "REPO"),
      stdout: r.stdout.replaceAll(repo(who), "REPO").replace(/Mounted from \S+/g, "Mounted from …").split("\n").sort().join("\n"),
    });
    const cases = [(r: string) => ["push", `${r}:1`], (r: string) => ["push", "-a", r], (r: string) => ["push", "-q", `${r}:1`], (r: string) => ["push", "-q", "-a", r], (r: string) => ["push", `${r}:9`]];
    for (const args of cases) {
      const a = docker(d, args(repo("docker")));
      const b = w(args(repo("wharf")));
      expect(sorted(b, "wharf")).toEqual(sorted(a, "docker"));
    }
    expect(ok(w(["push", `${repo("wharf")}:1`]))).toMatch(/: digest: sha256:[0-9a-f]{64} size: \d+\n$/);
    expect(ok(docker(d, ["push", `${repo("wharf")}:2`]))).toContain("Layer already exists");
    const login = both(["login", "-u", "someone", "--password-stdin", reg.host], () => {});
    expect(login.wharf).toEqual(login.docker);
    expect(login.wharf.stderr).toBe("Error: Cannot perform an interactive login from a non TTY device\n");
  });

  it("on a terminal, progress bars redrawn in place: the bytes written have Docker's bars and cursor moves", () => {
    const ref = `${reg.host}/multilayer:1.0`;
    const raw: Record<string, string> = {};
    for (const [name, bin] of [["docker", "docker"], ["wharf", join(import.meta.dirname, "../../dist/wharf")]] as const) {
      clean();
      // script's terminal has no size until stty gives it one (docker draws bars above 110 columns).
      const r = spawnSync("script", ["-q", "-e", "-c", `stty cols 160 rows 40; ${bin} pull ${ref}`, "/dev/null"], {
        encoding: "utf8",
        env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config"), COLUMNS: "160", LINES: "40" },
        timeout: 60_000,
      });
      expect(r.status).toBe(0);
      raw[name] = r.stdout;
    }
    // Byte for byte the same but for the order layers finish in and how far a bar had got.
    const shape = (s: string) =>
      s
        .replace(/\[=*>?\s*\] +[\d.]+[kMG]?B\/[\d.]+[kMG]?B/g, "BAR")
        // What follows the last layer's line, on its own whichever layer came last.
        .replace(/(\x1b\[\d+B)(Digest: )/, "$1\x1b[2K$2")
        .split("\x1b[2K")
        // The cursor-up before a part belongs to whichever message comes next.
        .map((p) => p.replace(/\x1b\[\d+A$/, ""))
        .map((p) => p.replace(/^\r[0-9a-f]{12}: (Downloading|Extracting) BAR\r(\x1b\[\d+B)?/, ""))
        .filter(Boolean)
        .sort();
    expect(shape(raw.wharf!)).toEqual(shape(raw.docker!));
    for (const name of ["docker", "wharf"]) {
      const out = raw[name]!;
      // A bar as jsonmessage draws it, e.g. `Downloading [=====>    ]  1.2kB/3.4kB`.
      expect(out, name).toMatch(/[0-9a-f]{12}: Downloading \s*\[=*>?\s*\]\s+[\d.]+[kMG]?B\/[\d.]+[kMG]?B/);
      expect(out, name).toMatch(/\x1b\[\d+A/);
      expect(out, name).toContain("\x1b[2K");
      expect(out, name).toContain(`Status: Downloaded newer image for ${ref}`);
    }
  }, 150_000);

  it("on a terminal, one line per layer rewritten in place, as the docker CLI draws it", async () => {
    const ref = `${reg.host}/multilayer:1.0`;
    const screens: Record<string, string> = {};
    for (const [name, bin] of [["docker", "docker"], ["wharf", join(import.meta.dirname, "../../dist/wharf")]] as const) {
      clean();
      const tmux = new Tmux({ DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, "docker-config"), PATH: process.env.PATH ?? "" });
      try {
        tmux.open(name, `${bin} run --rm ${ref}`, { cols: 160, rows: 40 });
        await tmux.waitFor(name, /EXIT=\d+/, 60_000);
        screens[name] = tmux.screen(name).trimEnd();
      } finally {
        tmux.kill();
      }
    }
    const lines = screens.wharf!.split("\n");
    for (const id of ["c381c7f35167", "1559546dff62", "789bddd67072", "5922a2ee77c3", "0bbb72176c00"]) {
      // Every layer's progress ends on its one line.
      expect(lines.filter((l) => l.startsWith(`${id}:`))).toEqual([`${id}: Pull complete`]);
    }
    expect(lines).toContain("hello world from /app");
    expect(lines).toContain("EXIT=0");
    expect(screens.wharf).toBe(screens.docker);
  }, 150_000);
});
