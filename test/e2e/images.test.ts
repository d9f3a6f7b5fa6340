// Images end to end: the real docker CLI against the compiled daemon with the real layer
// store, loading the fixtures written by real Docker and skopeo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, startDaemon, wharf, wharfBin, type TestDaemon } from "../helpers/daemon.ts";
import { busyboxId, fixtures, makeTar, multilayerId, multilayerOciId, sha, tinyArchive, tinyImage, treeListing } from "../helpers/archives.ts";

const fx = (n: string) => join(fixtures, n);

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** POST /images/load with curl: the status and body as the API gives them. */
function curlLoad(d: TestDaemon, file: string): { status: number; body: string } {
  const r = spawnSync("curl", ["-s", "-o", "-", "-w", "\n%{http_code}", "--unix-socket", d.sock, "-X", "POST", "-H", "Content-Type: application/x-tar",
    "--data-binary", `@${file}`, "http://x/v1.45/images/load"], { encoding: "utf8" });
  const i = r.stdout.lastIndexOf("\n");
  return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}

/**
 * Files under the data root, with sizes, minus the daemon's own bookkeeping that changes on
 * any request, its lock file (which holds its pid, so its size changes with a restart)
 * and the (empty) spool directory a load leaves, which a restart removes.
 */
const storeState = (d: TestDaemon) =>
  treeListing(d.dataRoot).filter((l) => !/\.(db|db-wal|db-shm) /.test(l) && !/^\/wharf\.lock /.test(l) && !/\/image\/\w+\/tmp dir$/.test(l));

