// `wharf container VERB`: the same commands under docker's management-command names.
import { defineCommand } from "citty";

const lifecycle = (name: string) => () => import("./lifecycle.ts").then((m) => (m as Record<string, any>)[name]);

export default defineCommand({
  meta: { name: "container", description: "Manage containers" },
  subCommands: {
    ls: () => import("./ps.ts").then((m) => m.default),
    list: () => import("./ps.ts").then((m) => m.default),
    ps: () => import("./ps.ts").then((m) => m.default),
    run: () => import("./run.ts").then((m) => m.default),
    create: () => import("./create.ts").then((m) => m.default),
    inspect: () => import("./inspect.ts").then((m) => m.containerInspect),
    logs: () => import("./logs.ts").then((m) => m.default),
    start: lifecycle("start"),
    stop: lifecycle("stop"),
    restart: lifecycle("restart"),
    kill: lifecycle("kill"),
    rm: lifecycle("rm"),
    remove: lifecycle("rm"),
    pause: lifecycle("pause"),
    unpause: lifecycle("unpause"),
    wait: lifecycle("wait"),
    rename: lifecycle("rename"),
    update: () => import("./update.ts").then((m) => m.default),
    prune: () => import("./container-prune.ts").then((m) => m.default),
    top: () => import("./container-io.ts").then((m) => m.top),
    diff: () => import("./container-io.ts").then((m) => m.diff),
    port: () => import("./container-io.ts").then((m) => m.port),
    commit: () => import("./container-io.ts").then((m) => m.commit),
    export: () => import("./container-io.ts").then((m) => m.exportCmd),
    stats: () => import("./stats.ts").then((m) => m.default),
    cp: () => import("./cp.ts").then((m) => m.default),
  },
});
