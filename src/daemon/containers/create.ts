// POST /containers/create: validate, resolve the image, merge configs, prepare the rw
// layer and the container's own files, then register record and name together.
import { mkdirSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { errorKind, invalidParameter } from "../../errors.ts";
import { mergeImageConfig, validateConfig, validateHostConfig } from "../../container/config.ts";
import type { ContainerCreateBody } from "../../api/types/index.ts";
import { configDefaults, hostConfigDefaults } from "../../container/defaults.ts";
import { generateName, validContainerName } from "../../container/names.ts";
import { ContainerState } from "../../container/state.ts";
import { nowNano } from "../../time.ts";
import type { ContainerRecord } from "../../container/container.ts";
import type { ContainerContext } from "./context.ts";
import { resolveCreateLinks } from "./links.ts";
import { validateLogConfig } from "../../logs/config.ts";
import { withDefaultLogConfig } from "./daemon-defaults.ts";
import { parseSecurityOpts } from "../../container/secopts.ts";

const supportedNetworkModes = ["default", "bridge", "none", "host"];
/** The runtimes /info lists: both names mean wharf's own runc-compatible init. */
export const knownRuntimes = ["runc", "io.containerd.runc.v2"];

export async function containerCreate(ctx: ContainerContext, input: { name?: string; body: ContainerCreateBody }): Promise<{ Id: string; Warnings: string[] }> {
  const { HostConfig: hostConfigGiven = {}, NetworkingConfig = null, ...configIn } = input.body;
  const hostConfigIn = { ...hostConfigGiven, LogConfig: withDefaultLogConfig(hostConfigGiven.LogConfig) };
  let name = input.name;
  if (name !== undefined) {
    if (!validContainerName.test(name)) throw invalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    name = name.replace(/^\//, "");
  }
  if (!configIn.Image) throw invalidParameter("Config.Image: no image specified");
  validateConfig(configIn);
  validateHostConfig(hostConfigIn, ctx.ncpu);
  validateLogConfig(hostConfigIn.LogConfig);
  parseSecurityOpts(hostConfigIn.SecurityOpt);
  if (hostConfigIn.Runtime && !knownRuntimes.includes(hostConfigIn.Runtime)) {
    throw invalidParameter(`Unknown runtime specified ${hostConfigIn.Runtime}`);
  }
  const mode: string = hostConfigIn.NetworkMode || "default";
  if (mode.startsWith("container:")) ctx.store.lookup(mode.slice("container:".length));
  else if (ctx.network) ctx.network.validateMode(mode, NetworkingConfig);
  else if (!supportedNetworkModes.includes(mode)) throw invalidParameter(`network ${mode} not found`);

  const links = resolveCreateLinks(ctx.store, hostConfigIn);
  const image = ctx.images.resolve(configIn.Image);
  const id = randomBytes(32).toString("hex");
  const merged = mergeImageConfig(configIn, image.config);
  const generated = !name;
  if (!name) {
    // dockerd tries six generated names, then falls back to the short id.
    for (let i = 0; ; i++) {
      name = i < 6 ? generateName(i) : id.slice(0, 12);
      if (i >= 6 || !ctx.store.nameTaken(name)) break;
    }
  }
  const rec: ContainerRecord = {
    ID: id,
    Created: nowNano(),
    Name: name,
    Image: image.id,
    Config: configDefaults(merged, id),
    HostConfig: hostConfigDefaults(hostConfigIn),
    NetworkingConfig,
    State: new ContainerState().s,
    RestartCount: 0,
    Driver: ctx.layers.driverName,
    ManuallyStopped: false,
    HasBeenStarted: false,
    ExecIDs: [],
    // The request's endpoint settings show in inspect before the first start, as dockerd's do.
    ...(ctx.network ? { NetworkSettings: ctx.network.createSettings(hostConfigIn, NetworkingConfig) } : {}),
  };
  const paths = ctx.store.paths(id);
  const volumes = ctx.volumes?.plan(rec);
  await ctx.layers.createRW(id, image.topLayer);
  try {
    // hostname, hosts and resolv.conf are written at each start (the host's may change).
    mkdirSync(paths.root, { recursive: true, mode: 0o710 });
    await volumes?.apply(() => ctx.layers.mountRW(id), () => ctx.layers.unmountRW(id));
    try {
      ctx.store.add(rec, links);
    } catch (err) {
      // A generated name taken by a concurrent create in between: the short id is unique.
      if (!generated || errorKind(err) !== "conflict" || rec.Name === id.slice(0, 12)) throw err;
      rec.Name = id.slice(0, 12);
      ctx.store.add(rec, links);
    }
    volumes?.done();
  } catch (err) {
    volumes?.undo();
    rmSync(paths.root, { recursive: true, force: true });
    await ctx.layers.removeRW(id).catch(() => {});
    throw err;
  }
  const c = ctx.store.lookup(id);
  ctx.emit(c, "create");
  const warnings: string[] = [];
  // wharf sets no kernel TCP memory limit: dockerd drops it so where the kernel has none.
  if (hostConfigIn.KernelMemoryTCP) {
    warnings.push("Your kernel does not support kernel memory TCP limit capabilities or the cgroup is not mounted. Limitation discarded.");
  }
  return { Id: id, Warnings: warnings };
}