describe("images e2e", () => {
  let d: TestDaemon;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "wharf-images-e2e-"));
    d = await startDaemon();
  });
  afterAll(async () => {
    await d?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it("docker load reads the busybox archive: id, tag, Cmd, driver", () => {
    expect(ok(docker(d, ["load", "-i", fx("busybox-docker-save.tar")]))).toBe("Loaded image: busybox:latest\n");
    expect(ok(docker(d, ["image", "inspect", "busybox", "--format", "{{.Id}} {{json .Config.Cmd}} {{.RepoTags}}"]))).toBe(
      `${busyboxId} ["sh"] [busybox:latest]\n`,
    );
    expect(ok(docker(d, ["info", "--format", "{{.Driver}} {{.Images}}"]))).toBe("overlay2 1\n");
  });

  it("docker load reads the multilayer docker archive: config and 12 history entries", () => {
    expect(ok(docker(d, ["load", "-i", fx("multilayer-docker-save.tar")]))).toBe("Loaded image: wharf-fixture/multilayer:1.0\n");
    const ins = JSON.parse(ok(docker(d, ["image", "inspect", "wharf-fixture/multilayer:1.0"])))[0];
    expect(ins.Id).toBe(multilayerId);
    expect(ins.Config.Entrypoint).toEqual(["/bin/sh", "/usr/local/bin/hello.sh"]);
    expect(ins.Config.Cmd).toEqual(["world"]);
    expect(ins.Config.WorkingDir).toBe("/app");
    expect(ins.Config.Env).toEqual(expect.arrayContaining(["GREETING=hello", "APP_HOME=/app"]));
    expect(ins.Config.Labels).toEqual({ "org.example.fixture": "multi-layer" });
    expect(ins.Config.ExposedPorts).toEqual({ "8080/tcp": {} });
    expect(ins.Config.Volumes).toEqual({ "/app/data": {} });
    expect(ins.Config.User).toBe("0:0");
    expect(ins.RootFS.Layers).toHaveLength(5);
    expect(ins.GraphDriver.Name).toBe("overlay2");
    const hist = ok(docker(d, ["history", "wharf-fixture/multilayer:1.0"])).trimEnd().split("\n");
    expect(hist[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(hist).toHaveLength(13);
    expect(hist[1]).toMatch(/^aafd41bca126\s+.+ago\s+\/bin\/sh -c #\(nop\)\s+CMD \["world"\]\s+0B/);
    expect(hist[2]).toMatch(/^<missing>/);
    const by = ok(docker(d, ["history", "--no-trunc", "--format", "{{.CreatedBy}}", "wharf-fixture/multilayer:1.0"])).split("\n");
    expect(by[0]).toBe('/bin/sh -c #(nop)  CMD ["world"]');
    expect(ok(wharf(["-H", d.host, "history", "-q", "wharf-fixture/multilayer:1.0"])).split("\n")[0]).toBe("aafd41bca126");
  });

  it("docker images: docker's table, -q, --digests, --no-trunc, --filter, --format", () => {
    const table = ok(docker(d, ["images"])).trimEnd().split("\n");
    expect(table[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(table).toContainEqual(expect.stringMatching(/^busybox\s+latest\s+d6240d91e29b\s+\S.* ago\s+\d+(\.\d+)?[kM]B$/));
    expect(table).toContainEqual(expect.stringMatching(/^wharf-fixture\/multilayer\s+1\.0\s+aafd41bca126\s+/));
    // wharf's own client prints the same columns.
    const mine = ok(wharf(["-H", d.host, "images"])).trimEnd().split("\n");
    expect(mine.map((l) => l.split(/\s{2,}/).filter((c) => !/ago$/.test(c)))).toEqual(table.map((l) => l.split(/\s{2,}/).filter((c) => !/ago$/.test(c))));
    expect(ok(docker(d, ["images", "-q"])).trim().split("\n").sort()).toEqual(["aafd41bca126", "d6240d91e29b"]);
    expect(ok(docker(d, ["images", "--no-trunc", "--filter", "reference=busy*", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]))).toBe(
      `busybox:latest ${busyboxId}\n`,
    );
    expect(ok(docker(d, ["images", "--digests"])).split("\n")[0]).toMatch(/^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
    const j = JSON.parse(ok(docker(d, ["images", "--filter", "label=org.example.fixture", "--format", "{{json .}}"])));
    expect(j).toMatchObject({ Repository: "wharf-fixture/multilayer", Tag: "1.0", ID: "aafd41bca126" });
    expect(ok(wharf(["-H", d.host, "image", "ls", "--format", "{{.ID}} {{.Tag}}", "--filter", "reference=busybox"]))).toBe("d6240d91e29b latest\n");
  });

  it("docker load reads the OCI layout: ref name as tag, same layers, no new layer bytes", () => {
    const before = storeState(d).filter((l) => !l.includes("/image/"));
    expect(ok(docker(d, ["load", "-i", fx("multilayer-oci.tar")]))).toBe(
      `The image wharf-fixture/multilayer:1.0 already exists, renaming the old one with ID ${multilayerId} to empty string\nLoaded image: wharf-fixture/multilayer:1.0\n`,
    );
    expect(ok(docker(d, ["image", "inspect", "wharf-fixture/multilayer:1.0", "--format", "{{.Id}} {{.Config.WorkingDir}}"]))).toBe(`${multilayerOciId} /app\n`);
    expect(storeState(d).filter((l) => !l.includes("/image/"))).toEqual(before);
    // The docker-archive image lost its tag and is dangling now.
    expect(ok(docker(d, ["images", "--filter", "dangling=true", "-q", "--no-trunc"]))).toBe(`${multilayerId}\n`);
  });

  it("loading the same archive twice stores no new layer bytes", () => {
    const before = storeState(d).filter((l) => !l.includes("/image/"));
    ok(docker(d, ["load", "-i", fx("multilayer-docker-save.tar")]));
    expect(storeState(d).filter((l) => !l.includes("/image/"))).toEqual(before);
    // The tag moved back to the docker-archive image; the OCI one is dangling now.
    expect(ok(docker(d, ["images", "--filter", "dangling=true", "-q", "--no-trunc"]))).toBe(`${multilayerOciId}\n`);
    // Exactly the same archive again: nothing new anywhere, not even in the image store.
    const all = storeState(d);
    expect(ok(docker(d, ["load", "-i", fx("multilayer-docker-save.tar")]))).toBe("Loaded image: wharf-fixture/multilayer:1.0\n");
    expect(storeState(d)).toEqual(all);
  });

  it("docker save writes Docker's layout, and a fresh vfs daemon loads it with the same ids", async () => {
    const out = join(work, "saved.tar");
    ok(docker(d, ["save", "-o", out, "busybox", "wharf-fixture/multilayer:1.0"]));
    const listing = spawnSync("tar", ["tf", out], { encoding: "utf8" });
    expect(listing.status).toBe(0);
    const names = listing.stdout.split("\n");
    expect(names).toEqual(expect.arrayContaining(["manifest.json", "repositories", "index.json", "oci-layout", `blobs/sha256/${busyboxId.slice(7)}`]));
    const manifest = JSON.parse(spawnSync("tar", ["xOf", out, "manifest.json"], { encoding: "utf8" }).stdout);
    expect(manifest.map((m: any) => m.RepoTags)).toEqual([["busybox:latest"], ["wharf-fixture/multilayer:1.0"]]);
    for (const l of manifest[1].Layers) expect(names).toContain(l);
    const d2 = await startDaemon(["--storage-driver", "vfs"]);
    try {
      expect(ok(docker(d2, ["info", "--format", "{{.Driver}}"]))).toBe("vfs\n");
      expect(ok(docker(d2, ["load", "-i", out]))).toBe("Loaded image: busybox:latest\nLoaded image: wharf-fixture/multilayer:1.0\n");
      expect(ok(docker(d2, ["images", "--no-trunc", "--format", "{{.Repository}} {{.ID}}"])).trim().split("\n").sort()).toEqual(
        [`busybox ${busyboxId}`, `wharf-fixture/multilayer ${multilayerId}`].sort(),
      );
      // And what wharf saves from the second daemon is byte-for-byte loadable again.
      const again = spawnSync("sh", ["-c", `"$0" save busybox | "$0" load`, wharfBin], { encoding: "utf8", env: { ...process.env, DOCKER_HOST: d2.host } });
      expect(again.stdout).toBe("Loaded image: busybox:latest\n");
    } finally {
      await d2.cleanup();
    }
  });

  it("docker import with -c makes a one-layer image; rmi of it frees its layer", () => {
    const before = storeState(d).map((l) => l.replace(/ \d+$/, ""));
    const rootfs = join(work, "rootfs.tar");
    writeFileSync(rootfs, makeTar([{ name: "etc/", dir: true }, { name: "etc/hostname", data: "imported\n" }]));
    const id = ok(docker(d, ["import", "-c", 'CMD ["sh"]', "-c", "ENV A=b", "-m", "hello", rootfs, "imp:1"])).trim();
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(ok(docker(d, ["image", "inspect", "imp:1", "--format", "{{json .Config.Cmd}} {{.Config.Env}} {{.Comment}} {{len .RootFS.Layers}}"]))).toBe(
      '["sh"] [A=b] hello 1\n',
    );
    ok(docker(d, ["tag", "imp:1", "imp:2"]));
    expect(ok(docker(d, ["rmi", "imp:1"]))).toBe("Untagged: imp:1\n");
    const rm = ok(docker(d, ["rmi", "imp:2"])).trim().split("\n");
    expect(rm[0]).toBe("Untagged: imp:2");
    expect(rm[1]).toBe(`Deleted: ${id}`);
    expect(rm.length).toBe(3);
    expect(storeState(d).map((l) => l.replace(/ \d+$/, ""))).toEqual(before);
    const gone = docker(d, ["rmi", "imp:2"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("No such image: imp:2");
  });

  it("docker image prune removes dangling images (their shared layers stay)", () => {
    const r = ok(docker(d, ["image", "prune", "-f"]));
    expect(r).toBe(`Deleted Images:\ndeleted: ${multilayerOciId}\n\nTotal reclaimed space: 0B\n`);
    expect(docker(d, ["image", "inspect", multilayerOciId]).code).toBe(1);
    expect(ok(docker(d, ["image", "inspect", "-f", "{{.Id}}", "wharf-fixture/multilayer:1.0"]))).toBe(`${multilayerId}\n`);
  });

  it("image events: load, tag, untag, delete, import, save, prune", () => {
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const ev = ok(docker(d, ["events", "--since", "1", "--until", until, "--filter", "type=image", "--format", "{{.Action}} {{.Actor.Attributes.name}}"]));
    const actions = new Set(ev.trim().split("\n").map((l) => l.split(" ")[0]));
    for (const a of ["load", "tag", "untag", "delete", "import", "save", "prune"]) expect(actions).toContain(a);
    expect(ev).toContain("load busybox:latest\n");
    expect(ev).toContain("untag imp:1\n");
  });

  it("a gzipped archive from stdin loads; images and their layer references survive a daemon restart", async () => {
    const gz = join(work, "busybox.tar.gz");
    writeFileSync(gz, Bun.gzipSync(readFileSync(fx("busybox-docker-save.tar"))));
    const d3 = await startDaemon();
    try {
      const r = spawnSync("docker", ["load"], { input: readFileSync(gz), env: { ...process.env, DOCKER_HOST: d3.host }, encoding: "utf8" });
      expect(r.stdout).toBe("Loaded image: busybox:latest\n");
      ok(docker(d3, ["load", "-i", fx("multilayer-docker-save.tar")]));
      expect(await d3.stop()).toBe(0);
      const empty = storeState(d3);
      const d4 = await startDaemon(["--data-root", d3.dataRoot]);
      try {
        expect(ok(docker(d4, ["images", "--format", "{{.Repository}}:{{.Tag}}"])).trim().split("\n").sort()).toEqual(["busybox:latest", "wharf-fixture/multilayer:1.0"]);
        expect(storeState(d3)).toEqual(empty);
        // The busybox layer is shared: removing busybox keeps it, removing the last user frees all.
        expect(ok(docker(d4, ["rmi", "busybox"])).trim().split("\n")).toEqual(["Untagged: busybox:latest", `Deleted: ${busyboxId}`]);
        const rm = ok(docker(d4, ["rmi", "wharf-fixture/multilayer:1.0"])).trim().split("\n");
        expect(rm).toHaveLength(2 + 5);
        expect(ok(docker(d4, ["info", "--format", "{{.Images}}"]))).toBe("0\n");
        expect(storeState(d3).filter((l) => /\/overlay2\/.*\/diff\//.test(l))).toEqual([]);
      } finally {
        await d4.cleanup();
      }
    } finally {
      await d3.cleanup();
    }
  });

  describe("bad archives get dockerd's 200 with errorDetail and leave the store as it was", () => {
    const t = tinyImage({ tag: "bad:1" });
    const cases: [string, () => Buffer, RegExp][] = [
      ["truncated", () => readFileSync(fx("multilayer-docker-save.tar")).subarray(0, 1_000_000), /truncated/],
      ["layer digest mismatch", () => makeTar([
        { name: "l.tar", data: makeTar([{ name: "x", data: "tampered" }]) },
        { name: t.cfgName, data: t.config },
        { name: "manifest.json", data: JSON.stringify([{ Config: t.cfgName, RepoTags: ["bad:1"], Layers: ["l.tar"] }]) },
      ]), new RegExp(`invalid archive: layer l.tar: .*diff id .*${sha(t.layer)}`)],
      ["manifest names a missing file", () => makeTar([{ name: t.cfgName, data: t.config }, { name: "manifest.json", data: t.manifest }]),
        /manifest.json names blobs\/sha256\/[a-f0-9]{64}, which is not in the archive/],
      ["../ entry", () => tinyArchive(t, [{ name: "../escape", data: "x" }]), /entry \.\.\/escape escapes the archive/],
      ["symlink escape", () => makeTar([
        { name: "l", symlink: "../../etc/passwd" },
        { name: t.cfgName, data: t.config },
        { name: "manifest.json", data: JSON.stringify([{ Config: t.cfgName, RepoTags: ["bad:1"], Layers: ["l"] }]) },
      ]), /symlink l points outside the archive/],
    ];
    it.each(cases)("%s", (name, build, message) => {
      const file = join(work, `${name.replace(/\W/g, "_")}.tar`);
      writeFileSync(file, build());
      const before = storeState(d);
      const r = curlLoad(d, file);
      expect(r.status).toBe(200);
      const last = JSON.parse(r.body.trim().split("\n").pop()!);
      expect(last.errorDetail.message).toMatch(message);
      expect(last.error).toBe(last.errorDetail.message);
      const cli = docker(d, ["load", "-i", file]);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(message);
      expect(storeState(d)).toEqual(before);
    });
  });
});

describe("wharf's own image commands", () => {
  let d: TestDaemon;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "wharf-images-cli-"));
    d = await startDaemon();
  });
  afterAll(async () => {
    await d?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });
  const w = (...args: string[]) => wharf(["-H", d.host, ...args]);

  it("load, import, tag, inspect, history, rmi, prune, save", () => {
    expect(ok(w("load", "-i", fx("busybox-docker-save.tar")))).toBe("Loaded image: busybox:latest\n");
    const rootfs = join(work, "rootfs.tar");
    writeFileSync(rootfs, makeTar([{ name: "hello", data: "hi\n" }]));
    const id = ok(w("import", "-c", 'CMD ["sh"]', "-c", "WORKDIR /w", "-m", "msg", rootfs, "imp:1")).trim();
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    ok(w("tag", "imp:1", "other/imp:2"));
    expect(ok(w("image", "inspect", "-f", "{{.RepoTags}} {{.Config.WorkingDir}} {{.Comment}}", "imp:1"))).toBe("[imp:1 other/imp:2] /w msg\n");
    const hist = ok(w("history", "imp:1")).split("\n");
    expect(hist[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(hist[1]).toMatch(new RegExp(`^${id.slice(7, 19)}\\s+.+ago\\s+\\S+B\\s+msg$`));
    const missing = w("image", "inspect", "nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Error: No such image: nope");
    expect(ok(w("rmi", "imp:1"))).toBe("Untagged: imp:1\n");
    ok(w("tag", "busybox", "x:1"));
    const conflict = w("rmi", "d6240d91e29b");
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe("Error response from daemon: conflict: unable to delete d6240d91e29b (must be forced) - image is referenced in multiple repositories\n");
    expect(ok(w("rmi", "x:1"))).toBe("Untagged: x:1\n");
    expect(ok(w("images", "-q")).trim().split("\n").sort()).toEqual([id.slice(7, 19), "d6240d91e29b"].sort());
    expect(ok(w("rmi", "other/imp:2")).split("\n")[1]).toBe(`Deleted: ${id}`);
    const out = join(work, "b.tar");
    ok(w("save", "-o", out, "d6240d91e29b"));
    const manifest = JSON.parse(spawnSync("tar", ["xOf", out, "manifest.json"], { encoding: "utf8" }).stdout);
    expect(manifest).toEqual([{ Config: `blobs/sha256/${busyboxId.slice(7)}`, RepoTags: null, Layers: [expect.stringMatching(/^blobs\/sha256\//)] }]);
    expect(ok(w("image", "prune", "-a", "-f"))).toMatch(/^Deleted Images:\nuntagged: busybox:latest\ndeleted: sha256:d6240d91e29b/);
    expect(ok(w("images"))).toBe("REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n");
  });
});

// What dockerd 20.10 answered here for the same steps (compared side by side).
describe("images committed from images: parent links", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
    ok(docker(d, ["load", "-i", fx("busybox-docker-save.tar")]));
  });
  afterAll(async () => {
    const ids = docker(d, ["ps", "-aq"]).stdout.trim().split("\n").filter(Boolean);
    if (ids.length) docker(d, ["rm", "-f", ...ids]);
    await d?.cleanup();
  });
  const lines = (s: string) => s.trim().split("\n").filter(Boolean);

  it("an unchanged container commits without a layer; history names each parent", () => {
    ok(docker(d, ["create", "--name", "p-src", "--network", "none", "busybox", "true"]));
    ok(docker(d, ["commit", "p-src", "pt/child:1"]));
    ok(docker(d, ["create", "--name", "p-mid", "--network", "none", "pt/child:1", "sh", "-c", "echo x > /new"]));
    ok(docker(d, ["start", "-a", "p-mid"]));
    ok(docker(d, ["commit", "p-mid", "pt/grand:1"]));
    docker(d, ["rm", "p-src", "p-mid"]);
    const layers = (ref: string) => JSON.parse(ok(docker(d, ["image", "inspect", "-f", "{{json .RootFS.Layers}}", ref])));
    expect(layers("pt/child:1")).toEqual(layers("busybox"));
    expect(layers("pt/grand:1")).toHaveLength(2);
    const ids = (ref: string) => ok(docker(d, ["image", "inspect", "-f", "{{.Id}}", ref])).trim();
    const history = lines(ok(docker(d, ["history", "--no-trunc", "--format", "{{.ID}} {{.Size}}", "pt/grand:1"])));
    expect(history).toEqual([`${ids("pt/grand:1")} 2B`, `${ids("pt/child:1")} 0B`, `${ids("busybox")} 1.98MB`]);
  });

  it("an image others were committed from: its last tag only untags, its id is refused even forced, it hides without -a", () => {
    const child = ok(docker(d, ["image", "inspect", "-f", "{{.Id}}", "pt/child:1"])).trim();
    expect(lines(ok(docker(d, ["rmi", "pt/child:1"])))).toEqual(["Untagged: pt/child:1"]);
    const shortId = child.slice(7, 19);
    const images = (...a: string[]) => lines(ok(docker(d, ["images", ...a, "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"])));
    expect(images()).not.toContain(`<none>:<none> ${shortId}`);
    expect(images("-a")).toContain(`<none>:<none> ${shortId}`);
    expect(images("-f", "dangling=true")).toEqual([]);
    const r = docker(d, ["rmi", "-f", shortId]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`conflict: unable to delete ${shortId} (cannot be forced) - image has dependent child images`);
    expect(images("-a")).toContain(`<none>:<none> ${shortId}`);
    // Prune leaves it to go with its child.
    ok(docker(d, ["image", "prune", "-f"]));
    expect(images("-a")).toContain(`<none>:<none> ${shortId}`);
  });

  it("deleting the last child takes the unnamed parents with it, unless --no-prune", () => {
    const id = (ref: string) => ok(docker(d, ["image", "inspect", "-f", "{{.Id}}", ref])).trim();
    const base = id("busybox");
    const grand = id("pt/grand:1");
    const child = ok(docker(d, ["image", "inspect", "-f", "{{.Parent}}", grand])).trim();
    // A second line of descent from busybox.
    ok(docker(d, ["create", "--name", "p-other", "--network", "none", "busybox", "true"]));
    ok(docker(d, ["commit", "p-other", "pt/other:1"]));
    docker(d, ["rm", "p-other"]);
    expect(lines(ok(docker(d, ["rmi", "busybox"])))).toEqual(["Untagged: busybox:latest"]);
    // grand goes, then its unnamed parent; busybox stays, pt/other still comes from it.
    const gone = lines(ok(docker(d, ["rmi", "pt/grand:1"])));
    expect(gone[0]).toBe("Untagged: pt/grand:1");
    expect(gone.filter((l) => l === `Deleted: ${grand}` || l === `Deleted: ${child}`)).toEqual([`Deleted: ${grand}`, `Deleted: ${child}`]);
    expect(gone).not.toContain(`Deleted: ${base}`);
    // With --no-prune the now childless, unnamed busybox stays, dangling, for prune to take.
    const other = lines(ok(docker(d, ["rmi", "--no-prune", "pt/other:1"])));
    expect(other).not.toContain(`Deleted: ${base}`);
    expect(lines(ok(docker(d, ["images", "-q", "--no-trunc", "-f", "dangling=true"])))).toEqual([base]);
    ok(docker(d, ["image", "prune", "-f"]));
    expect(lines(ok(docker(d, ["images", "-aq"])))).toEqual([]);
  });
});
