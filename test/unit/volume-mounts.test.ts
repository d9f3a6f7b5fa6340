// Mount specs as dockerd parses them (-v, --mount, --volumes-from, image VOLUMEs) and
// the CLI's --mount flag.
import { describe, expect, it } from "vitest";
import { parseBind, parseMount, parseVolumesFrom, planMounts, sortMounts, mountShape, type PlanInput } from "../../src/volume/mountpoints.ts";
import { absoluteBinds, parseMountFlag } from "../../src/cli/mountopt.ts";
import { buildCreateRequest } from "../../src/cli/runopts.ts";
import { checkVolumeName, isValidVolumeName } from "../../src/volume/names.ts";

const plan = (p: Partial<PlanInput>) =>
  planMounts({ binds: null, mounts: null, volumesFrom: null, tmpfs: null, imageVolumes: null, mountsOf: () => [], exists: () => true, ...p });

describe("-v specs", () => {
  it("tells named volumes, binds and anonymous volumes apart", () => {
    expect(parseBind("data:/d")).toMatchObject({ Type: "volume", Name: "data", Destination: "/d", RW: true, CopyData: true, Mode: "z", Propagation: "" });
    expect(parseBind("/host/x/:/d/:ro")).toMatchObject({ Type: "bind", Source: "/host/x/", Destination: "/d/", RW: false, Mode: "ro", Propagation: "rprivate", CreateSource: true });
    expect(parseBind("/only")).toMatchObject({ Type: "volume", Name: "", Anonymous: true, Destination: "/only" });
    expect(parseBind("v:/d:nocopy,ro")).toMatchObject({ RW: false, CopyData: false, Mode: "nocopy,ro" });
    expect(parseBind("/h:/d:rshared,z")).toMatchObject({ Propagation: "rshared", Mode: "rshared,z" });
  });

  it("refuses bad specs with dockerd's messages", () => {
    expect(() => parseBind(":/d")).toThrow("invalid volume specification: ':/d'");
    expect(() => parseBind("/d:rw")).toThrow("invalid volume specification: '/d:rw'");
    expect(() => parseBind("a:/b:c:d")).toThrow("invalid volume specification: 'a:/b:c:d'");
    expect(() => parseBind("a:/b:ro,rw")).toThrow("invalid mode: ro,rw");
    expect(() => parseBind("a:/")).toThrow(`invalid volume specification: 'a:/': invalid mount config for type "volume": invalid specification: destination can't be '/'`);
    expect(() => parseBind("/h:rel")).toThrow(`invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`);
  });
});

describe("--mount specs", () => {
  it("validates like dockerd, the bind source must exist", () => {
    const none = () => false;
    expect(() => parseMount({ Type: "bind", Source: "/nope", Target: "/t" }, none)).toThrow(
      `invalid mount config for type "bind": bind source path does not exist: /nope`,
    );
    expect(parseMount({ Type: "bind", Source: "/nope", Target: "/t", BindOptions: { CreateMountpoint: true } }, none)).toMatchObject({ CreateSource: true });
    expect(() => parseMount({ Type: "bind", Target: "/t" }, none)).toThrow(`invalid mount config for type "bind": field Source must not be empty`);
    expect(() => parseMount({ Type: "volume", Target: "/t", ReadOnly: true }, none)).toThrow("must not set ReadOnly mode when using anonymous volumes");
    expect(() => parseMount({ Type: "tmpfs", Source: "x", Target: "/t" }, none)).toThrow(`invalid mount config for type "tmpfs": field Source must not be specified`);
    expect(() => parseMount({ Type: "weird", Target: "/t" }, none)).toThrow(`invalid mount config for type "weird": mount type unknown`);
    expect(() => parseMount({ Type: "volume", Source: "v" }, none)).toThrow(`invalid mount config for type "volume": field Target must not be empty`);
    expect(() => parseMount({ Type: "bind", Source: "/", Target: "/t", BindOptions: { Propagation: "bogus" } }, () => true)).toThrow("invalid propagation mode: bogus");
    expect(() => parseMount({ Type: "volume", Target: "/t", VolumeOptions: { Subpath: "x" } }, none)).toThrow("must not set Subpath when using anonymous volumes");
    expect(parseMount({ Type: "volume", Source: "v", Target: "/t", VolumeOptions: { Subpath: "a/./b" } }, none)).toMatchObject({ Subpath: "a/b", CopyData: false });
    for (const bad of ["../x", "/abs", "a/../../x", ".."]) {
      expect(() => parseMount({ Type: "volume", Source: "v", Target: "/t", VolumeOptions: { Subpath: bad } }, none)).toThrow("subpath must be a relative path within the volume");
    }
  });

  it("turns tmpfs options into mount data as moby does", () => {
    const t = parseMount({ Type: "tmpfs", Target: "/t", ReadOnly: true, TmpfsOptions: { SizeBytes: 3 * 2 ** 20, Mode: 0o1777, Options: [["exec"]] } }, () => true);
    expect(t.TmpfsOptions).toBe("ro,mode=1777,size=3m,exec");
    expect(parseMount({ Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 1000 } }, () => true).TmpfsOptions).toBe("size=1000");
    expect(() => parseMount({ Type: "tmpfs", Target: "/t", TmpfsOptions: { Options: [["suid"]] } }, () => true)).toThrow("invalid option: suid");
  });

  it("reads the CLI flag's CSV", () => {
    expect(parseMountFlag("type=volume,src=v,dst=/d,volume-nocopy,volume-label=a=b,volume-opt=type=tmpfs,readonly=false")).toEqual({
      Type: "volume",
      Source: "v",
      Target: "/d",
      ReadOnly: false,
      VolumeOptions: { NoCopy: true, Labels: { a: "b" }, DriverConfig: { Options: { type: "tmpfs" } } },
    });
    expect(parseMountFlag("type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770")).toEqual({
      Type: "tmpfs",
      Target: "/t",
      TmpfsOptions: { SizeBytes: 64 * 2 ** 20, Mode: 0o1770 },
    });
    expect(parseMountFlag("type=bind,source=/h,target=/t,ro,bind-propagation=rslave")).toEqual({
      Type: "bind",
      Source: "/h",
      Target: "/t",
      ReadOnly: true,
      BindOptions: { Propagation: "rslave" },
    });
    expect(() => parseMountFlag("target=/t")).toThrow("type is required");
    expect(() => parseMountFlag("type=bind,source=/h")).toThrow("target is required");
    expect(() => parseMountFlag("type=bind,target=/t,nope=1")).toThrow("unexpected key 'nope' in 'nope=1'");
    expect(() => parseMountFlag("type=bind,target=/t,volume-nocopy")).toThrow("cannot mix 'volume-*' options with mount type 'bind'");
  });
});

describe("a container's mount plan", () => {
  it("puts binds over volumes-from, skips image VOLUMEs something covers, refuses duplicates", () => {
    const from = [{ Type: "volume" as const, Source: "/v/_data", Destination: "/shared", RW: true, Name: "s", Driver: "local", Mode: "", Propagation: "", CopyData: true, Anonymous: true }];
    const mps = plan({
      volumesFrom: ["other:ro"],
      binds: ["/h:/app/data", "named:/n"],
      tmpfs: { "/tmp/t": "size=1m" },
      imageVolumes: { "/app/data": {}, "/img": {}, "/tmp/t": {} },
      mountsOf: (ref) => (ref === "other" ? from : []),
    });
    expect(mps.map((m) => [m.Destination, m.Type, m.Name, m.RW])).toEqual([
      ["/shared", "volume", "s", false],
      ["/app/data", "bind", "", true],
      ["/n", "volume", "named", true],
      ["/img", "volume", "", true],
    ]);
    // Shared from another container: never removed with this one.
    expect(mps[0]!.Anonymous).toBe(false);
    expect(() => plan({ binds: ["a:/x", "b:/x"] })).toThrow("Duplicate mount point: /x");
    expect(() => plan({ binds: ["a:/x"], mounts: [{ Type: "volume", Source: "b", Target: "/x" }] })).toThrow("Duplicate mount point: /x");
    expect(plan({ binds: ["a:/x", "a:/x"] })).toHaveLength(1);
    expect(() => parseVolumesFrom("c:rshared")).toThrow("invalid mode: rshared");
    expect(() => parseVolumesFrom("")).toThrow("volumes-from specification cannot be an empty string");
  });

  it("mounts parents before children and shapes Mounts as Docker", () => {
    const sorted = sortMounts([{ Destination: "/a/b/c" }, { Destination: "/a" }, { Destination: "/a/b" }]);
    expect(sorted.map((m) => m.Destination)).toEqual(["/a", "/a/b", "/a/b/c"]);
    expect(mountShape(parseBind("/h:/d:ro"))).toEqual({ Type: "bind", Source: "/h", Destination: "/d", Mode: "ro", RW: false, Propagation: "rprivate" });
  });
});

describe("volume names", () => {
  it("accepts Docker's pattern only", () => {
    for (const ok of ["ab", "a.b", "a_b-c", "0x"]) expect(isValidVolumeName(ok)).toBe(true);
    for (const bad of ["a", "../x", "a/b", ".x", "-x", "x y", "..", ""]) expect(isValidVolumeName(bad)).toBe(false);
    expect(() => checkVolumeName("../x")).toThrow(`create ../x: "../x" includes invalid characters for a local volume name`);
  });
});

describe("wharf run's mount flags", () => {
  it("sends -v as Binds (relative host paths made absolute), --mount as Mounts, --tmpfs and --volumes-from", () => {
    const r = buildCreateRequest(["-v", "data:/d", "-v", "./here:/h:ro", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m", "--tmpfs", "/run:size=2m", "--volumes-from", "other:ro", "busybox"]);
    const hc = r.body.HostConfig;
    expect(hc.Binds).toEqual(["data:/d", `${process.cwd()}/here:/h:ro`]);
    expect(hc.Mounts).toEqual([{ Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 2 ** 20 } }]);
    expect(hc.Tmpfs).toEqual({ "/run": "size=2m" });
    expect(hc.VolumesFrom).toEqual(["other:ro"]);
    expect(absoluteBinds(["/abs:/x", "name:/y", "/anon"])).toEqual(["/abs:/x", "name:/y", "/anon"]);
  });
});
